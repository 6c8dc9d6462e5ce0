import { describe, expect, it } from 'vitest';
import { edgeId } from '../upg/ids';
import type { UpgEdge, UpgNode } from '../upg/types';
import { compress, decodeGraph, decompress, dictionaryOf, encodeGraph, shapeOf, type GraphBody } from './compact-graph';

const T = 1_796_000_000_000;
const edge = (from: string, to: string, time: number | undefined, discriminator: string | number | undefined, extra: Partial<UpgEdge> = {}): UpgEdge => ({
  id: edgeId({ from, to, kind: 'used', op: 'read', discriminator }),
  from,
  to,
  kind: 'used',
  op: 'read',
  ...(time !== undefined ? { time } : {}),
  ...extra,
});
const nodes: UpgNode[] = [
  { id: 'act:a', kind: 'activation', activationId: 'a', requestId: 'r', action: '/_/p', container: 'ctr:c', start: T, end: T + 40, cold: true },
  { id: 'log:a:stdout:0', kind: 'log', activationId: 'a', stream: 'stdout', seq: 0, text: 'hi', time: T + 3 },
];

describe('a graph in its chunk form reads back exactly', () => {
  it.each<[string, GraphBody]>([
    ['ids from the time', { nodes, edges: [edge('act:a', 'file:c:/tmp/x', T + 5, T + 5), edge('act:a', 'sock:1', T + 6, T + 6, { count: 3, bytes: 9 })] }],
    ['ids with no discriminator', { nodes, edges: [edge('act:a', 'file:c:/tmp/x', T + 5, '')] }],
    ['ids made some other way', { nodes, edges: [{ ...edge('act:a', 'f', T + 5, T + 5), id: 'e:handmade' }, edge('act:a', 'g', T, 'seq-7')] }],
    ['no times at all', { nodes: [{ id: 'file:x', kind: 'file', path: '/x', container: 'ctr:c' }], edges: [edge('act:a', 'file:x', undefined, '')] }],
    ['fractional times that do not round-trip as offsets', { nodes: [{ ...nodes[1]!, time: 0.1 } as UpgNode], edges: [edge('act:a', 'f', 0.3, 0.3), edge('act:a', 'g', 1e16 + 2, 1e16 + 2)] }],
    ['warnings', { nodes, edges: [], warnings: [{ code: 'seq-gap', message: '2 missing', activationId: 'a', count: 2 }] }],
  ])('%s', (_name, graph) => {
    expect(decodeGraph(encodeGraph(graph))).toEqual(graph);
  });

  it('leaves out ids it can rebuild and times it can rebase', () => {
    const encoded = JSON.parse(encodeGraph({ nodes, edges: [edge('act:a', 'f', T + 5, T + 5)] }));
    expect(encoded.t0).toBe(T);
    expect(encoded.edges).toEqual([{ from: 'act:a', to: 'f', kind: 'used', op: 'read', time: 5 }]);
  });

  it('compresses against a learned behaviour, and needs it to read back', () => {
    const one = encodeGraph({ nodes, edges: [edge('act:a', 'f', T + 5, T + 5)] });
    const other = encodeGraph({ nodes: nodes.map((n) => ({ ...n, id: n.id.replace('a', 'b') })), edges: [edge('act:b', 'f', T + 9, T + 9)] });
    const dictionary = dictionaryOf(one);
    const withIt = compress(other, dictionary);
    expect(withIt.length).toBeLessThan(compress(other).length / 2);
    expect(decompress(withIt, dictionary.bytes)).toBe(other);
    expect(() => decompress(withIt)).toThrow();
  });

  it('names a shape by its actions and their cold starts, in any order', () => {
    const act = (action: string, cold: boolean): UpgNode => ({ id: `act:${action}`, kind: 'activation', activationId: action, requestId: 'r', action, container: 'ctr:c', cold });
    expect(shapeOf({ request: 'r', nodes: [act('/_/b', false), act('/_/a', true)], edges: [] })).toBe('/_/a*,/_/b');
    expect(shapeOf({ request: 'r', nodes: [act('/_/a', true), act('/_/b', false)], edges: [] })).toBe('/_/a*,/_/b');
  });
});

describe('which edge ids are left out', () => {
  const form = (e: UpgEdge): string => {
    const [c] = JSON.parse(encodeGraph({ nodes: [], edges: [e] })).edges as Array<{ id?: string; d?: number }>;
    return c!.id !== undefined ? 'kept' : c!.d === 1 ? 'none' : 'time';
  };

  it.each<[string, UpgEdge, string]>([
    ['made from its time, an aggregate', edge('act:a', 'f', T + 5, T + 5, { count: 2 }), 'time'],
    ['made from its time, a single fact', edge('act:a', 'f', T + 5, T + 5), 'time'],
    ['made with no discriminator, an aggregate', edge('act:a', 'f', T + 5, '', { count: 2 }), 'none'],
    ['made with no discriminator, a single fact', edge('act:a', 'f', T + 5, ''), 'none'],
    ['no time, made with no discriminator', edge('act:a', 'f', undefined, ''), 'time'],
    ['made some other way, an aggregate', edge('act:a', 'f', T + 5, 'seq-3', { count: 2 }), 'kept'],
    ['made some other way, a single fact', edge('act:a', 'f', T + 5, 'seq-3'), 'kept'],
    ['made some other way, no time', edge('act:a', 'f', undefined, 'seq-3'), 'kept'],
  ])('%s: %s', (_name, e, expected) => {
    expect(form(e)).toBe(expected);
    expect(form(e)).toBe(expected); // the second time from what the first found
  });

  it('is found again for an edge changed after it was encoded', () => {
    const e = edge('act:a', 'f', T + 5, T + 5);
    expect(form(e)).toBe('time');
    e.id = edgeId({ from: 'act:a', to: 'f', kind: 'used', op: 'read', discriminator: '' });
    expect(form(e)).toBe('none');
    e.time = T + 6;
    e.id = edgeId({ from: 'act:a', to: 'f', kind: 'used', op: 'read', discriminator: T + 6 });
    expect(form(e)).toBe('time');
    e.to = 'g';
    expect(form(e)).toBe('kept');
  });
});
