// The store unreachable for a while, then back, with the node agent running as its own process and
// activations going on meanwhile: batches the store refused wait in the agent's spool and are sent
// when it is back, in order, so every activation run is stored with each of its lines once, and
// the agent's kernel accounting balances (every event it attributed was shipped or reduced away).
// No request uses what another left (each activation reads back its own file), so detection must
// find no incident: the runtime's own start-up pipes are not state an activation left. The summary
// counts the DynamoDB requests the agent made (through the relay), and those after SIGTERM.
// The DynamoDB (dynalite, in this process) sits behind a TCP relay that the outage closes.
//
//   npx tsx test/agent-outage.ts --seconds 60      (the long run; test/agent-outage.test.ts runs a short one)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore, startLocalDynamo, type ProvenanceStore } from '../store/index';
import { startDockerd } from './dockerd';
import { needBuild, scrape, startActionContainer, metricsUrlOf, startAgent, wrappedArtifact, type ActionContainer } from './agent-harness';
import { startRelay } from './tcp-relay';
import { until } from './wait';

const HANDLER = `
exports.main = async (params) => {
  console.log('hello ' + params.id);
  require('fs').writeFileSync('/tmp/outage-' + params.id, String(params.id));
  // a program the wrapper cannot look into: only the kernel sees what it does
  require('child_process').execFileSync('/usr/bin/cat', ['/tmp/outage-' + params.id]);
  return { id: params.id };
};
`;

export interface OutageSummary {
  seconds: number;
  activationsRun: number;
  activationsStored: number;
  missing: string[];
  /** activations whose "hello" line is stored other than once */
  notOnce: string[];
  /** activations whose child program's exec (seen by the kernel only) is not stored (kernel capture on only) */
  withoutKernel: string[];
  kernelCapture: boolean;
  /** ms from the store's return to an empty spool */
  spoolEmptyMs: number;
  /** ms from SIGTERM to the agent's exit (it waits for detection over every ingested request) */
  stopMs: number;
  /** DynamoDB requests the agent made, by operation: over the whole run, and from SIGTERM to its exit (detection's final run) */
  storeCalls: { total: Record<string, number>; afterSigterm: Record<string, number> };
  /** incidents stored, by verdict, and by the kind of artifact (a pipe, a /tmp file, a process) */
  incidents: { byVerdict: Record<string, number>; byArtifact: Record<string, number> };
  metrics: Record<string, number>;
}

/** DynamoDB requests name their operation in this header (`X-Amz-Target: DynamoDB_20120810.Query`). */
const TARGET = /x-amz-target:\s*DynamoDB_\d+\.(\w+)/gi;

/** Counts the DynamoDB operations in a client's byte stream (a header may arrive split across chunks). */
function operationCounter(count: (op: string) => void): (chunk: Buffer) => void {
  let tail = '';
  return (chunk) => {
    const text = tail + chunk.toString('latin1');
    let end = 0;
    for (const m of text.matchAll(TARGET)) {
      count(m[1]!);
      end = m.index! + m[0].length;
    }
    // keep enough to complete a header cut at the chunk's end, never one already counted
    tail = text.slice(Math.max(end, text.length - 64));
  };
}

export async function runOutage(o: { seconds: number; log?: (line: string) => void; inspect?: (store: ProvenanceStore) => Promise<void> }): Promise<OutageSummary> {
  needBuild();
  const log = o.log ?? (() => undefined);
  const d = await startDockerd();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-outage-'));
  const dynamo = await startLocalDynamo(dir);
  const dynamoPort = Number(new URL(dynamo.endpoint).port);
  const calls = { total: {} as Record<string, number>, afterSigterm: {} as Record<string, number> };
  let stopping = 0;
  const r = await startRelay(dynamoPort, () =>
    operationCounter((op) => {
      calls.total[op] = (calls.total[op] ?? 0) + 1;
      if (stopping) calls.afterSigterm[op] = (calls.afterSigterm[op] ?? 0) + 1;
    }),
  );
  const agent = startAgent([
    '--docker-host', `unix://${d.socket}`,
    '--endpoint', `http://127.0.0.1:${r.port}`,
    '--table', 'provenance',
    '--region', 'us-east-1',
    '--state-dir', path.join(dir, 'agent'),
    '--invoker', 'invoker0',
    '--metrics', '127.0.0.1:0',
    '--batch-ms', '100',
  ]);
  try {
    const kernelCapture = /kernel capture on/.test((await agent.waitFor(/agent: kernel capture (on|off)/))[0]);
    const metricsUrl = await metricsUrlOf(agent);
    const containers: ActionContainer[] = [];
    for (const name of ['wsk0_1_prewarm_nodejs20', 'wsk0_2_prewarm_nodejs20']) {
      const c = await startActionContainer(d, name);
      await c.init(wrappedArtifact(HANDLER));
      containers.push(c);
    }
    const runs: Array<{ id: string; transactionId: string }> = [];
    let next = 0;
    let stop = false;
    const drive = async (c: ActionContainer) => {
      while (!stop) {
        const id = `o${next++}`;
        const run = await c.run({ id });
        runs.push({ id, transactionId: run.transactionId });
        await new Promise((done) => setTimeout(done, 200));
      }
    };
    const driving = Promise.all(containers.map(drive));
    await new Promise((done) => setTimeout(done, 1000));
    log(`store down for ${o.seconds} s`);
    await r.down();
    await new Promise((done) => setTimeout(done, o.seconds * 1000));
    await r.up();
    log('store back');
    const back = Date.now();
    await new Promise((done) => setTimeout(done, 1000));
    stop = true;
    await driving;
    // everything spooled during the outage goes out once the store answers again
    await until('the spool to empty', async () => {
      const m = await scrape(metricsUrl);
      return m['sp_agent_batches_waiting'] === 0 && m['sp_agent_batches_spooled_total'] > 0 ? true : undefined;
    }, 120_000, 500);
    const spoolEmptyMs = Date.now() - back;
    await new Promise((done) => setTimeout(done, 1000));
    const metrics = await scrape(metricsUrl);
    stopping = Date.now();
    const code = await agent.stop('SIGTERM');
    const stopMs = Date.now() - stopping;
    if (code !== 0) throw new Error(`the agent exited ${code}:\n${agent.log()}`);
    log(agent.log());

    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: 'us-east-1' });
    const incidents: OutageSummary['incidents'] = { byVerdict: {}, byArtifact: {} };
    const summary: OutageSummary = { seconds: o.seconds, activationsRun: runs.length, activationsStored: 0, missing: [], notOnce: [], withoutKernel: [], kernelCapture, spoolEmptyMs, stopMs, storeCalls: calls, incidents, metrics };
    try {
      for (const i of await store.listIncidents()) {
        incidents.byVerdict[i.verdict] = (incidents.byVerdict[i.verdict] ?? 0) + 1;
        const artifact = i.artifact.kind === 'process' ? 'process' : i.artifact.path?.startsWith('pipe:') ? 'pipe' : (i.artifact.path ?? '?').replace(/\d+/g, 'N');
        incidents.byArtifact[artifact] = (incidents.byArtifact[artifact] ?? 0) + 1;
      }
      await o.inspect?.(store);
      for (const run of runs) {
        const g = await store.getRequestGraph(run.transactionId);
        if (!g || g.nodes.filter((n) => n.kind === 'activation').length !== 1) {
          summary.missing.push(run.id);
          continue;
        }
        summary.activationsStored++;
        const hello = g.nodes.filter((n) => n.kind === 'log' && (n as { text?: string }).text === `hello ${run.id}`).length;
        if (hello !== 1) summary.notOnce.push(`${run.id}: ${hello}`);
        if (kernelCapture && !g.edges.some((e) => e.source === 'kernel' && e.op === 'execve')) summary.withoutKernel.push(run.id);
      }
    } finally {
      await store.close();
    }
    return summary;
  } finally {
    await agent.stop('SIGKILL');
    await r.close();
    await dynamo.stop();
    await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What must hold after an outage; an empty list when it all does. */
export function outageProblems(s: OutageSummary): string[] {
  const p: string[] = [];
  if (s.activationsRun === 0) p.push('no activation ran');
  if (s.activationsStored !== s.activationsRun) p.push(`${s.activationsRun} activations run, ${s.activationsStored} stored (missing: ${s.missing.join(' ')})`);
  if (s.notOnce.length) p.push(`lines not stored exactly once: ${s.notOnce.join(', ')}`);
  if (s.withoutKernel.length) p.push(`activations without kernel events: ${s.withoutKernel.join(' ')}`);
  // each activation writes and reads back its own file: nothing one request leaves is used by another,
  // and the runtime's own start-up pipes (its signal lock) are not state an activation left
  const incidents = Object.entries(s.incidents.byArtifact);
  if (incidents.length) p.push(`incidents where requests share nothing: ${incidents.map(([artifact, n]) => `${n} on ${artifact}`).join(', ')}`);
  const m = s.metrics;
  if (!(m['sp_agent_batches_spooled_total'] > 0)) p.push('nothing was spooled: the outage did not bite');
  if (m['sp_agent_batches_waiting'] !== 0) p.push(`${m['sp_agent_batches_waiting']} batches still wait in the spool`);
  const attributed = m['sp_agent_kernel_events_attributed_total'];
  const accounted = m['sp_agent_kernel_events_shipped_total'] + m['sp_agent_kernel_events_reduced_total'];
  if (attributed !== accounted) p.push(`kernel events attributed ${attributed} != shipped + reduced ${accounted}`);
  // every shipped event drawn into a graph once: none lost in the spool, none ingested twice
  const stored = m['sp_agent_correlator_kernel_events_stored_total'];
  const shipped = m['sp_agent_kernel_syscalls_shipped_total'];
  if (stored !== shipped) p.push(`kernel syscalls shipped ${shipped} != stored ${stored}`);
  return p;
}

if (require.main === module) {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 60;
  if (!(seconds > 0)) {
    process.stderr.write('usage: npx tsx test/agent-outage.ts [--seconds N]\n');
    process.exit(2);
  }
  runOutage({ seconds, log: (l) => process.stderr.write(`${l}\n`) }).then(
    (s) => {
      const problems = outageProblems(s);
      process.stdout.write(`${JSON.stringify({ ...s, problems }, null, 2)}\n`);
      process.exit(problems.length ? 1 : 0);
    },
    (err) => {
      process.stderr.write(`agent-outage: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
