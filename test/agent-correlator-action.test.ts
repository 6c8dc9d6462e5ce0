// `provenance agent` shipping to the deployed correlator action through the OpenWhisk API (the
// embedded platform here, with the bundled correlator created as an action). While the action
// cannot reach its DynamoDB it answers with an error: the agent counts, spools and retries, and once
// the action works again every batch arrives and the activation's graph is stored.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../invokers/local/index';
import { openStore, startLocalDynamo, type LocalDynamo } from '../store/index';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { needBuild, ROOT, scrape, startActionContainer, metricsUrlOf, startAgent, wrappedArtifact, type AgentProcess } from './agent-harness';
import { until } from './wait';
import { describeNeeding } from './prerequisites';

const TABLE = 'agent-action-test';
const BUNDLE = path.join(ROOT, 'dist', 'correlator', 'bundle.js');

describeNeeding(process.getuid?.() === 0 ? null : 'dockerd needs root')('provenance agent to the correlator action', () => {
  let d: PrivateDockerd;
  let dynamo: LocalDynamo;
  let platform: Platform;
  let work: string;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    needBuild();
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-action-'));
    d = await startDockerd();
    dynamo = await startLocalDynamo(path.join(work, 'store'));
    // the table exists before the action writes to it
    await (await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' }, { create: true })).close();
    platform = await startPlatform({ storeDir: path.join(work, 'platform'), idleTimeoutMs: 60_000, kernelCapture: false, log: () => undefined });
  });

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await platform?.stop();
    await dynamo?.stop();
    await d?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('spools while the action fails, then delivers everything to it', async () => {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const deploy = (endpoint: string) =>
      ow.actions.update({ name: 'provenance-correlator', action: fs.readFileSync(BUNDLE, 'utf8'), kind: 'nodejs:20', params: { table: TABLE, endpoint, region: 'us-east-1' } } as never);
    // first the action points at a DynamoDB that is not there: every batch fails
    await deploy('http://127.0.0.1:1');

    agent = startAgent([
      '--docker-host', `unix://${d.socket}`,
      '--apihost', platform.apihost,
      '--auth', platform.auth,
      '--correlator-action', 'provenance-correlator',
      '--state-dir', path.join(work, 'agent'),
      '--invoker', 'invoker0',
      '--no-kernel',
      '--metrics', '127.0.0.1:0',
      '--batch-ms', '100',
    ]);
    const metricsUrl = await metricsUrlOf(agent);
    const c = await startActionContainer(d, 'wsk0_1_prewarm_nodejs20');
    await c.init(wrappedArtifact("exports.main = async (p) => { console.log('hello ' + p.id); return { id: p.id }; };"));
    const run = await c.run({ id: 'x1' });
    await until('a batch spooled', async () => ((await scrape(metricsUrl))['sp_agent_batches_spooled_total'] > 0 ? true : undefined), 60_000, 300);
    expect(agent.log()).toMatch(/delivering batch invoker0#\d+ failed \(the correlator action provenance-correlator failed: correlator could not ingest/);

    // the action is fixed: the spool drains, in order
    await deploy(dynamo.endpoint);
    await until('the spool to drain', async () => ((await scrape(metricsUrl))['sp_agent_batches_waiting'] === 0 ? true : undefined), 90_000, 500);
    expect(await agent.stop('SIGTERM')).toBe(0);

    const store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
    try {
      const g = await store.getRequestGraph(run.transactionId);
      expect(g?.nodes.find((n) => n.kind === 'activation')).toMatchObject({ action: '/guest/hello' });
      expect(g?.nodes.filter((n) => n.kind === 'log' && (n as { text?: string }).text === 'hello x1')).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
