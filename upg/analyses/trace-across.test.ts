// traceAcross on inline request graphs behind an in-memory AnalysisSource (the store's two reads it
// uses: a request's graph, and an entity's history across requests). It must walk exactly as
// causalWalk does inside a request, and cross into other requests through files and items only on
// the right side of time, loading nothing else.
import { describe, expect, it } from 'vitest';
import { causalWalk } from '../causal-walk';
import { indexGraph } from '../graph';
import type { EdgeKind, NodeKind, RequestGraph, UpgEdge, UpgNode } from '../types';
import type { AnalysisSource } from './gather';
import { crossingRequests, traceAcross, type TraceAcrossOptions } from './trace-across';

const KIND: Record<string, NodeKind> = { req: 'request', act: 'activation', unit: 'unit', sock: 'socket', item: 'item', log: 'log', file: 'file', ctr: 'container' };
const edge = (from: string, kind: EdgeKind, to: string, time?: number): UpgEdge => ({ id: `e:${from}>${kind}>${to}@${time ?? '-'}`, from, to, kind, ...(time !== undefined ? { time } : {}) });
function graph(request: string, edges: UpgEdge[]): RequestGraph {
  const ids = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  return { request, nodes: ids.map((id) => ({ id, kind: KIND[id.split(':')[0]] }) as UpgNode), edges };
}

/** The store's reads over a fixed set of graphs; counts what was loaded. */
function source(graphs: RequestGraph[]): AnalysisSource & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    async getRequestGraph(id) {
      loaded.push(id);
      return graphs.find((g) => g.request === id);
    },
    async containerActivations() {
      return [];
    },
    async entityHistory(entity) {
      return graphs
        .flatMap((g) => g.edges.filter((e) => e.from === entity || e.to === entity).map((e) => ({ ...e, request: g.request })))
        .sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity));
    },
  };
}

/** One request with a batch loop: three units share the DynamoDB endpoint's socket. */
const LOOP = graph('r-loop', [
  edge('act:L', 'wasInformedBy', 'req:L', 100),
  edge('act:L', 'wasAssociatedWith', 'ctr:c1', 100),
  ...[0, 1, 2].flatMap((i) => [
    edge(`unit:${i}`, 'wasInformedBy', 'act:L'),
    edge(`log:${i}`, 'wasGeneratedBy', `unit:${i}`, 101 + 10 * i),
    edge('sock:db', 'wasGeneratedBy', `unit:${i}`, 102 + 10 * i),
    edge(`unit:${i}`, 'used', 'sock:db', 102 + 10 * i),
    edge(`item:${i}`, 'wasGeneratedBy', `unit:${i}`, 103 + 10 * i),
  ]),
]);

/**
 * A file in one container across requests, in time order: r-early reads it (5) before r-plant writes
 * it (10); r-victim loads it (20) and sends to a peer (21); r-late overwrites it (30). Every request
 * also talks to the same socket, which must never join them.
 */
const FILE = 'file:c1:/tmp/x';
const R_EARLY = graph('r-early', [edge('act:E', 'wasInformedBy', 'req:E', 4), edge('act:E', 'used', FILE, 5), edge('act:E', 'used', 'sock:db', 6)]);
const R_PLANT = graph('r-plant', [edge('act:P', 'wasInformedBy', 'req:P', 9), edge(FILE, 'wasGeneratedBy', 'act:P', 10), edge('sock:db', 'wasGeneratedBy', 'act:P', 11)]);
const R_VICTIM = graph('r-victim', [
  edge('act:V', 'wasInformedBy', 'req:V', 19),
  edge('act:V', 'used', FILE, 20),
  edge('sock:out', 'wasGeneratedBy', 'act:V', 21),
  edge('act:V', 'used', 'sock:db', 22),
]);
const R_LATE = graph('r-late', [edge('act:Z', 'wasInformedBy', 'req:Z', 29), edge(FILE, 'wasGeneratedBy', 'act:Z', 30)]);
const ALL = [LOOP, R_EARLY, R_PLANT, R_VICTIM, R_LATE];

async function trace(first: RequestGraph, start: string[], options: TraceAcrossOptions) {
  const src = source(ALL);
  const result = await traceAcross(src, first, start, options);
  return { ...result, ids: result.nodes.map((n) => n.id).sort(), loaded: src.loaded };
}

describe('traceAcross: one walk with causalWalk', () => {
  const cases: Array<{ name: string; first: RequestGraph; start: string; direction: 'back' | 'forward'; want: string[]; not: string[] }> = [
    { name: 'back from one unit\u2019s item: its unit only', first: LOOP, start: 'item:1', direction: 'back', want: ['unit:1', 'act:L', 'req:L', 'sock:db', 'ctr:c1'], not: ['unit:0', 'unit:2', 'item:0', 'item:2', 'log:0', 'log:2'] },
    { name: 'back from one unit\u2019s log line: its unit only', first: LOOP, start: 'log:0', direction: 'back', want: ['unit:0', 'act:L', 'req:L'], not: ['unit:1', 'unit:2', 'sock:db'] },
    { name: 'forward from one unit: its effects, the socket a sink', first: LOOP, start: 'unit:2', direction: 'forward', want: ['log:2', 'item:2', 'sock:db'], not: ['unit:0', 'unit:1', 'item:1'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await trace(c.first, [c.start], { direction: c.direction });
      expect(r.ids).toEqual(expect.arrayContaining([c.start, ...c.want]));
      for (const id of c.not) expect(r.ids).not.toContain(id);
      // the same nodes as the single-request walk: one semantics, not two
      const alone = causalWalk(indexGraph(c.first), c.start, c.direction === 'back' ? 'backward' : 'forward').steps.map((s) => s.node.id);
      expect(r.ids).toEqual([...alone].sort());
      expect(r.requests).toEqual([c.first.request]);
    });
  }

  it('agrees with causalWalk from every node of a request, both ways', async () => {
    for (const n of LOOP.nodes) {
      for (const direction of ['back', 'forward'] as const) {
        const r = await trace(LOOP, [n.id], { direction, maxDepth: 50 });
        const alone = causalWalk(indexGraph(LOOP), n.id, direction === 'back' ? 'backward' : 'forward').steps.map((s) => s.node.id);
        expect(r.ids, `${direction} from ${n.id}`).toEqual([...alone].sort());
      }
    }
  });
});

describe('traceAcross: across requests through a file, in time order', () => {
  it('back from the victim reaches the planter through the file, not the later overwrite nor the socket\u2019s other users', async () => {
    const r = await trace(R_VICTIM, ['act:V'], { direction: 'back' });
    expect(r.ids).toEqual(expect.arrayContaining([FILE, 'act:P', 'req:P']));
    for (const id of ['act:Z', 'act:E']) expect(r.ids).not.toContain(id);
    expect(r.requests).toEqual(['r-victim', 'r-plant']);
    expect(r.loaded).toEqual(['r-plant']);
    const step = r.steps.find((s) => s.node === 'act:P')!;
    expect(step).toMatchObject({ direction: 'back', request: 'r-plant', depth: 2 });
  });

  it('forward from the planter reaches the later request that loaded the file and its sink, not the earlier reader', async () => {
    const r = await trace(R_PLANT, ['act:P'], { direction: 'forward' });
    expect(r.ids).toEqual(expect.arrayContaining([FILE, 'act:V', 'sock:out']));
    expect(r.ids).not.toContain('act:E');
    // the shared socket is a sink for the planter: the victim's use of it is not an effect through it
    expect(r.edges.some((e) => e.from === 'act:V' && e.to === 'sock:db')).toBe(false);
    expect(r.requests).toEqual(['r-plant', 'r-victim']);
  });

  it('forward from the file itself (a lineage start) reaches every later reader', async () => {
    const r = await trace(R_PLANT, [FILE], { direction: 'forward' });
    expect(r.ids).toEqual(expect.arrayContaining(['act:V', 'act:E']));
  });

  it('both directions from a request\u2019s activation', async () => {
    const r = await trace(R_VICTIM, ['act:V'], { direction: 'both' });
    expect(new Set(r.steps.map((s) => s.direction))).toEqual(new Set(['back', 'forward']));
    expect(r.ids).toEqual(expect.arrayContaining(['act:P', 'sock:out']));
  });

  it('stops at the request limit and says so', async () => {
    const r = await trace(R_VICTIM, ['act:V'], { direction: 'back', maxRequests: 1 });
    expect(r.truncated).toBe(true);
    expect(r.requests).toEqual(['r-victim']);
    expect(r.ids).not.toContain('act:P');
  });

  it('honours the depth limit across requests', async () => {
    // act:V -> file (1) -> act:P (2) -> req:P (3)
    expect((await trace(R_VICTIM, ['act:V'], { direction: 'back', maxDepth: 2 })).ids).not.toContain('req:P');
    expect((await trace(R_VICTIM, ['act:V'], { direction: 'back', maxDepth: 3 })).ids).toContain('req:P');
    expect((await trace(R_VICTIM, ['act:V'], { direction: 'back', maxDepth: 1 })).loaded).toEqual([]);
  });

  it('follows only the relations asked for, crossing included', async () => {
    const r = await trace(R_VICTIM, ['act:V'], { direction: 'back', edgeKinds: ['used'] });
    expect(r.ids).toEqual(['act:V', FILE, 'sock:db'].sort());
    expect(r.loaded).toEqual([]);
  });

  it('keeps only the node kinds asked for (and the start), with the edges between them', async () => {
    const r = await trace(R_VICTIM, ['act:V'], { direction: 'back', nodeKinds: ['activation', 'file'] });
    expect(r.ids).toEqual(['act:P', 'act:V', FILE].sort());
    expect(r.edges.every((e) => r.ids.includes(e.from) && r.ids.includes(e.to))).toBe(true);
  });

  it('names the start that is not in the request', async () => {
    await expect(trace(R_VICTIM, ['act:nope'], { direction: 'back' })).rejects.toThrow(/no node act:nope in the graph of request r-victim/);
  });
});

describe('crossingRequests', () => {
  const history = [
    { ...edge('act:E', 'used', FILE, 5), request: 'r-early' },
    { ...edge(FILE, 'wasGeneratedBy', 'act:P', 10), request: 'r-plant' },
    { ...edge('act:V', 'used', FILE, 20), request: 'r-victim' },
    { ...edge(FILE, 'wasGeneratedBy', 'act:Z', 30), request: 'r-late' },
    { ...edge(FILE, 'wasGeneratedBy', 'act:U'), request: 'r-untimed' },
  ];
  const cases: Array<{ name: string; direction: 'backward' | 'forward'; at: number; want: string[] }> = [
    { name: 'backward at 20: writers before, nearest first, untimed kept', direction: 'backward', at: 20, want: ['r-untimed', 'r-plant'] },
    { name: 'backward at 9: nobody had written it yet', direction: 'backward', at: 9, want: ['r-untimed'] },
    { name: 'forward at 10: users after', direction: 'forward', at: 10, want: ['r-victim'] },
    { name: 'forward from the open bound: every user, earliest first', direction: 'forward', at: Number.NEGATIVE_INFINITY, want: ['r-early', 'r-victim'] },
  ];
  for (const c of cases) it(c.name, () => expect(crossingRequests(history, FILE, c.direction, c.at)).toEqual(c.want));
});
