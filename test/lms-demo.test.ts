// Log message strings end to end on the hello-retail demo: deployed with the real Serverless CLI (the plugin
// analyses every function and stores its profile), driven by the demo's traffic on the embedded
// platform, ingested by the correlator. Every log line of the demo must be stored as template +
// values and read back byte for byte; the restock batch must show one unit per delivery line, and a
// trace from one line's DynamoDB item must follow only its unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvenanceStore } from '../store/types';
import { ingestBatch } from '../correlator/index';
import { classifyLine } from '../correlator/ingest/classify';
import type { Batch } from '../protocol/batch';
import { demoPlan, driveTraffic, newRunId, RESTOCK_LINES, type StepOutcome } from '../examples/hello-retail/traffic';
import { nodeIds } from '../upg/ids';
import { indexGraph } from '../upg/graph';
import { causalWalk } from '../upg/causal-walk';
import type { ActivationNode, LogNode, RequestGraph } from '../upg/types';
import { unitNodeId } from '../correlator/lms/stage';
import { startHelloRetail, type HelloRetail } from './hello-retail-harness';

let shop: HelloRetail | undefined;
let store: ProvenanceStore;
let outcomes: StepOutcome[];
const batches: Batch[] = [];

beforeAll(async () => {
  shop = await startHelloRetail({
    prefix: 'lms-demo-',
    sink: ({ store }) => async (batch) => {
      batches.push(batch);
      await ingestBatch(batch, store);
    },
  });
  store = shop.store;
  outcomes = await driveTraffic(shop.access, demoPlan(), newRunId());
  await shop.platform.flush();
}, 300_000);

afterAll(async () => {
  await shop?.stop();
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
