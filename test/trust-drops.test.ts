// Drops are never silent: a line over the agent's limit, a spool directory on a tiny full filesystem
// (a 64 KB tmpfs), and kernel events the ring buffer lost — each counted by the agent (its
// Prometheus counters), surfaced on the affected request's graph in a real store (dynalite), and
// listed by `provenance report`.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../invokers/agent/agent';
import { ingestBatch } from '../correlator/index';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { runReport } from '../cli/commands/report';
import { bufferOutput } from '../cli/output';
import { renderMetrics } from '../invokers/agent/metrics';
import type { Batch, StreamLine } from '../protocol/batch';
import { ActivationWriter } from './batch-builder';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const TABLE = 'trust-drops';
const REQ = 'req-drops';
const CONTAINER = 'c-drops';
const canMount = process.getuid?.() === 0 && process.platform === 'linux';

describe.skipIf(!canMount)('drops are never silent (agent, real store, tmpfs spool)', () => {
  let dir: string;
  let spoolDir: string;
  let dynamo: LocalDynamo;
  let store: ProvenanceStore;
  let agent: Agent;
  let sinkUp = true;
  const delivered: Batch[] = [];
  const logs: string[] = [];
  let seq = 0;
  const W = new ActivationWriter('act-drops', REQ, 'd'.repeat(32));
  const line = (text: string, stream: StreamLine['stream'] = 'stdout'): StreamLine => ({ container: CONTAINER, stream, time: Date.now(), line: text, seq: seq++ });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-drops-'));
    spoolDir = path.join(dir, 'spool');
    fs.mkdirSync(spoolDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', spoolDir]);
    dynamo = await startLocalDynamo(path.join(dir, 'db'));
    store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' }, { create: true });
    agent = Agent.open({
      invoker: 'inv-drops',
      spoolDir,
      maxDelayMs: 50,
      maxLineBytes: 4096,
      retryInitialMs: 60_000, // the test drives delivery itself
      log: (l) => logs.push(l),
      sink: async (b) => {
        if (!sinkUp) throw new Error('correlator unreachable');
        delivered.push(b);
        await ingestBatch(b, store, { detection: false });
      },
    });
    agent.container({ container: CONTAINER, invoker: 'inv-drops', action: '/_/drops', started: Date.now() });
  }, 30_000);

  afterAll(async () => {
    await agent?.close().catch(() => undefined);
    await store?.close();
    await dynamo?.stop();
    try {
      execFileSync('umount', [spoolDir]);
    } catch {
      // not mounted
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts, ships and surfaces a cut line, a batch lost to a full spool disk, and kernel ring-buffer drops', async () => {
    // 1. the activation begins; its begin reaches the correlator
    agent.line(line(W.begin(Date.now(), { act: '/_/drops', ns: '_', pid: 7, host: CONTAINER, cold: true })));
    await agent.flush();
    expect(delivered).toHaveLength(1);

    // 2. the correlator goes away while the spool's disk is full: the batch is lost, loudly
    fs.writeFileSync(path.join(spoolDir, 'filler'), Buffer.alloc(60 * 1024));
    sinkUp = false;
    for (let i = 0; i < 20; i++) agent.line(line(W.log(`working ${i} ${'x'.repeat(400)}`)));
    await agent.flush();
    expect(agent.getStats()).toMatchObject({ lost: 1, spooled: 0 });
    expect(logs.join('\n')).toMatch(/batch #\d+ \(20 line\(s\), 0 kernel event\(s\)\) is LOST: .*spool disk full \(ENOSPC\)/);
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'))).toEqual([]); // no partial file left behind

    // 3. back: an over-long line, kernel events the ring buffer dropped, the end; the loss is announced
    sinkUp = true;
    fs.rmSync(path.join(spoolDir, 'filler'));
    agent.line(line(W.log(`huge ${'y'.repeat(10_000)}`)));
    agent.kernel([], { 'act-drops': 7 }, 0);
    agent.line(line(W.record({ t: 'end', ok: true, dur: 5 }, Date.now())));
    agent.line(line(ACTIVATION_SENTINEL, 'stdout'));
    agent.line(line(ACTIVATION_SENTINEL, 'stderr'));
    await agent.flush();
    const last = delivered[delivered.length - 1]!;
    expect(last.lost).toEqual([expect.objectContaining({ reason: 'spool disk full (ENOSPC)', lines: 20, activations: ['act-drops'] })]);
    expect(last.lines.find((l) => l.cut !== undefined)?.cut).toBeGreaterThan(5_000);
    expect(agent.getStats()).toMatchObject({ linesCut: 1, lost: 1 });

    // on the request's graph
    const graph = (await store.getRequestGraph(REQ))!;
    const codes = (graph.warnings ?? []).map((w) => w.code).sort();
    expect(codes).toEqual(expect.arrayContaining(['kernel-events-dropped', 'line-cut', 'output-lost']));
    expect(graph.warnings!.find((w) => w.code === 'output-lost')!.message).toMatch(/lost batch #\d+ \(20 line\(s\), 0 kernel event\(s\)\): spool disk full/);

    // in the report
    const text = bufferOutput();
    await runReport({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' }, text, () => undefined);
    expect(text.text()).toMatch(/requests with losses \(1\)/);
    expect(text.text()).toContain(`  ${REQ}\n`);
    expect(text.text()).toMatch(/! line-cut \[act-drops\]: a stdout line over the agent's limit was cut/);
    const json = bufferOutput();
    await runReport({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1', json: true }, json, () => undefined);
    const report = JSON.parse(json.text()) as { losses: Array<{ request: string; losses: Array<{ code: string }> }> };
    expect(report.losses.map((l) => l.request)).toEqual([REQ]);
    expect(report.losses[0]!.losses.map((l) => l.code)).toEqual(['kernel-events-dropped', 'line-cut', 'output-lost']);
  }, 60_000);

  it('in the agent counters (Prometheus)', async () => {
    const zeroKernel = { captured: 0, dropped: 0, attributed: 0, shipped: 0, syscallsShipped: 0, reduced: 0, pendingHeld: 0, pendingReleased: 0, pendingDropped: 0, firstExecs: 0, heldBeforeDiscovery: 0 };
    const { text } = await renderMetrics({
      kernelCapture: false,
      engineConnected: true,
      containersFollowed: 1,
      containersSeen: 1,
      containersSkipped: 0,
      discoveryErrors: {},
      linesRead: 0,
      logRotations: { replaced: 0, truncated: 0 },
      batches: agent.getStats(),
      kernel: zeroKernel,
    });
    expect(text).toMatch(/^sp_agent_lines_cut_total 1$/m);
    expect(text).toMatch(/^sp_agent_batches_lost_total 1$/m);
  });
});
