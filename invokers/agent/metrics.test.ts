import { describe, expect, it } from 'vitest';
import { renderMetrics } from './metrics';
import type { NodeAgentStats } from './daemon/stats';

const stats: NodeAgentStats = {
  kernelCapture: true,
  engineConnected: false,
  containersFollowed: 2,
  containersSeen: 5,
  containersSkipped: 1,
  discoveryErrors: { 'container-gone': 3 },
  linesRead: 42,
  logRotations: { replaced: 1, truncated: 0 },
  batches: { batches: 9, delivered: 7, spooled: 2, waitingOnDisk: 1 },
  kernel: { captured: 1000, dropped: 4, attributed: 600, shipped: 450, syscallsShipped: 700, reduced: 150, pendingHeld: 12, pendingReleased: 80, pendingDropped: 5, firstExecs: 2, heldBeforeDiscovery: 80 },
};

describe('renderMetrics', () => {
  it.each([
    ['sp_agent_kernel_capture', '1'],
    ['sp_agent_engine_connected', '0'],
    ['sp_agent_containers_followed', '2'],
    ['sp_agent_lines_read_total', '42'],
    ['sp_agent_batches_delivered_total', '7'],
    ['sp_agent_batches_spooled_total', '2'],
    ['sp_agent_batches_waiting', '1'],
    ['sp_agent_kernel_events_captured_total', '1000'],
    ['sp_agent_kernel_events_dropped_total', '4'],
    ['sp_agent_kernel_pending_events', '12'],
    ['sp_agent_discovery_errors_total{kind="container-gone"}', '3'],
    ['sp_agent_log_rotations_total{what="replaced"}', '1'],
  ])('%s is %s', async (name, value) => {
    const { text } = await renderMetrics(stats);
    expect(text.split('\n')).toContain(`${name} ${value}`);
  });

  it('is Prometheus text with HELP and TYPE for each metric', async () => {
    const { text, contentType } = await renderMetrics(stats);
    expect(contentType).toMatch(/^text\/plain/);
    expect(text).toMatch(/# HELP sp_agent_lines_read_total .+\n# TYPE sp_agent_lines_read_total counter/);
    expect(text).toMatch(/# TYPE sp_agent_batches_waiting gauge/);
  });
});
