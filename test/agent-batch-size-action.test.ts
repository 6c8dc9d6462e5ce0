// A batch over the correlator action's 1 MB parameter limit: the agent (with a byte budget set
// above the limit, so that such a batch is cut) ships to the bundled correlator deployed as an
// action on the embedded platform, which answers 413 as OpenWhisk does; the agent splits the batch
// under new numbers until each part passes, and every log line of the activation reaches the store.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../invokers/agent/agent';
import { actionSink } from '../invokers/agent/daemon/sinks';
import { startPlatform, type Platform } from '../invokers/local/index';
import { openStore, startLocalDynamo, type LocalDynamo } from '../store/index';
import { needBuild, ROOT } from './agent-harness';
import { ActivationWriter, ContainerOutput } from './batch-builder';

const TABLE = 'agent-batch-size-test';
const BUNDLE = path.join(ROOT, 'dist', 'correlator', 'bundle.js');
const LINES = 1_500;

describe('a batch too large for the correlator action', () => {
  let dynamo: LocalDynamo;
  let platform: Platform;
  let work: string;

  beforeAll(async () => {
    needBuild();
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-batch-size-'));
    dynamo = await startLocalDynamo(path.join(work, 'store'));
    await (await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' }, { create: true })).close();
    platform = await startPlatform({ storeDir: path.join(work, 'platform'), idleTimeoutMs: 60_000, kernelCapture: false, log: () => undefined });
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await dynamo?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('is split until each part passes, under new numbers, and nothing is lost', async () => {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    await ow.actions.update({ name: 'provenance-correlator', action: fs.readFileSync(BUNDLE, 'utf8'), kind: 'nodejs:20', params: { table: TABLE, endpoint: dynamo.endpoint, region: 'us-east-1' } } as never);

    // one activation writing 1500 lines of 1 KB: about 1.6 MB of batch JSON
    const w = new ActivationWriter('act-big-1', 'req-big-1', 'cd'.repeat(16));
    const c = new ContainerOutput({ container: 'c-big', invoker: 'invoker0', action: '/guest/big', started: 1 });
    let t = Date.now();
    c.write(w.begin(t, { act: '/guest/big', ns: 'guest', pid: 7, host: 'c-big', cold: true }), t++);
    for (let i = 0; i < LINES; i++) c.write(w.log(`row ${i} `.padEnd(1_000, 'x')), t++);
    c.write(w.record({ t: 'end', ok: true, dur: 5 }, t), t++);
    c.sentinel(t);

    const logs: string[] = [];
    const sink = actionSink({ apihost: platform.apihost, auth: platform.auth, action: 'provenance-correlator', log: (l) => logs.push(l) });
    // a budget above the platform's limit (as an old configuration would have): the sink gets 413
    const agent = Agent.open({ invoker: 'invoker0', spoolDir: path.join(work, 'spool'), sink, maxBatchBytes: 4 * 1024 * 1024, maxLines: 100_000, retryInitialMs: 100, log: (l) => logs.push(l) });
    agent.container(c.info);
    for (const l of c.lines) agent.line(l);
    agent.activationEnded();
    await agent.close();

    expect(logs.join('\n')).toMatch(/batch invoker0#1 is too large for the correlator \(the correlator action provenance-correlator refused it: .*larger than allowed.*\); sent in two, as #2 and #3/);
    const stats = agent.getStats();
    expect(stats).toMatchObject({ spooled: 0, waitingOnDisk: 0, lost: 0 });
    expect(stats.delivered).toBeGreaterThanOrEqual(2);

    const store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
    try {
      const g = await store.getRequestGraph('req-big-1');
      const rows = (g?.nodes ?? []).filter((n) => n.kind === 'log').map((n) => Number(/^row (\d+) /.exec((n as { text?: string }).text ?? '')?.[1]));
      expect(rows.sort((a, b) => a - b)).toEqual(Array.from({ length: LINES }, (_, i) => i));
      expect(g?.nodes.find((n) => n.kind === 'activation')).toMatchObject({ activationId: 'act-big-1', ok: true });
    } finally {
      await store.close();
    }
  }, 120_000);
});
