import { describe, expect, it } from 'vitest';
import type { ActivationMeta } from '../../store/types';
import { nodeIds } from '../../upg/ids';
import { mergeFragments } from '../../upg/merge';
import type { ActivationNode, GraphFragment, RequestGraph, UpgEdge, UpgNode } from '../../upg/types';
import { assemble, type AssembleOutput } from './assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { sharedUrl } from './fragment-builder';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';
import type { Batch, ContainerInfo } from '../../protocol/batch';

const INVOKER = 'inv0';
const REQ = 'req-purchase-1';
const key = (c: string) => c.repeat(32);
const info = (container: string, action: string): ContainerInfo => ({ container, invoker: INVOKER, action, started: 900 });

/**
 * A purchase: P (purchase, container c1) reads a product, invokes G (get-price, c2) and A
 * (authorize-cc, c3), writes the order. G writes a cache file in /tmp and prints a plain line;
 * A calls the card processor over HTTP and logs through winston.
 */
function purchaseScenario() {
  const P = new ActivationWriter('actP', REQ, key('1'));
  const G = new ActivationWriter('actG', REQ, key('2'));
  const A = new ActivationWriter('actA', REQ, key('3'));
  const c1 = new ContainerOutput(info('c1', '/_/purchase'));
  const c2 = new ContainerOutput(info('c2', '/_/get-price'));
  const c3 = new ContainerOutput(info('c3', '/_/authorize-cc'));

  c1.write(P.begin(1000, { act: '/_/purchase', ns: '_', pid: 11, host: 'c1', cold: true }), 1000)
    .write(P.log('buying p1'), 1001)
    .write(P.record({ t: 'ddb', op: 'GetItem', table: 'products', key: { id: 'p1' } }, 1005), 1005);
  c2.write(G.begin(1010, { act: '/_/get-price', ns: '_', pid: 21, host: 'c2', cold: true }), 1010)
    .write(G.record({ t: 'ddb', op: 'Get', table: 'prices', key: { id: 'p1' } }, 1012), 1012)
    .write('cache miss for p1', 1013)
    .write(G.record({ t: 'fs', op: 'write', path: '/tmp/price-cache.json', n: 10 }, 1014), 1014)
    .write(G.record({ t: 'fs', op: 'write', path: '/tmp/price-cache.json', n: 5 }, 1015), 1015)
    .write(G.record({ t: 'end', ok: true, dur: 10 }, 1020), 1020)
    .sentinel(1021);
  c1.write(P.record({ t: 'invoke', to: 'get-price', child: 'actG', blocking: true }, 1050), 1050);
  c3.write(A.begin(1060, { act: '/_/authorize-cc', ns: '_', pid: 31, host: 'c3', cold: false }), 1060)
    .write(A.record({ t: 'http', method: 'post', url: 'http://127.0.0.1:9999/charge?card=4111', host: '127.0.0.1', port: 9999, status: 200 }, 1070), 1070)
    .write('{"level":"info","message":"card authorized","reqId":"req-purchase-1","activationId":"actA"}', 1071)
    .write(A.record({ t: 'end', ok: true, dur: 30 }, 1090), 1090)
    .sentinel(1091);
  c1.write(P.record({ t: 'invoke', to: 'authorize-cc', child: 'actA', blocking: true }, 1100), 1100)
    .write(P.record({ t: 'ddb', op: 'PutItem', table: 'purchases', key: { id: 'o1' } }, 1110), 1110)
    .write(P.log('purchase done'), 1111, 'stderr')
    .write(P.record({ t: 'end', ok: true, dur: 200 }, 1200), 1200)
    .sentinel(1201);
  return { P, G, A, c1, c2, c3 };
}

/** Runs batches in order against an in-memory activation state, as ingestBatch does against the store. */
function ingestAll(batches: Batch[], state = new Map<string, ActivationMeta>()): { outs: AssembleOutput[]; state: Map<string, ActivationMeta> } {
  const outs = batches.map((batch) => {
    const out = assemble(classifyBatch(batch), state);
    for (const m of out.metas) state.set(m.activationId, m);
    return out;
  });
  return { outs, state };
}

const graphOf = (fragments: GraphFragment[]): RequestGraph => mergeFragments(REQ, fragments);
const node = <K extends UpgNode['kind']>(g: RequestGraph, id: string, kind: K) => {
  const n = g.nodes.find((x) => x.id === id);
  expect(n, `node ${id}`).toBeDefined();
  expect(n!.kind).toBe(kind);
  return n as Extract<UpgNode, { kind: K }>;
};
const edgesLike = (g: RequestGraph, from: string, to: string, kind: UpgEdge['kind']) =>
  g.edges.filter((e) => e.from === from && e.to === to && e.kind === kind);
/** What an edge says, without its id (ids of aggregates depend on where batches were cut). */
const facts = (g: RequestGraph) => [...new Set(g.edges.map((e) => `${e.from} ${e.kind} ${e.to} ${e.op ?? ''}`))].sort();

describe('assemble: a nested invocation across three containers in one batch', () => {
  const s = purchaseScenario();
  const { outs } = ingestAll([makeBatch(INVOKER, 1, [s.c1, s.c2, s.c3])]);
  const out = outs[0];
  const g = graphOf(out.fragments);
  const ctr = (c: string) => nodeIds.container(INVOKER, c);

  it('counts what it read and refuses nothing', () => {
    expect(out.result).toEqual({ requests: [REQ], records: 14, logLines: 4, rejected: {}, unattributed: 0 });
    expect(out.unattributed).toEqual([]);
    expect(out.fragments).toHaveLength(1);
  });

  it('builds the activations with their action, container, times and parent', () => {
    const p = node(g, 'act:actP', 'activation');
    expect(p).toMatchObject({ activationId: 'actP', requestId: REQ, action: '/_/purchase', container: ctr('c1'), start: 1000, end: 1200, cold: true, ok: true });
    expect(p.parent).toBeUndefined();
    expect(node(g, 'act:actG', 'activation')).toMatchObject({ parent: 'actP', container: ctr('c2'), start: 1010, end: 1020 });
    expect(node(g, 'act:actA', 'activation')).toMatchObject({ parent: 'actP', container: ctr('c3'), cold: false });
    expect(node(g, `req:${REQ}`, 'request')).toMatchObject({ start: 1000, end: 1200, entry: '/_/purchase' });
  });

  it('links parent -> message -> child with PROV directions', () => {
    const msg = nodeIds.message('actP', 'actG');
    expect(node(g, msg, 'message')).toMatchObject({ from: 'actP', to: 'actG', action: 'get-price' });
    expect(edgesLike(g, msg, 'act:actP', 'wasGeneratedBy')).toHaveLength(1);
    expect(edgesLike(g, 'act:actG', msg, 'used')).toHaveLength(1);
    expect(edgesLike(g, 'act:actG', 'act:actP', 'wasStartedBy')[0]).toMatchObject({ op: 'invoke', time: 1050 });
  });

  it('places files in their container and aggregates repeated writes', () => {
    const file = nodeIds.file(INVOKER, 'c2', '/tmp/price-cache.json');
    expect(node(g, file, 'file')).toMatchObject({ path: '/tmp/price-cache.json', container: ctr('c2') });
    const writes = edgesLike(g, file, 'act:actG', 'wasGeneratedBy');
    expect(writes).toEqual([expect.objectContaining({ op: 'write', count: 2, bytes: 15, time: 1014, activationId: 'actG', source: 'wrapper' })]);
  });

  it('records DynamoDB items read and written, with normalised operation names', () => {
    expect(edgesLike(g, 'act:actG', nodeIds.item('prices', { id: 'p1' }), 'used')[0].op).toBe('GetItem');
    expect(edgesLike(g, 'act:actP', nodeIds.item('products', { id: 'p1' }), 'used')[0].op).toBe('GetItem');
    expect(edgesLike(g, nodeIds.item('purchases', { id: 'o1' }), 'act:actP', 'wasGeneratedBy')[0].op).toBe('PutItem');
    expect(node(g, nodeIds.item('purchases', { id: 'o1' }), 'item')).toMatchObject({ table: 'purchases', key: { id: 'o1' } });
  });

  it('records the HTTP peer without the query string', () => {
    const sock = nodeIds.socket('tcp', '127.0.0.1', 9999);
    expect(node(g, sock, 'socket')).toMatchObject({ address: '127.0.0.1', port: 9999, url: 'http://127.0.0.1:9999/charge' });
    expect(edgesLike(g, sock, 'act:actA', 'wasGeneratedBy')[0].op).toBe('http:POST');
    expect(edgesLike(g, 'act:actA', sock, 'used')[0].op).toBe('http:POST:200');
  });

  it('keeps every log line, prefixed, winston or plain, under its activation', () => {
    const logs = g.nodes.filter((n) => n.kind === 'log').map((n) => n.kind === 'log' && [n.activationId, n.stream, n.text]);
    expect(logs).toEqual(
      expect.arrayContaining([
        ['actP', 'stdout', 'buying p1'],
        ['actP', 'stderr', 'purchase done'],
        ['actG', 'stdout', 'cache miss for p1'],
        ['actA', 'stdout', '{"level":"info","message":"card authorized","reqId":"req-purchase-1","activationId":"actA"}'],
      ]),
    );
    expect(logs).toHaveLength(4);
    for (const log of g.nodes.filter((n) => n.kind === 'log')) {
      expect(g.edges.filter((e) => e.from === log.id && e.kind === 'wasGeneratedBy')).toHaveLength(1);
    }
  });

  it('keeps the activation state the next batches need', () => {
    expect(out.metas.map((m) => [m.activationId, m.container, m.key, m.nextSeq])).toEqual([
      ['actA', ctr('c3'), key('3'), 3],
      ['actG', ctr('c2'), key('2'), 5],
      ['actP', ctr('c1'), key('1'), 6],
    ]);
  });

  it('only ever references nodes it holds', () => {
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) {
      expect(ids.has(e.from), e.from).toBe(true);
      expect(ids.has(e.to), e.to).toBe(true);
    }
  });
});

describe('assemble: the process that ran each activation', () => {
  it.each([
    { name: 'named by the program the platform started', extra: { exe: '/usr/bin/node', args: ['/usr/bin/node', '/srv/runtime.js'] }, want: { label: 'node', exe: '/usr/bin/node', args: ['/usr/bin/node', '/srv/runtime.js'] } },
    { name: 'a bare pid when the platform does not say', extra: {}, want: { label: 'pid 1' } },
  ])('$name', ({ extra, want }) => {
    const W = new ActivationWriter('actR', 'req-r', key('4'));
    const c = new ContainerOutput({ ...info('c9', '/_/purchase'), ...extra });
    c.write(W.begin(1000, { act: '/_/purchase', ns: '_', pid: 1, host: 'c9', cold: true }), 1000).write(W.record({ t: 'end', ok: true, dur: 5 }, 1005), 1005);
    const g = mergeFragments('req-r', ingestAll([makeBatch(INVOKER, 1, [c])]).outs[0].fragments);
    const proc = node(g, nodeIds.process(INVOKER, 'c9', 1), 'process');
    expect(proc).toMatchObject({ pid: 1, ...want });
    if (!('exe' in want)) expect(proc.exe).toBeUndefined();
    expect(edgesLike(g, 'act:actR', proc.id, 'wasInformedBy')).toEqual([expect.objectContaining({ op: 'run' })]);
  });
});

describe('assemble: idempotence and batches cut anywhere', () => {
  it('gives identical output for the same batch twice, and the second run changes no state', () => {
    const s = purchaseScenario();
    const batch = makeBatch(INVOKER, 1, [s.c1, s.c2, s.c3]);
    const { outs, state } = ingestAll([batch, batch]);
    expect(outs[1].fragments).toEqual(outs[0].fragments);
    expect(outs[1].result).toEqual(outs[0].result);
    expect(outs[1].metas).toEqual(outs[0].metas);
    expect([...state.values()]).toEqual(outs[0].metas);
  });

  it('joins records split across two batches, including a child whose parent invoke comes later', () => {
    const whole = purchaseScenario();
    const single = graphOf(ingestAll([makeBatch(INVOKER, 1, [whole.c1, whole.c2, whole.c3])]).outs[0].fragments);

    const s = purchaseScenario();
    const all = [...s.c1.lines, ...s.c2.lines, ...s.c3.lines];
    // The agent flushes at each activation end: G and A (and the start of P) first, P's invokes later.
    const first = all.filter((l) => l.time < 1050);
    const second = all.filter((l) => l.time >= 1050);
    const { outs } = ingestAll([makeBatch(INVOKER, 1, [s.c1, s.c2, s.c3], first), makeBatch(INVOKER, 2, [s.c1, s.c3], second)]);
    for (const out of outs) expect(out.result.rejected).toEqual({});
    const split = graphOf(outs.flatMap((o) => o.fragments));

    expect(split.nodes.map((n) => n.id)).toEqual(single.nodes.map((n) => n.id));
    expect(facts(split)).toEqual(facts(single));
    expect(edgesLike(split, 'act:actG', 'act:actP', 'wasStartedBy')).toHaveLength(1);
    // The request's entry is the first activation, whichever batch told it.
    expect(node(split, `req:${REQ}`, 'request')).toMatchObject({ start: 1000, end: 1200, entry: '/_/purchase' });
  });

  it('attributes plain lines at the start of a batch to the activation carried over from the previous one', () => {
    const W = new ActivationWriter('actW', 'req-w', key('4'));
    const c = new ContainerOutput(info('c9', '/_/worker'));
    c.write(W.begin(1, { act: '/_/worker', ns: '_', pid: 5, host: 'c9', cold: true }), 1).write('first half', 2);
    const cut = c.lines.length;
    c.write('second half', 3).write(W.record({ t: 'end', ok: false, err: 'boom', dur: 2 }, 4), 4).sentinel(5).write('after the activation', 6);
    const { outs } = ingestAll([makeBatch(INVOKER, 1, [c], c.lines.slice(0, cut)), makeBatch(INVOKER, 2, [c], c.lines.slice(cut))]);
    const g = mergeFragments('req-w', outs.flatMap((o) => o.fragments));
    const texts = g.nodes.flatMap((n) => (n.kind === 'log' ? [n.text] : []));
    expect(texts.sort()).toEqual(['first half', 'second half']);
    expect(outs[1].unattributed.map((u) => u.text)).toEqual(['after the activation']);
    expect(node(g, 'act:actW', 'activation')).toMatchObject({ ok: false, error: 'boom', end: 4 });
  });
});

describe('assemble: hostile and broken input', () => {
  function oneActivation() {
    const W = new ActivationWriter('actW', 'req-w', key('4'));
    const c = new ContainerOutput(info('c9', '/_/worker'));
    c.write(W.begin(1, { act: '/_/worker', ns: '_', pid: 5, host: 'c9', cold: true }), 1);
    return { W, c };
  }

  it('refuses forged and broken records with counted reasons, keeps the rest of the activation, and warns its request', () => {
    const { W, c } = oneActivation();
    const forger = new ActivationWriter('actW', 'req-w', key('f'));
    forger.skip(1);
    c.write(W.record({ t: 'fs', op: 'read', path: '/etc/hosts' }, 2), 2)
      .write(forger.record({ t: 'fs', op: 'write', path: '/tmp/planted' }, 3), 3) // a forged MAC
      .write('@prov/1 {"t":"fs","op":"wri', 4) // truncated
      .write('@prov/9 {"t":"begin"}', 5) // unknown version
      .write(new ActivationWriter('actX', 'req-victim', key('5')).record({ t: 'fs', op: 'write', path: '/x' }, 6), 6) // no begin
      .write(W.record({ t: 'net', op: 'connect', addr: '10.0.0.1', port: 443, proto: 'tcp' }, 7), 7)
      .write(W.record({ t: 'end', ok: true, dur: 7 }, 8), 8)
      .sentinel(9);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [c])), new Map());
    expect(out.result.rejected).toEqual({ 'bad-mac': 1, truncated: 1, 'unknown-version': 1, 'no-begin': 1 });
    expect(out.result.records).toBe(4);
    const g = mergeFragments('req-w', out.fragments);
    expect(g.nodes.some((n) => n.kind === 'file' && n.path === '/tmp/planted')).toBe(false);
    expect(g.nodes.some((n) => n.kind === 'file' && n.path === '/etc/hosts')).toBe(true);
    expect(g.nodes.some((n) => n.kind === 'socket' && n.address === '10.0.0.1')).toBe(true);
    expect((g.warnings ?? []).map((w) => [w.code, w.activationId]).sort()).toEqual([
      ['bad-mac', 'actW'],
      ['no-begin', 'actW'],
      ['truncated', 'actW'],
      ['unknown-version', 'actW'],
    ]);
    expect(out.result.requests).toEqual(['req-w']); // the forged request id never becomes a request
  });

  it('does not believe log ids that name another container\'s activation', () => {
    const { W, c } = oneActivation();
    const victim = new ActivationWriter('actV', 'req-v', key('6'));
    const cv = new ContainerOutput(info('c8', '/_/victim'));
    cv.write(victim.begin(1, { act: '/_/victim', ns: '_', pid: 6, host: 'c8', cold: true }), 1);
    c.write(victim.log('I am the victim'), 2).write(W.record({ t: 'end', ok: true, dur: 1 }, 3), 3);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [cv, c])), new Map());
    expect(out.result.rejected).toEqual({ 'log-id-mismatch': 1 });
    const victimGraph = mergeFragments('req-v', out.fragments);
    expect(victimGraph.nodes.some((n) => n.kind === 'log')).toBe(false);
    const own = mergeFragments('req-w', out.fragments);
    expect(own.nodes.flatMap((n) => (n.kind === 'log' ? [n.text] : []))).toEqual(['[prov req-v actV] I am the victim']);
  });

  it.each([
    ['in the batch that closed it', false],
    ['in a later batch', true],
  ])('does not believe log ids of an activation of the same container whose output already ended (%s)', (_, later) => {
    const P = new ActivationWriter('actP', 'req-p', key('a'));
    const Q = new ActivationWriter('actQ', 'req-q', key('b'));
    const c = new ContainerOutput(info('c6', '/_/shared'));
    c.write(P.begin(1, { act: '/_/shared', ns: '_', pid: 6, host: 'c6', cold: true }), 1).write(P.record({ t: 'end', ok: true, dur: 1 }, 2), 2).sentinel(3);
    c.write(Q.begin(4, { act: '/_/shared', ns: '_', pid: 6, host: 'c6', cold: false }), 4).write(P.log('planted in the earlier request'), 5).write(Q.record({ t: 'end', ok: true, dur: 1 }, 6), 6).sentinel(7);
    const batches = later ? [makeBatch(INVOKER, 1, [c], c.lines.filter((l) => l.time < 4)), makeBatch(INVOKER, 2, [c], c.lines.filter((l) => l.time >= 4))] : [makeBatch(INVOKER, 1, [c])];
    const { outs } = ingestAll(batches);
    const out = outs[outs.length - 1];
    expect(out.result.rejected).toEqual({ 'log-id-mismatch': 1 });
    const fragments = outs.flatMap((o) => o.fragments);
    const logsOf = (request: string) => mergeFragments(request, fragments).nodes.flatMap((n) => (n.kind === 'log' ? [[n.activationId, n.text]] : []));
    expect(logsOf('req-p')).toEqual([]);
    expect(logsOf('req-q')).toEqual([['actQ', '[prov req-p actP] planted in the earlier request']]);
    expect((mergeFragments('req-p', fragments).warnings ?? []).map((w) => w.code)).toContain('log-id-mismatch');
  });

  it('leaves a plain line on its container when two activations are in progress', () => {
    const c = new ContainerOutput(info('c7', '/_/busy'));
    const X = new ActivationWriter('actX', 'rx', key('7'));
    const Y = new ActivationWriter('actY', 'ry', key('8'));
    c.write(X.begin(1, { act: '/_/busy', ns: '_', pid: 7, host: 'c7', cold: true }), 1)
      .write(Y.begin(2, { act: '/_/busy', ns: '_', pid: 7, host: 'c7', cold: false }), 2)
      .write('whose line is this', 3)
      .write(X.log('mine'), 4);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [c])), new Map());
    expect(out.result.unattributed).toBe(1);
    expect(out.unattributed).toEqual([{ container: 'c7', stream: 'stdout', seq: 2, time: 3, text: 'whose line is this' }]);
    expect(out.result.logLines).toBe(1);
  });

  it('warns about lost records (sequence gaps), a missing end, and agent drops', () => {
    const { W, c } = oneActivation();
    W.skip(2);
    c.write(W.record({ t: 'fs', op: 'stat', path: '/tmp' }, 2), 2).sentinel(3);
    const batch = { ...makeBatch(INVOKER, 4, [c]), drops: 17 };
    const out = assemble(classifyBatch(batch), new Map());
    const warnings = out.fragments[0].warnings ?? [];
    expect(warnings.map((w) => w.code).sort()).toEqual(['events-dropped', 'missing-end', 'seq-gap']);
    expect(warnings.find((w) => w.code === 'seq-gap')!.message).toMatch(/^2 record/);
    expect(warnings.find((w) => w.code === 'events-dropped')!.count).toBe(17);
  });

  it('warns when the wrapper reports hook failures in an end record', () => {
    const { W, c } = oneActivation();
    c.write(W.record({ t: 'end', ok: true, dur: 1, hf: 2, hfm: 'fs.open hook threw' }, 2), 2);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [c])), new Map());
    expect(out.fragments[0].warnings).toEqual([
      { code: 'hook-failures', activationId: 'actW', count: 1, message: '2 provenance hook failure(s) in this activation (first: fs.open hook threw): what they would have recorded is missing' },
    ]);
  });

  it('refuses a second begin for a running activation, keeping the first one\'s key', () => {
    const { W, c } = oneActivation();
    const impostor = new ActivationWriter('actW', 'req-w', key('9'));
    c.write(impostor.begin(2, { act: '/_/worker', ns: '_', pid: 5, host: 'c9', cold: false }), 2)
      .write(impostor.record({ t: 'fs', op: 'write', path: '/tmp/evil' }, 3), 3)
      .write(W.record({ t: 'fs', op: 'write', path: '/tmp/good' }, 4), 4);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [c])), new Map());
    expect(out.result.rejected).toEqual({ 'duplicate-begin': 1, 'bad-mac': 1 });
    expect(out.metas[0].key).toBe(key('4'));
    const paths = out.fragments[0].nodes.flatMap((n) => (n.kind === 'file' ? [n.path] : []));
    expect(paths).toEqual(['/tmp/good']);
  });
});

describe('assemble: an activation node always has what the contract requires', () => {
  it('for activations seen only through state from an earlier batch', () => {
    const W = new ActivationWriter('actW', 'req-w', key('4'));
    const c = new ContainerOutput(info('c9', '/_/worker'));
    const state = new Map<string, ActivationMeta>([
      ['actW', { activationId: 'actW', requestId: 'req-w', action: '/_/worker', container: nodeIds.container(INVOKER, 'c9'), key: key('4'), start: 1, nextSeq: 1 }],
    ]);
    W.skip(1);
    c.write(W.record({ t: 'proc', op: 'spawn', cmd: 'sh', args: ['-c', 'sleep 100'], pid: 77 }, 5), 5);
    const out = assemble(classifyBatch(makeBatch(INVOKER, 2, [c])), state);
    const act = out.fragments[0].nodes.find((n) => n.kind === 'activation') as ActivationNode;
    expect(act).toMatchObject({ activationId: 'actW', requestId: 'req-w', action: '/_/worker', container: nodeIds.container(INVOKER, 'c9') });
    const proc = out.fragments[0].nodes.find((n) => n.kind === 'process');
    expect(proc).toMatchObject({ pid: 77, exe: 'sh', args: ['-c', 'sleep 100'], container: nodeIds.container(INVOKER, 'c9') });
  });
});

describe('sharedUrl', () => {
  const cases: Array<[string[], string]> = [
    [['http://h:1/a/b'], 'http://h:1/a/b'],
    [['http://h:1/api/actions/get-price', 'http://h:1/api/actions/publish'], 'http://h:1/api/actions/'],
    [['http://h:1/x', 'http://h:1/y'], 'http://h:1/'],
    [['http://h:1/abc', 'http://h:1/abd'], 'http://h:1/'],
    [['http://h:1', 'http://h:1/y'], 'http://h:1'],
  ];
  it.each(cases)('%j -> %s', (urls, expected) => {
    expect(sharedUrl(urls)).toBe(expected);
    expect(sharedUrl([...urls].reverse())).toBe(expected);
  });
});
