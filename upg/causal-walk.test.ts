// The time rule of the one walk every trace uses, on inline graphs: which edge is followed at which
// bound, sockets as sources and sinks, untimed edges, depth, and a bound loosened by a second path.
import { describe, expect, it } from 'vitest';
import { causalWalk, followEdge, isNetworkPeer } from './causal-walk';
import { indexGraph, type Direction } from './graph';
import type { EdgeKind, RequestGraph, UpgEdge, UpgNode } from './types';

const node = (id: string, kind: UpgNode['kind']): UpgNode => ({ id, kind }) as UpgNode;
const edge = (from: string, kind: EdgeKind, to: string, time?: number): UpgEdge => ({ id: `e:${from}>${kind}>${to}@${time ?? '-'}`, from, to, kind, ...(time !== undefined ? { time } : {}) });
const kindOf = (id: string): UpgNode['kind'] =>
  (({ act: 'activation', unit: 'unit', sock: 'socket', item: 'item', log: 'log', req: 'request', file: 'file', proc: 'process' }) as const)[id.split(':')[0] as 'act'] ?? 'activation';
function graph(edges: UpgEdge[]): RequestGraph {
  const ids = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  return { request: 'r1', nodes: ids.map((id) => node(id, kindOf(id))), edges };
}

/** A batch loop: three units, one DynamoDB endpoint socket each sends to and reads from, one item each. */
const LOOP = graph([
  edge('act:A', 'wasInformedBy', 'req:R', 100),
  edge('unit:0', 'wasInformedBy', 'act:A'),
  edge('unit:1', 'wasInformedBy', 'act:A'),
  edge('unit:2', 'wasInformedBy', 'act:A'),
  edge('log:0', 'wasGeneratedBy', 'unit:0', 101),
  edge('sock:db', 'wasGeneratedBy', 'unit:0', 102),
  edge('unit:0', 'used', 'sock:db', 102),
  edge('item:0', 'wasGeneratedBy', 'unit:0', 103),
  edge('log:1', 'wasGeneratedBy', 'unit:1', 111),
  edge('sock:db', 'wasGeneratedBy', 'unit:1', 112),
  edge('unit:1', 'used', 'sock:db', 112),
  edge('item:1', 'wasGeneratedBy', 'unit:1', 113),
  edge('log:2', 'wasGeneratedBy', 'unit:2', 121),
  edge('sock:db', 'wasGeneratedBy', 'unit:2', 122),
  edge('unit:2', 'used', 'sock:db', 122),
  edge('item:2', 'wasGeneratedBy', 'unit:2', 123),
]);

const reached = (g: RequestGraph, start: string, direction: Direction, options = {}) =>
  causalWalk(indexGraph(g), start, direction, options)
    .steps.map((s) => s.node.id)
    .sort();

describe('followEdge: the time rule for one edge', () => {
  const cases: Array<{ name: string; e: UpgEdge; at: string; dir: Direction; bound: number; want?: { next: string; at: number } }> = [
    { name: 'backward, earlier edge: followed, bound tightens', e: edge('act:A', 'used', 'file:f', 5), at: 'act:A', dir: 'backward', bound: 10, want: { next: 'file:f', at: 5 } },
    { name: 'backward, same time: followed', e: edge('act:A', 'used', 'file:f', 10), at: 'act:A', dir: 'backward', bound: 10, want: { next: 'file:f', at: 10 } },
    { name: 'backward, later edge: not a cause', e: edge('act:A', 'used', 'file:f', 11), at: 'act:A', dir: 'backward', bound: 10 },
    { name: 'forward, later edge: followed, bound rises', e: edge('act:B', 'used', 'file:f', 15), at: 'file:f', dir: 'forward', bound: 10, want: { next: 'act:B', at: 15 } },
    { name: 'forward, earlier edge: not an effect', e: edge('act:B', 'used', 'file:f', 9), at: 'file:f', dir: 'forward', bound: 10 },
    { name: 'untimed edge: followed, bound kept', e: edge('unit:0', 'wasInformedBy', 'act:A'), at: 'unit:0', dir: 'backward', bound: 3, want: { next: 'act:A', at: 3 } },
    { name: 'edge not leaving the node in this direction', e: edge('act:A', 'used', 'file:f', 5), at: 'file:f', dir: 'backward', bound: 10 },
    { name: 'open bound takes any time', e: edge('file:f', 'wasGeneratedBy', 'act:A', 7), at: 'file:f', dir: 'backward', bound: Number.POSITIVE_INFINITY, want: { next: 'act:A', at: 7 } },
  ];
  for (const c of cases) it(c.name, () => expect(followEdge(c.e, c.at, c.dir, c.bound)).toEqual(c.want));

  it('leaves out relations not asked for', () => {
    expect(followEdge(edge('act:A', 'used', 'file:f', 5), 'act:A', 'backward', 10, new Set<EdgeKind>(['wasGeneratedBy']))).toBeUndefined();
  });

  it('a socket is a source backward through used and a sink forward through wasGeneratedBy, and nothing else is', () => {
    const sock = node('sock:db', 'socket');
    expect(isNetworkPeer(sock, edge('unit:0', 'used', 'sock:db', 1), 'backward')).toBe(true);
    expect(isNetworkPeer(sock, edge('sock:db', 'wasGeneratedBy', 'unit:0', 1), 'forward')).toBe(true);
    expect(isNetworkPeer(sock, edge('sock:db', 'wasGeneratedBy', 'unit:0', 1), 'backward')).toBe(false);
    expect(isNetworkPeer(sock, edge('unit:0', 'used', 'sock:db', 1), 'backward', true)).toBe(false);
    expect(isNetworkPeer(node('file:f', 'file'), edge('unit:0', 'used', 'file:f', 1), 'backward')).toBe(false);
  });
});

describe('causalWalk on inline graphs', () => {
  const cases: Array<{ name: string; g: RequestGraph; start: string; dir: Direction; options?: object; want: string[] }> = [
    {
      name: 'backward from one unit\u2019s item: its unit, the socket as a source, the activation, the request; no other unit',
      g: LOOP,
      start: 'item:1',
      dir: 'backward',
      want: ['act:A', 'item:1', 'req:R', 'sock:db', 'unit:1'],
    },
    {
      name: 'backward from one unit\u2019s log line: the same unit only',
      g: LOOP,
      start: 'log:2',
      dir: 'backward',
      want: ['act:A', 'log:2', 'req:R', 'unit:2'],
    },
    {
      name: 'forward from one unit: its line, its item, the socket as a sink; no other unit',
      g: LOOP,
      start: 'unit:0',
      dir: 'forward',
      want: ['item:0', 'log:0', 'sock:db', 'unit:0'],
    },
    {
      name: 'through sockets when asked: the earlier unit that wrote to it becomes a cause, the later one does not',
      g: LOOP,
      start: 'item:1',
      dir: 'backward',
      options: { throughSockets: true },
      want: ['act:A', 'item:1', 'req:R', 'sock:db', 'unit:0', 'unit:1'],
    },
    {
      name: 'untimed edges are followed whatever the bound',
      g: graph([edge('file:f', 'wasGeneratedBy', 'act:A', 50), edge('act:A', 'wasAssociatedWith', 'ctr:c'), edge('act:A', 'used', 'item:late', 60)]),
      start: 'file:f',
      dir: 'backward',
      want: ['act:A', 'ctr:c', 'file:f'],
    },
    {
      name: 'depth limit: one edge from the start',
      g: LOOP,
      start: 'item:1',
      dir: 'backward',
      options: { maxDepth: 1 },
      want: ['item:1', 'unit:1'],
    },
    {
      name: 'a node reached again with a looser bound is walked again',
      // act:A used file f at 10 and at 30; B wrote f at 20: only the later use can come from B's write
      g: graph([edge('log:x', 'wasGeneratedBy', 'act:A', 40), edge('act:A', 'used', 'file:f', 10), edge('act:A', 'used', 'file:f', 30), edge('file:f', 'wasGeneratedBy', 'act:B', 20)]),
      start: 'log:x',
      dir: 'backward',
      want: ['act:A', 'act:B', 'file:f', 'log:x'],
    },
  ];
  for (const c of cases) it(c.name, () => expect(reached(c.g, c.start, c.dir, c.options)).toEqual([...c.want].sort()));

  it('a blind walk would explode through the socket (the graph above really shares it)', () => {
    const viaSocket = LOOP.edges.filter((e) => e.from === 'sock:db' || e.to === 'sock:db').map((e) => (e.from === 'sock:db' ? e.to : e.from));
    expect(new Set(viaSocket)).toEqual(new Set(['unit:0', 'unit:1', 'unit:2']));
  });

  it('names the request when the start is not in its graph', () => {
    expect(() => causalWalk(indexGraph(LOOP), 'item:9', 'backward')).toThrow(/no node item:9 in the graph of request r1/);
  });

  it('records edges to nodes the graph does not hold as missing', () => {
    const g: RequestGraph = { request: 'r1', nodes: [node('act:A', 'activation')], edges: [edge('act:A', 'used', 'file:gone', 1)] };
    expect(causalWalk(indexGraph(g), 'act:A', 'backward').missing).toEqual(['file:gone']);
  });
});
