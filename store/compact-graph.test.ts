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
