// `provenance trace <reqId> --direction …` and `provenance lineage` as a user runs them: the built
// bin (run `npm run build` first; `npm test` does) as a child process, against a real store (dynalite
// on 127.0.0.1) filled by ingesting signed wrapper batches through the correlator, with the real
// restock action's LMS profile. A trace from one delivery line's item or log line shows only that
// line's unit (the DynamoDB socket every unit shares does not join them); a trace forward from a
// file planted in a warm container's /tmp reaches the later request that loaded it, not an earlier one.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAction } from '../lms/analyze';
import { profileHash } from '../lms/profile-hash';
import { ingestBatch } from '../correlator/index';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import { unitNodeId } from '../correlator/lms/stage';
import type { Batch } from '../protocol/batch';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { nodeIds } from '../upg/ids';
import type { UpgNode } from '../upg/types';
import { runNode, type Run } from './run-node';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'provenance.js');
const TABLE = 'trace-walk-test';
const INVOKER = 'inv0';
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const PRODUCTS = ['shoe-trail-runner', 'hat-wool-beanie', 'coat-storm-shell'];
const PRODUCTS_TABLE = 'hello-retail-products';
const RESTOCK = resolve(repo, 'examples', 'hello-retail', 'actions', 'restock.js');
const profile = analyzeAction(RESTOCK);
const LP = profileHash(profile);
const PLANTED = nodeIds.file(INVOKER, 'c9', '/tmp/.hook.js');

/** The restock action's output for one delivery, as the wrapper writes it: one unit per line, one DynamoDB endpoint. */
function restockBatch(): Batch {
  const w = new ActivationWriter('act-restock', 'req-restock', 'ab'.repeat(16));
  const c = new ContainerOutput({ container: 'c5', invoker: INVOKER, action: '/_/restock', started: T0 - 1000 });
  let t = T0;
  c.write(w.begin(t, { act: '/_/restock', ns: '_', pid: 7, host: 'c5', cold: true, lp: LP }), t++);
  c.write(w.log(format('delivery %s: %d line(s)', 'd-1', PRODUCTS.length)), t++);
  PRODUCTS.forEach((p, i) => {
    c.write(w.log(`restocking ${p} by ${i + 2}`), t++);
    c.write(w.record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:4567/', host: '127.0.0.1', port: 4567, status: 200 }, t), t++);
    c.write(w.record({ t: 'ddb', op: 'UpdateItem', table: PRODUCTS_TABLE, key: { id: p } }, t), t++);
    c.write(w.log(`restocked ${p}: stock now ${10 * (i + 1)}`), t++);
  });
  c.write(w.log(`delivery d-1 done: ${PRODUCTS.length} product(s) restocked`), t++);
  c.write(w.record({ t: 'end', ok: true, dur: 20 }, t), t++);
  c.sentinel(t);
  return makeBatch(INVOKER, 1, [c]);
}

/** One purchase activation in warm container c9: `early` reads /tmp/.hook.js, `plant` writes it, `victim` loads it and sends out. */
function purchaseBatch(n: number, role: 'early' | 'plant' | 'victim'): Batch {
  const t = T0 + n * 10_000;
  const w = new ActivationWriter(`act-${role}`, `req-${role}`, String(n).repeat(32).slice(0, 32));
  const c = new ContainerOutput({ container: 'c9', invoker: INVOKER, action: '/_/purchase', started: T0 - 1000 });
  c.write(w.begin(t, { act: '/_/purchase', ns: '_', pid: 11, host: 'c9', cold: role === 'early' }), t);
  c.write(w.record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:4567/', host: '127.0.0.1', port: 4567, status: 200 }, t + 1), t + 1);
  if (role === 'early') c.write(w.record({ t: 'fs', op: 'read', path: '/tmp/.hook.js' }, t + 2), t + 2);
  if (role === 'plant') c.write(w.record({ t: 'fs', op: 'write', path: '/tmp/.hook.js', n: 300 }, t + 2), t + 2);
  if (role === 'victim') {
    c.write(w.record({ t: 'fs', op: 'load', path: '/tmp/.hook.js' }, t + 2), t + 2);
    c.write(w.record({ t: 'http', method: 'POST', url: 'http://127.0.0.66/collect', host: '127.0.0.66', port: 80, status: 200 }, t + 3), t + 3);
  }
  c.write(w.record({ t: 'end', ok: true, dur: 5 }, t + 5), t + 5).sentinel(t + 6);
  return makeBatch(INVOKER, 10 + n, [c]);
}

let root: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;

/** Runs the bin without blocking this process (which serves the DynamoDB the child reads). */
function runCli(args: string[]): Promise<Run> {
  return runNode([bin, ...args, '--endpoint', dynamo.endpoint, '--table', TABLE, '--region', 'us-east-1'], { cwd: root });
}

interface TraceJson {
  requests: string[];
  nodes: UpgNode[];
  edges: Array<{ from: string; to: string; kind: string; request: string }>;
  truncated: boolean;
}

async function traceJson(args: string[]): Promise<TraceJson & { ids: string[] }> {
  const run = await runCli([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as TraceJson;
  return { ...result, ids: result.nodes.map((n) => n.id) };
}

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'cli', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` before this test (npm test does)');
  root = mkdtempSync(join(tmpdir(), 'prov-trace-walk-'));
  dynamo = await startLocalDynamo(root);
  store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' }, { create: true });
  await store.putProfiles(new Map([[LP, profile]]));
  for (const batch of [restockBatch(), purchaseBatch(1, 'early'), purchaseBatch(2, 'plant'), purchaseBatch(3, 'victim')]) {
    await ingestBatch(batch, store, { detection: false });
  }
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dynamo?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('provenance trace --direction back from one record of a batch', () => {
  const act = nodeIds.activation('act-restock');
  const units = PRODUCTS.map((_, i) => unitNodeId('act-restock', i));
  const items = PRODUCTS.map((p) => nodeIds.item(PRODUCTS_TABLE, { id: p }));

  it('the store holds one unit per line, all sharing the DynamoDB socket (what a blind walk would explode through)', async () => {
    const g = (await store.getRequestGraph('req-restock'))!;
    expect(g.nodes.filter((n) => n.kind === 'unit').map((n) => n.id).sort()).toEqual([...units].sort());
    const sock = nodeIds.socket('tcp', '127.0.0.1', 4567);
    const touching = new Set(g.edges.filter((e) => e.from === sock || e.to === sock).map((e) => (e.from === sock ? e.to : e.from)));
    expect(touching).toEqual(new Set(units));
  });

  PRODUCTS.forEach((product, i) => {
    it(`from ${product}'s item: only unit ${i}, its activation and request`, async () => {
      const r = await traceJson(['trace', 'req-restock', '--direction', 'back', '--from', items[i]]);
      expect(r.ids).toEqual(expect.arrayContaining([items[i], units[i], act, nodeIds.request('req-restock')]));
      for (const other of [0, 1, 2].filter((j) => j !== i)) {
        expect(r.ids).not.toContain(units[other]);
        expect(r.ids).not.toContain(items[other]);
      }
      expect(r.ids.filter((id) => id.startsWith('log:'))).toEqual([]);
      expect(r.requests).toEqual(['req-restock']);
    });
  });

  it('from one line\u2019s log line: its unit, not the others (text output names the unit)', async () => {
    const g = (await store.getRequestGraph('req-restock'))!;
    const line = g.edges.find((e) => e.to === units[1] && e.kind === 'wasGeneratedBy' && e.from.startsWith('log:'))!.from;
    const r = await traceJson(['trace', 'req-restock', '--direction', 'back', '--from', line]);
    expect(r.ids).toEqual(expect.arrayContaining([line, units[1], act]));
    expect(r.ids).not.toContain(units[0]);
    expect(r.ids).not.toContain(units[2]);
    const text = await runCli(['trace', 'req-restock', '--direction', 'back', '--from', line]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/causes \(backward\):/);
    expect(text.stdout).toMatch(/<- unit unit 1 /);
    expect(text.stdout).not.toMatch(/unit unit [02] /);
  });
});

describe('provenance trace across requests through a file in a warm container', () => {
  it('forward from the planted file reaches the later request that loaded it, and its send outside', async () => {
    const r = await traceJson(['trace', 'req-plant', '--direction', 'forward', '--from', PLANTED]);
    expect(r.requests).toContain('req-victim');
    expect(r.ids).toEqual(expect.arrayContaining([nodeIds.activation('act-victim'), nodeIds.socket('tcp', '127.0.0.66', 80)]));
  });

  it('forward from the planting activation: the later loader, not the earlier reader, and not through the shared socket', async () => {
    const r = await traceJson(['trace', 'req-plant', '--direction', 'forward', '--from', nodeIds.activation('act-plant')]);
    expect(r.requests).toEqual(['req-plant', 'req-victim']);
    expect(r.ids).toContain(nodeIds.activation('act-victim'));
    expect(r.ids).not.toContain(nodeIds.activation('act-early'));
  });

  it('back from the victim request: the planter, not the earlier reader, nor the restock that shares the socket', async () => {
    const r = await traceJson(['trace', 'req-victim', '--direction', 'back']);
    expect(r.requests).toEqual(['req-victim', 'req-plant']);
    expect(r.ids).toEqual(expect.arrayContaining([PLANTED, nodeIds.activation('act-plant')]));
    expect(r.ids).not.toContain(nodeIds.activation('act-early'));
    expect(r.ids).not.toContain(nodeIds.activation('act-restock'));
  });

  it('lineage of the file: its history, and a trace both ways that respects time', async () => {
    const run = await runCli(['lineage', PLANTED, '--json', '--depth', '4']);
    expect(run.code).toBe(0);
    const l = JSON.parse(run.stdout) as { history: Array<{ request: string; op: string }>; trace: TraceJson };
    expect(l.history.map((h) => [h.request, h.op])).toEqual([
      ['req-early', 'read'],
      ['req-plant', 'write'],
      ['req-victim', 'load'],
    ]);
    const ids = l.trace.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining([nodeIds.activation('act-plant'), nodeIds.activation('act-victim')]));
  });

  it('a --from that is not in the request is a usage error naming where ids are', async () => {
    const run = await runCli(['trace', 'req-plant', '--direction', 'back', '--from', 'item:nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no node item:nope in request req-plant/);
  });
});
