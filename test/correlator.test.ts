// The correlator against a real store: dynalite on 127.0.0.1 in a temp dir. Ingesting is
// idempotent, batches cut anywhere join, shared entities join requests, and the correlator action
// (as source and as the deployed bundle, run in its own process) validates and ingests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../package/root';
import { ingestBatch } from '../correlator/index';
import { closeStores, main } from '../correlator/handler';
import { isRefusal } from '../protocol/correlator-action';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import type { Batch, ContainerInfo } from '../protocol/batch';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { nodeIds } from '../upg/ids';
import { renderJson } from '../upg/render/json';
import { renderTree } from '../upg/render/tree';
import type { RequestGraph } from '../upg/types';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'correlator-test';
const INVOKER = 'inv0';
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const key = (c: string) => c.repeat(32);
const info = (container: string, action: string): ContainerInfo => ({ container, invoker: INVOKER, action, started: T0 - 1000 });

/** purchase (c1) invokes get-price (c2), which writes a cache file in its container's /tmp. */
function purchase(request: string, t: number, names: { P: string; G: string }, cold: boolean) {
  const P = new ActivationWriter(names.P, request, key('1'));
  const G = new ActivationWriter(names.G, request, key('2'));
  const c1 = new ContainerOutput(info('c1', '/_/purchase'));
  const c2 = new ContainerOutput(info('c2', '/_/get-price'));
  c1.write(P.begin(t, { act: '/_/purchase', ns: '_', pid: 11, host: 'c1', cold }), t)
    .write(P.log(`purchase ${request}`), t + 1)
    .write(P.record({ t: 'ddb', op: 'GetItem', table: 'products', key: { id: 'p1' } }, t + 2), t + 2);
  c2.write(G.begin(t + 5, { act: '/_/get-price', ns: '_', pid: 21, host: 'c2', cold }), t + 5)
    .write(G.record({ t: 'fs', op: cold ? 'write' : 'read', path: '/tmp/price-cache.json', n: 12 }, t + 6), t + 6)
    .write('plain line from get-price', t + 7)
    .write(G.record({ t: 'end', ok: true, dur: 4 }, t + 9), t + 9)
    .sentinel(t + 10);
  c1.write(P.record({ t: 'invoke', to: 'get-price', child: names.G, blocking: true }, t + 11), t + 11)
    .write(P.record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:9999/charge', host: '127.0.0.1', port: 9999, status: 201 }, t + 12), t + 12)
    .write(P.record({ t: 'end', ok: true, dur: 20 }, t + 20), t + 20)
    .sentinel(t + 21);
  return { c1, c2, lines: [...c1.lines, ...c2.lines] };
}

let root: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'prov-correlator-test-'));
  dynamo = await startLocalDynamo(root);
  store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
});

afterAll(async () => {
  await closeStores();
  await store?.close();
  await dynamo?.stop();
  rmSync(root, { recursive: true, force: true });
});

const stable = (g: RequestGraph | undefined) => (g ? JSON.parse(renderJson(g)) : g);

describe('ingestBatch with a real store', () => {
  it('stores the request graph, and ingesting the same batch again changes nothing', async () => {
    const s = purchase('req-a', T0, { P: 'a-P', G: 'a-G' }, true);
    const batch = makeBatch(INVOKER, 1, [s.c1, s.c2]);
    const first = await ingestBatch(batch, store);
    expect(first).toEqual({ requests: ['req-a'], records: 8, logLines: 2, rejected: {}, unattributed: 0 });
    const stored = await store.getRequestGraph('req-a');
    expect(stored).toBeDefined();
    const second = await ingestBatch(batch, store);
    expect(second).toEqual(first);
    expect(stable(await store.getRequestGraph('req-a'))).toEqual(stable(stored));

    const g = stored!;
    const act = g.nodes.find((n) => n.kind === 'activation' && n.activationId === 'a-G');
    expect(act).toMatchObject({ action: '/_/get-price', container: nodeIds.container(INVOKER, 'c2'), parent: 'a-P', start: T0 + 5, end: T0 + 9 });
    expect(g.edges.some((e) => e.kind === 'wasStartedBy' && e.from === 'act:a-G' && e.to === 'act:a-P')).toBe(true);
    const metas = await store.getActivationMeta(['a-P', 'a-G']);
    expect(metas.get('a-P')).toMatchObject({ requestId: 'req-a', key: key('1'), nextSeq: 5 });
  });

  it('joins an activation whose records arrive in two batches, the child before its parent\'s invoke', async () => {
    const s = purchase('req-b', T0 + 60_000, { P: 'b-P', G: 'b-G' }, false);
    // get-price's container first (its activation ended first), then all of purchase: the request's
    // start and entry must still come out as purchase's, whichever batch told them.
    const b1: Batch = makeBatch(INVOKER, 2, [s.c2]);
    const b2: Batch = makeBatch(INVOKER, 3, [s.c1]);
    const r1 = await ingestBatch(b1, store);
    const r2 = await ingestBatch(b2, store);
    expect([r1.rejected, r2.rejected]).toEqual([{}, {}]);
    const g = (await store.getRequestGraph('req-b'))!;
    expect(g.edges.some((e) => e.kind === 'wasStartedBy' && e.from === 'act:b-G' && e.to === 'act:b-P')).toBe(true);
    expect(g.nodes.find((n) => n.kind === 'request')).toMatchObject({ start: T0 + 60_000, end: T0 + 60_020, entry: '/_/purchase' });
    const tree = renderTree(g);
    expect(tree).toMatch(/└─ purchase {2}b-P {2}container c1 {2}20 ms {2}warm {2}ok/);
    expect(tree).toMatch(/└─ get-price {2}b-G {2}container c2/);
    expect(tree).toContain('127.0.0.1:9999 http://127.0.0.1:9999/charge  http:POST, http:POST:201');
  });

  it('joins requests on a file left in a container\'s /tmp (the same id in both graphs)', async () => {
    const file = nodeIds.file(INVOKER, 'c2', '/tmp/price-cache.json');
    const history = await store.entityHistory(file);
    const byRequest = history.map((e) => [e.request, e.kind, e.op]);
    expect(byRequest).toEqual([
      ['req-a', 'wasGeneratedBy', 'write'],
      ['req-b', 'used', 'read'],
    ]);
    const activations = await store.containerActivations(nodeIds.container(INVOKER, 'c2'));
    expect(activations.map((a) => a.activationId)).toEqual(['a-G', 'b-G']);
  });

  it('keeps refused records visible on the request they claimed', async () => {
    const W = new ActivationWriter('c-W', 'req-c', key('4'));
    const forger = new ActivationWriter('c-W', 'req-c', key('e'));
    const c = new ContainerOutput(info('c3', '/_/worker'));
    forger.skip(1);
    c.write(W.begin(T0 + 120_000, { act: '/_/worker', ns: '_', pid: 5, host: 'c3', cold: true }), T0 + 120_000)
      .write(forger.record({ t: 'fs', op: 'write', path: '/tmp/planted' }, T0 + 120_001), T0 + 120_001)
      .write(W.record({ t: 'end', ok: true, dur: 2 }, T0 + 120_002), T0 + 120_002);
    const r = await ingestBatch(makeBatch(INVOKER, 4, [c]), store);
    expect(r.rejected).toEqual({ 'bad-mac': 1 });
    const g = (await store.getRequestGraph('req-c'))!;
    expect(g.warnings?.map((w) => [w.code, w.activationId])).toEqual([['bad-mac', 'c-W']]);
    expect(g.nodes.some((n) => n.kind === 'file')).toBe(false);
  });
});

describe('the correlator action', () => {
  it('ingests {batch} and {batches} with the store location from its parameters', async () => {
    const s = purchase('req-d', T0 + 180_000, { P: 'd-P', G: 'd-G' }, true);
    const params = { endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' };
    const one = await main({ ...params, batch: makeBatch(INVOKER, 5, [s.c1, s.c2]) }, {});
    expect(one).toEqual({ ok: true, results: [expect.objectContaining({ requests: ['req-d'], records: 8 })] });
    const many = await main({ batches: [makeBatch(INVOKER, 5, [s.c1, s.c2]), makeBatch(INVOKER, 6, [s.c1], [])] }, { PROVENANCE_DYNAMODB_ENDPOINT: dynamo.endpoint, PROVENANCE_TABLE: TABLE });
    expect('results' in many && many.results.map((r) => r.requests)).toEqual([['req-d'], []]);
  });

  // refused: the batch itself is wrong (never retried); the rest are faults the agent's spool outlasts
  const bad: Array<[string, Record<string, unknown>, RegExp, boolean]> = [
    ['no batch', {}, /pass exactly one of \{batch: Batch\} or \{batches: Batch\[\]\}/, true],
    ['both', { batch: {}, batches: [] }, /pass exactly one of/, true],
    ['wrong version', { batch: { v: 2 } }, /batch\.v is 2; this correlator reads batch version 1/, false],
    ['a bad line', { batches: [{ v: 1, invoker: 'i', batch: 0, containers: [], lines: [{ container: 'c', stream: 'out', time: 1, line: '', seq: 0 }] }] }, /batches\[0\]\.lines\[0\]\.stream must be "stdout" or "stderr"/, true],
    ['no store location', { batch: { v: 1, invoker: 'i', batch: 0, containers: [], lines: [] } }, /no DynamoDB to write to: set the endpoint parameter/, false],
    ['a bad endpoint', { endpoint: 'not a url', batch: { v: 1, invoker: 'i', batch: 0, containers: [], lines: [] } }, /endpoint "not a url" is not a URL/, false],
  ];
  it.each(bad)('answers {error} for %s (refused: %s)', async (_name, params, message, refused) => {
    const r = await main(params, {});
    expect('error' in r && r.error).toMatch(message);
    expect(isRefusal(r)).toBe(refused);
  });

  it('answers {error} quickly when the store is unreachable', async () => {
    const started = Date.now();
    const r = await main({ endpoint: 'http://127.0.0.1:9', table: TABLE, batch: makeBatch(INVOKER, 1, []) }, {});
    expect('error' in r && r.error).toMatch(/correlator could not ingest into correlator-test at http:\/\/127\.0\.0\.1:9/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('runs as the deployed bundle in its own process, without dynalite', async () => {
    const pkg = packageRoot();
    execFileSync(process.execPath, [join(pkg, 'scripts/bundle.mjs')], { cwd: pkg, stdio: 'pipe' });
    const bundle = join(pkg, 'dist/correlator/bundle.js');
    expect(readFileSync(bundle, 'utf8')).not.toContain('require("dynalite")');
    const s = purchase('req-e', T0 + 240_000, { P: 'e-P', G: 'e-G' }, true);
    const params = { endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1', batch: makeBatch(INVOKER, 7, [s.c1, s.c2]) };
    const script = `require(${JSON.stringify(bundle)}).main(JSON.parse(process.argv[1])).then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); })`;
    // Outside the package, so nothing resolves from its node_modules: the bundle must be self-contained.
    // Asynchronously: the dynalite it writes to is served by this very process.
    const run = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(params)], {
      cwd: tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, results: [expect.objectContaining({ requests: ['req-e'], records: 8, rejected: {} })] });
  });
});
