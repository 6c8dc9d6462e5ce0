// Issue 5 end to end on the hello-retail demo: deployed with the real Serverless CLI (the plugin
// analyses every function and stores its profile), driven by the demo's traffic on the embedded
// platform, ingested by the correlator. Every log line of the demo must be stored as template +
// values and read back byte for byte; the restock batch must show one unit per delivery line, and a
// trace from one line's DynamoDB item must follow only its unit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo, type LocalDynamo } from '../store/local';
import { openStore } from '../store/index';
import type { ProvenanceStore } from '../store/types';
import { startPlatform, writePlatformInfo, removePlatformInfo } from '../invokers/local/index';
import { packageRoot } from '../invokers/local/package-root';
import { ingestBatch } from '../correlator/index';
import { classifyLine } from '../correlator/classify';
import type { Batch } from '../correlator/types';
import { setupShop } from '../examples/hello-retail/setup';
import { startCardProcessor } from '../examples/hello-retail/card-processor';
import { startWebhookReceiver } from '../examples/hello-retail/webhook-receiver';
import { deployWithServerless } from '../examples/hello-retail/deploy';
import { demoPlan, driveTraffic, newRunId, RESTOCK_LINES, type StepOutcome } from '../examples/hello-retail/traffic';
import { nodeIds } from '../upg/ids';
import { indexGraph } from '../upg/graph';
import { causalWalk } from '../upg/causal-walk';
import type { ActivationNode, LogNode, RequestGraph } from '../upg/types';
import { unitNodeId } from '../correlator/lms-stage';

const REGION = 'us-east-1';
const CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };
const stops: Array<() => unknown> = [];
let storeDir: string;
let store: ProvenanceStore;
let outcomes: StepOutcome[];
const batches: Batch[] = [];

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'lms-demo-'));
  const dynamo: LocalDynamo = await startLocalDynamo(storeDir);
  stops.push(() => dynamo.stop());
  store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: REGION }, { create: true });
  stops.push(() => store.close());
  const processor = await startCardProcessor();
  stops.push(() => processor.stop());
  const webhook = await startWebhookReceiver();
  stops.push(() => webhook.stop());
  const platform = await startPlatform({
    storeDir,
    containerEnv: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    onBatch: async (batch) => {
      batches.push(batch);
      await ingestBatch(batch, store);
    },
    log: () => undefined,
  });
  stops.push(() => platform.stop());
  // the plugin finds the store (and so where to put the profiles) through platform.json, as in the demo
  writePlatformInfo(storeDir, { pid: process.pid, apihost: platform.apihost, auth: platform.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: platform.namespace });
  stops.push(() => removePlatformInfo(storeDir));
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDS });
  stops.push(() => client.destroy());
  await setupShop(client);
  await deployWithServerless({
    serviceDir: resolve(__dirname, '..', 'examples', 'hello-retail'),
    packageRoot: packageRoot(),
    apihost: platform.apihost,
    auth: platform.auth,
    env: { CARD_PROCESSOR_URL: processor.url, PURCHASE_WEBHOOK_URL: webhook.url, PROVENANCE_STORE: storeDir },
  });
  outcomes = await driveTraffic({ apihost: platform.apihost, auth: platform.auth, actionPrefix: 'hello-retail-dev-' }, demoPlan(), newRunId());
  await platform.flush();
}, 300_000);

afterAll(async () => {
  while (stops.length) {
    try {
      await stops.pop()!();
    } catch {
      // keep stopping the rest
    }
  }
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
}, 60_000);

async function graphOf(requestId: string): Promise<RequestGraph> {
  const g = await store.getRequestGraph(requestId);
  expect(g, requestId).toBeDefined();
  return g!;
}

describe('the demo\u2019s logs as LMS templates', () => {
  it('ran the whole plan', () => {
    expect(outcomes.filter((o) => !o.ok).map((o) => o.step.label)).toEqual([]);
  });

  it('stores every log line of the demo as template + values, and reads it back byte for byte', async () => {
    const printed = new Map<string, { text: string; request: string }>();
    for (const b of batches) {
      for (const l of b.lines) {
        const cls = classifyLine(l.line);
        if (cls.kind === 'log') printed.set(nodeIds.log(cls.activationId, l.stream, l.seq), { text: cls.text, request: cls.requestId });
      }
    }
    expect(printed.size).toBeGreaterThan(20);
    const graphs = new Map<string, RequestGraph>();
    for (const o of outcomes) graphs.set(o.requestId, await graphOf(o.requestId));
    let checked = 0;
    for (const [id, { text, request }] of printed) {
      const node = graphs.get(request)?.nodes.find((n): n is LogNode => n.id === id && n.kind === 'log');
      expect(node, `${id}: ${text}`).toBeDefined();
      expect(node!.template, `${id}: no template matched ${JSON.stringify(text)}`).toBeDefined();
      expect(node!.text).toBe(text);
      checked++;
    }
    expect(checked).toBe(printed.size);
    for (const g of graphs.values()) {
      for (const a of g.nodes.filter((n): n is ActivationNode => n.kind === 'activation')) {
        expect(a.profile, a.action).toMatch(/^lp[0-9a-f]{24}$/);
        expect(a.deviations, `${a.action}: ${JSON.stringify(a.deviations)}`).toBeUndefined();
        expect(a.unmatched ?? 0).toBe(0);
      }
      expect((g.warnings ?? []).filter((w) => w.code.startsWith('lms-') || w.code === 'log-text-lost')).toEqual([]);
    }
  });

  it('splits the restock delivery into one unit per line; a time-respecting trace from one line\u2019s item follows only its unit', async () => {
    const restock = outcomes.find((o) => o.step.kind === 'restock')!;
    const g = await graphOf(restock.requestId);
    const act = g.nodes.find((n): n is ActivationNode => n.kind === 'activation')!;
    const units = g.nodes.filter((n) => n.kind === 'unit').map((n) => n.id).sort();
    expect(units).toEqual(RESTOCK_LINES.map((_, i) => unitNodeId(act.activationId, i)));
    const index = indexGraph(g);
    RESTOCK_LINES.forEach((line, i) => {
      const item = nodeIds.item('hello-retail-products', { id: line.productId });
      expect(g.edges.filter((e) => e.from === item && e.kind === 'wasGeneratedBy').map((e) => e.to)).toEqual([unitNodeId(act.activationId, i)]);
      const reached = causalWalk(index, item, 'backward').steps.map((s) => s.node.id);
      expect(reached).toContain(act.id);
      expect(reached.filter((id) => id.startsWith('unit:'))).toEqual([unitNodeId(act.activationId, i)]);
      expect(reached.filter((id) => id.startsWith('item:'))).toEqual([item]);
    });
  });
});
