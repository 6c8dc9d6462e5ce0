// The store against real DynamoDBs on 127.0.0.1 — dynalite and AWS's DynamoDB Local, every case on
// both: idempotent writes, merging of fragments, the three indexes, listing by time; then, on
// dynalite's store dirs, persistence across a restart and the errors a user sees.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ActivationNode, GraphFragment, UpgEdge, UpgNode } from '../upg/types';
import { ensureTable, openStore, startLocalDynamo, StoreError, type ProvenanceStore } from '../store/index';
import { describeNeeding } from './prerequisites';
import { STORE_BACKENDS } from './store-backends';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 3, 12, 0, 0);
const root = mkdtempSync(join(tmpdir(), 'prov-store-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
const freshDir = () => join(root, `s${++dirCount}`);

const activation = (id: string, request: string, container: string, fields: Partial<ActivationNode> = {}): ActivationNode => ({
  id: `act:${id}`,
  kind: 'activation',
  activationId: id,
  requestId: request,
  action: fields.action ?? '/_/purchase',
  container,
  ...fields,
});

/** A purchase that calls get-price, writes a cache file in its container's /tmp and reads a DynamoDB item. */
function purchaseFragment(request: string, start: number): GraphFragment {
  const ctr = 'ctr:inv0/c1';
  const nodes: UpgNode[] = [
    { id: `req:${request}`, kind: 'request', requestId: request, start },
    activation(`${request}-a`, request, ctr, { start, end: start + 40, cold: true, ok: true }),
    activation(`${request}-b`, request, 'ctr:inv0/c2', { action: '/_/get-price', start: start + 5, end: start + 15, parent: `${request}-a` }),
    { id: ctr, kind: 'container', containerId: 'c1', action: '/_/purchase', invoker: 'inv0' },
    { id: 'file:inv0/c1:/tmp/cache', kind: 'file', path: '/tmp/cache', container: ctr },
    { id: 'item:Products:p1', kind: 'item', table: 'Products', key: { id: 'p1' } },
    { id: `log:${request}-a:1`, kind: 'log', activationId: `${request}-a`, stream: 'stdout', seq: 1, text: 'buying p1', time: start + 2 },
  ];
  const edges: UpgEdge[] = [
    { id: `${request}-e1`, from: `act:${request}-a`, to: ctr, kind: 'wasAssociatedWith', time: start },
    { id: `${request}-e2`, from: 'file:inv0/c1:/tmp/cache', to: `act:${request}-a`, kind: 'wasGeneratedBy', op: 'write', time: start + 20, bytes: 12, count: 2 },
    { id: `${request}-e3`, from: `act:${request}-a`, to: 'item:Products:p1', kind: 'used', op: 'GetItem', time: start + 3, source: 'wrapper' },
    { id: `${request}-e4`, from: `act:${request}-b`, to: `act:${request}-a`, kind: 'wasStartedBy', op: 'invoke', time: start + 5 },
  ];
  return { request, nodes, edges, warnings: [{ code: 'seq-gap', message: '2 records missing', activationId: `${request}-a`, count: 2 }] };
}

/** Graph content independent of the order items come back in. */
function canonical(graph: { nodes: UpgNode[]; edges: UpgEdge[]; warnings?: unknown[] } | undefined) {
  if (!graph) return graph;
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return { ...graph, nodes: [...graph.nodes].sort(byId), edges: [...graph.edges].sort(byId) };
}

async function scanAll(endpoint: string): Promise<unknown[]> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    // Test-only check of the whole table's content; the store itself never scans.
    const { Items = [] } = await client.send(new ScanCommand({ TableName: 'provenance' }));
    return Items.map((i) => JSON.stringify(i)).sort();
  } finally {
    client.destroy();
  }
}

for (const backend of STORE_BACKENDS) describeNeeding(backend.missing())(`store on ${backend.name}`, () => {
  let store: ProvenanceStore;
  let dynamo: { endpoint: string; stop(): Promise<void> };

  beforeAll(async () => {
    dynamo = await backend.start();
    store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' });
  });
  afterAll(async () => {
    await store?.close();
    await dynamo?.stop();
  });

  it('reads a written fragment back identical, and writing it again changes no item', async () => {
    const fragment = purchaseFragment('r-idem', T);
    await store.writeFragment(fragment);
    const graph = await store.getRequestGraph('r-idem');
    expect(canonical(graph)).toEqual(canonical(fragment));
    const before = await scanAll(dynamo.endpoint);
    await store.writeFragment(fragment);
    expect(await scanAll(dynamo.endpoint)).toEqual(before);
    expect(canonical(await store.getRequestGraph('r-idem'))).toEqual(canonical(fragment));
  });

  it('merges fragments that know different fields of one node, in either order', async () => {
    for (const [request, order] of [['r-merge-1', [0, 1]], ['r-merge-2', [1, 0]]] as const) {
      const parts: GraphFragment[] = [
        { request, nodes: [activation(`${request}-x`, request, 'ctr:m', { start: T + 100, firstSeen: T + 100, lastSeen: T + 100 })], edges: [] },
        { request, nodes: [activation(`${request}-x`, request, 'ctr:m', { end: T + 300, ok: true, firstSeen: T + 50, lastSeen: T + 400 })], edges: [] },
      ];
      for (const i of order) await store.writeFragment(parts[i]!);
      const graph = await store.getRequestGraph(request);
      expect(graph?.nodes).toEqual([
        activation(`${request}-x`, request, 'ctr:m', { start: T + 100, end: T + 300, ok: true, firstSeen: T + 50, lastSeen: T + 400 }),
      ]);
      const [summary] = (await store.listRequests({ since: T, until: T + 1000 })).filter((s) => s.request === request);
      expect(summary).toEqual({ request, start: T + 100, end: T + 300, entry: '/_/purchase', activations: 1, actions: ['/_/purchase'] });
    }
  });

  it('converges when two writers race on the same node', async () => {
    const request = 'r-race';
    const writes = Array.from({ length: 6 }, (_, i) =>
      store.writeFragment({ request, nodes: [activation('race', request, 'ctr:race', { start: T + 10 * (6 - i), lastSeen: T + i })], edges: [] }),
    );
    await Promise.all(writes);
    const [node] = (await store.getRequestGraph(request))!.nodes as ActivationNode[];
    expect(node).toMatchObject({ start: T + 10, lastSeen: T + 5 });
    expect(await store.containerActivations('ctr:race')).toEqual([node]);
  });

  it("lists one container's activations in time order across requests, unknown start last", async () => {
    const ctr = 'ctr:inv9/warm';
    await store.writeFragment({ request: 'r-c2', nodes: [activation('c-late', 'r-c2', ctr, { start: T + 2_000 })], edges: [] });
    await store.writeFragment({ request: 'r-c3', nodes: [activation('c-nostart', 'r-c3', ctr)], edges: [] });
    await store.writeFragment({ request: 'r-c1', nodes: [activation('c-early', 'r-c1', ctr, { start: T + 1_000 }), activation('other', 'r-c1', 'ctr:elsewhere', { start: T })], edges: [] });
    expect((await store.containerActivations(ctr)).map((a) => a.activationId)).toEqual(['c-early', 'c-late', 'c-nostart']);
    // A start learnt later moves the activation into place.
    await store.writeFragment({ request: 'r-c3', nodes: [activation('c-nostart', 'r-c3', ctr, { start: T + 1_500 })], edges: [] });
    expect((await store.containerActivations(ctr)).map((a) => a.activationId)).toEqual(['c-early', 'c-nostart', 'c-late']);
    expect(await store.containerActivations('ctr:never-seen')).toEqual([]);
  });

  it('follows one entity across requests: who wrote the file in /tmp, who read it later', async () => {
    const file = 'file:inv1/c7:/tmp/payload';
    const ctr = 'ctr:inv1/c7';
    const fileNode: UpgNode = { id: file, kind: 'file', path: '/tmp/payload', container: ctr };
    await store.writeFragment({
      request: 'r-victim',
      nodes: [activation('v', 'r-victim', ctr, { start: T + 9_000 }), fileNode],
      edges: [{ id: 'ev', from: 'act:v', to: file, kind: 'used', op: 'read', time: T + 9_010 }],
    });
    await store.writeFragment({
      request: 'r-planter',
      nodes: [activation('p', 'r-planter', ctr, { start: T + 8_000 }), fileNode],
      edges: [
        { id: 'ep', from: file, to: 'act:p', kind: 'wasGeneratedBy', op: 'write', time: T + 8_010 },
        { id: 'ep-assoc', from: 'act:p', to: ctr, kind: 'wasAssociatedWith', time: T + 8_000 },
      ],
    });
    const history = await store.entityHistory(file);
    expect(history.map((e) => [e.request, e.id, e.op])).toEqual([
      ['r-planter', 'ep', 'write'],
      ['r-victim', 'ev', 'read'],
    ]);
    expect(history[0]).toEqual({ id: 'ep', from: file, to: 'act:p', kind: 'wasGeneratedBy', op: 'write', time: T + 8_010, request: 'r-planter' });
    // The touch items feed the index only: they are not part of the request's graph.
    expect((await store.getRequestGraph('r-planter'))!.edges.map((e) => e.id).sort()).toEqual(['ep', 'ep-assoc']);
  });

  it("a reading store keeps a container's items for 2 s; a writing store always reads afresh", async () => {
    const file = 'file:inv1/c8:/tmp/cache';
    const ctr = 'ctr:inv1/c8';
    const touch = (request: string, id: string, at: number): GraphFragment => ({
      request,
      nodes: [activation(id, request, ctr, { start: at }), { id: file, kind: 'file', path: '/tmp/cache', container: ctr }],
      edges: [{ id: `e-${id}`, from: `act:${id}`, to: file, kind: 'used', op: 'read', time: at + 1 }],
    });
    const reader = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' });
    try {
      await store.writeFragment(touch('r-snap-1', 's1', T + 20_000));
      expect((await reader.entityHistory(file)).map((e) => e.request)).toEqual(['r-snap-1']);
      const snapshotAt = Date.now();
      await store.writeFragment(touch('r-snap-2', 's2', T + 21_000));
      // the writer (it has written) reads afresh; the reader answers from its snapshot of the container
      expect((await store.entityHistory(file)).map((e) => e.request)).toEqual(['r-snap-1', 'r-snap-2']);
      const fromReader = (await reader.entityHistory(file)).map((e) => e.request);
      // (a machine so loaded that the two lines above took 2 s has let the snapshot expire)
      if (Date.now() - snapshotAt < 1_900) expect(fromReader).toEqual(['r-snap-1']);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect((await reader.entityHistory(file)).map((e) => e.request)).toEqual(['r-snap-1', 'r-snap-2']);
    } finally {
      await reader.close();
    }
  });

  it('keeps the correlator state of activations between batches', async () => {
    const meta = { activationId: 'm1', requestId: 'r', action: '/_/p', container: 'ctr:c', key: 'ab'.repeat(16), start: T, nextSeq: 3 };
    await store.putActivationMeta([meta, { ...meta, activationId: 'm2', nextSeq: 1 }]);
    await store.putActivationMeta([{ ...meta, nextSeq: 7 }]);
    const got = await store.getActivationMeta(['m1', 'm2', 'm-unknown', 'm1']);
    expect([...got.keys()].sort()).toEqual(['m1', 'm2']);
    expect(got.get('m1')).toEqual({ ...meta, nextSeq: 7 });
    // More ids than one BatchGetItem takes.
    const many = Array.from({ length: 130 }, (_, i) => ({ ...meta, activationId: `bulk-${i}` }));
    await store.putActivationMeta(many);
    expect((await store.getActivationMeta(many.map((m) => m.activationId))).size).toBe(130);
  });

  it('refuses a fragment that would make broken keys, naming the bad part', async () => {
    await expect(store.writeFragment({ request: '', nodes: [], edges: [] })).rejects.toThrow(/fragment.request .* non-empty string/);
    await expect(
      store.writeFragment({ request: 'r', nodes: [{ id: 'x', kind: 'gizmo' } as unknown as UpgNode], edges: [] }),
    ).rejects.toThrow(/fragment.nodes\[0\] \(x\) has unknown kind "gizmo"/);
    await expect(store.getRequestGraph('r')).resolves.toBeUndefined();
  });

  it('writes and reads a large graph (more items than one batch or page)', async () => {
    const request = 'r-big';
    const nodes: UpgNode[] = [activation('big', request, 'ctr:big', { start: T })];
    const edges: UpgEdge[] = [];
    for (let i = 0; i < 300; i++) {
      nodes.push({ id: `log:big:${i}`, kind: 'log', activationId: 'big', stream: 'stdout', seq: i, text: `line ${i} ${'x'.repeat(3000)}`, time: T + i });
      edges.push({ id: `big-e${i}`, from: `log:big:${i}`, to: 'act:big', kind: 'wasGeneratedBy', time: T + i });
    }
    await store.writeFragment({ request, nodes, edges });
    const graph = await store.getRequestGraph(request);
    expect(graph?.nodes).toHaveLength(301);
    expect(graph?.edges).toHaveLength(300);
  });
});

for (const backend of STORE_BACKENDS) describeNeeding(backend.missing())(`listRequests on ${backend.name}`, () => {
  let store: ProvenanceStore;
  let dynamo: { endpoint: string; stop(): Promise<void> };
  beforeAll(async () => {
    dynamo = await backend.start();
    store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: true });
    // Five requests over three days, written out of order, and one with no time at all.
    for (const [request, start] of [['d2-b', T + DAY + 5_000], ['d0', T - DAY], ['d2-a', T + DAY], ['d1', T], ['d1-late', T + 3_600_000]] as const) {
      await store.writeFragment({ request, nodes: [activation(`${request}-act`, request, 'ctr:l', { start, end: start + 10 })], edges: [] });
    }
    await store.writeFragment({ request: 'timeless', nodes: [activation('timeless-act', 'timeless', 'ctr:l')], edges: [] });
  });
  afterAll(async () => {
    await store?.close();
    await dynamo?.stop();
  });

  it.each([
    ['everything, newest first, the timeless last', {}, ['d2-b', 'd2-a', 'd1-late', 'd1', 'd0', 'timeless']],
    ['--limit across buckets', { limit: 3 }, ['d2-b', 'd2-a', 'd1-late']],
    ['--limit inside one bucket', { limit: 1 }, ['d2-b']],
    ['--since', { since: T }, ['d2-b', 'd2-a', 'd1-late', 'd1']],
    ['--until', { until: T }, ['d1', 'd0']],
    ['a window inside one day', { since: T + 1, until: T + DAY }, ['d2-a', 'd1-late']],
    ['an empty window', { since: T + 10 * DAY }, []],
  ])('%s', async (_name, range, expected) => {
    expect((await store.listRequests(range)).map((s) => s.request)).toEqual(expected);
  });

  it('summarises each request', async () => {
    const [first] = await store.listRequests({ limit: 1 });
    expect(first).toEqual({ request: 'd2-b', start: T + DAY + 5_000, end: T + DAY + 5_010, entry: '/_/purchase', activations: 1, actions: ['/_/purchase'] });
  });

  it('reports a missing table instead of creating one when reading; creating it is idempotent', async () => {
    await expect(openStore({ endpoint: dynamo.endpoint, table: 'other-table' }, { create: false })).rejects.toThrow(
      /^no table other-table at http:\/\/127.0.0.1:\d+ — pass the right --table .* `npx provenance store init --endpoint http:\/\/127.0.0.1:\d+ --table other-table`/,
    );
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      await ensureTable(client, 'other-table');
      await ensureTable(client, 'other-table');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'other-table' }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['byContainer', 'byEntity', 'byTime']);
    } finally {
      client.destroy();
    }
    const other = await openStore({ endpoint: dynamo.endpoint, table: 'other-table' }, { create: false });
    try {
      expect(await other.listRequests()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('opening the store (dynalite store dirs)', () => {
  const opened: ProvenanceStore[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()!.close();
  });

  it('keeps the data across a dynalite restart on the same dir', async () => {
    const dir = freshDir();
    const first = await openStore({ dir, table: 'provenance' }, { create: true });
    await first.writeFragment(purchaseFragment('r-persist', T));
    await first.close();
    const second = await openStore({ dir, table: 'provenance' }, { create: false });
    opened.push(second);
    expect(canonical(await second.getRequestGraph('r-persist'))).toEqual(canonical(purchaseFragment('r-persist', T)));
    expect((await second.listRequests()).map((r) => r.request)).toEqual(['r-persist']);
  });

  it('talks to the DynamoDB of a running platform named in platform.json', async () => {
    const dir = freshDir();
    const writer = await openStore({ dir, table: 'provenance' }, { create: true });
    await writer.writeFragment(purchaseFragment('r-running', T));
    await writer.close();
    const running = await startLocalDynamo(dir);
    try {
      // This process plays the platform: alive, and it owns the LevelDB.
      writeFileSync(join(dir, 'platform.json'), JSON.stringify({ pid: process.pid, dynamodb: running.endpoint, apihost: 'x', auth: 'y', started: T }));
      const reader = await openStore({ dir, table: 'provenance' }, { create: false });
      expect((await reader.listRequests()).map((r) => r.request)).toEqual(['r-running']);
      await reader.close();
      // Without platform.json, the held LevelDB is reported, not crashed into.
      rmSync(join(dir, 'platform.json'));
      await expect(openStore({ dir, table: 'provenance' }, { create: false })).rejects.toThrow(
        /the store at .* is in use by another process, but .*platform.json names no running platform/,
      );
    } finally {
      await running.stop();
    }
  });

  it('ignores a platform.json whose process is gone', async () => {
    const dir = freshDir();
    await (await openStore({ dir, table: 'provenance' }, { create: true })).close();
    writeFileSync(join(dir, 'platform.json'), JSON.stringify({ pid: 2 ** 22 + 12345, dynamodb: 'http://127.0.0.1:9' }));
    const store = await openStore({ dir, table: 'provenance' }, { create: false });
    opened.push(store);
    expect(await store.listRequests()).toEqual([]);
  });

  it.each([
    ['a missing store dir', async () => openStore({ dir: join(root, 'nothing-here'), table: 'provenance' }, { create: false }), /^no provenance store at .*nothing-here — run `npm run demo` or `npx provenance local start` first, or pass --store DIR/],
    ['an unreachable endpoint', async () => openStore({ endpoint: `http://127.0.0.1:${await closedPort()}`, table: 'provenance' }, { create: false }), /^cannot reach DynamoDB at http:\/\/127.0.0.1:\d+ \(ECONNREFUSED\) — is it running\? check --endpoint/],
    ['a remote endpoint without a region', async () => openStore({ endpoint: 'https://dynamodb.example.invalid', table: 'provenance' }), /^no AWS region for https:\/\/dynamodb.example.invalid — pass --region R or set AWS_REGION/],
  ])('reports %s in one line', async (_name, open, message) => {
    const started = Date.now();
    const error = await open().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    // Connection errors fail fast.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

/** a port on 127.0.0.1 with nothing listening */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
