// The node agent's health and counters in Prometheus text format (prom-client). Rendering is a
// function of one stats snapshot (a fresh registry each time), so what is shown is exactly what
// the agent counted; the HTTP side (metrics-server.ts) only serves it.
import { Counter, Gauge, Registry } from 'prom-client';
import type { NodeAgentStats } from './daemon/stats';

type Sample = { name: string; help: string; kind: 'counter' | 'gauge'; value: number; labels?: Record<string, string> };

function samples(s: NodeAgentStats): Sample[] {
  const c = (name: string, help: string, value: number, labels?: Record<string, string>): Sample => ({ name, help, kind: 'counter', value, labels });
  const g = (name: string, help: string, value: number): Sample => ({ name, help, kind: 'gauge', value });
  const out: Sample[] = [
    g('sp_agent_kernel_capture', '1 when kernel capture runs, 0 when only json-file logs are read', s.kernelCapture ? 1 : 0),
    g('sp_agent_engine_connected', '1 when the container engine answered last time', s.engineConnected ? 1 : 0),
    g('sp_agent_containers_followed', 'action containers followed now', s.containersFollowed),
    c('sp_agent_containers_seen_total', 'action containers followed since start', s.containersSeen),
    c('sp_agent_containers_skipped_total', 'containers of the engine that the rule did not select', s.containersSkipped),
    c('sp_agent_lines_read_total', 'lines read from container logs', s.linesRead),
    c('sp_agent_batches_total', 'batches cut', s.batches.batches),
    c('sp_agent_batches_delivered_total', 'batches the sink accepted (first try or from the spool)', s.batches.delivered),
    c('sp_agent_batches_spooled_total', 'batches saved to the spool because the sink refused them', s.batches.spooled),
    g('sp_agent_batches_waiting', 'batches in the spool now', s.batches.waitingOnDisk),
    c('sp_agent_lines_cut_total', 'lines over the agent limit, cut (the head kept, the cut warned on the request graph)', s.batches.linesCut ?? 0),
    c('sp_agent_batches_lost_total', 'batches neither delivered nor spooled (spool disk full), announced to the correlator', s.batches.lost ?? 0),
    c('sp_agent_kernel_events_captured_total', 'records the kernel wrote', s.kernel.captured),
    c('sp_agent_kernel_events_dropped_total', 'records lost because the ring buffer was full', s.kernel.dropped),
    c('sp_agent_kernel_events_attributed_total', 'kernel events attributed to an activation, before reduction', s.kernel.attributed),
    c('sp_agent_kernel_events_shipped_total', 'kernel events shipped after reduction', s.kernel.shipped),
    c('sp_agent_kernel_syscalls_shipped_total', 'syscalls the shipped kernel events stand for', s.kernel.syscallsShipped),
    c('sp_agent_kernel_events_reduced_total', 'kernel events removed by reduction', s.kernel.reduced),
    g('sp_agent_kernel_pending_events', 'events of containers not discovered yet, waiting', s.kernel.pendingHeld),
    c('sp_agent_kernel_pending_released_total', 'waiting events attributed once their container was discovered', s.kernel.pendingReleased),
    c('sp_agent_kernel_pending_dropped_total', 'waiting events given up (not an action container, too old, buffer full)', s.kernel.pendingDropped),
    c('sp_agent_kernel_first_execs_total', 'containers whose first program the kernel saw start', s.kernel.firstExecs),
  ];
  if (s.ingested) {
    out.push(c('sp_agent_correlator_batches_ingested_total', 'batches the in-process correlator ingested', s.ingested.batches));
    out.push(c('sp_agent_correlator_kernel_events_stored_total', 'syscalls (kernel events, summed ones counted n times) the in-process correlator drew into request graphs', s.ingested.kernelEvents));
  }
  for (const [what, n] of Object.entries(s.logRotations)) out.push(c('sp_agent_log_rotations_total', 'container logs found rotated or truncated (reopened)', n, { what }));
  for (const [kind, n] of Object.entries(s.discoveryErrors)) out.push(c('sp_agent_discovery_errors_total', 'problems finding containers, by kind', n, { kind }));
  return out;
}

export async function renderMetrics(s: NodeAgentStats): Promise<{ contentType: string; text: string }> {
  const registry = new Registry();
  const made = new Map<string, Counter | Gauge>();
  for (const x of samples(s)) {
    let m = made.get(x.name);
    const labelNames = x.labels ? Object.keys(x.labels) : [];
    if (!m) {
      m = x.kind === 'counter' ? new Counter({ name: x.name, help: x.help, labelNames, registers: [registry] }) : new Gauge({ name: x.name, help: x.help, labelNames, registers: [registry] });
      made.set(x.name, m);
    }
    if (m instanceof Counter) m.inc(x.labels ?? {}, x.value);
    else m.set(x.labels ?? {}, x.value);
  }
  return { contentType: registry.contentType, text: await registry.metrics() };
}
