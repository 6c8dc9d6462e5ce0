import { describe, expect, it } from 'vitest';
import { layeredLayout, type LayoutEdgeInput } from './layout';

const edge = (cause: string, effect: string): LayoutEdgeInput => ({ cause, effect });
const layers = (nodes: string[], edges: LayoutEdgeInput[]) =>
  Object.fromEntries(layeredLayout(nodes.map((id, i) => ({ id, time: i })), edges).nodes.map((n) => [n.id, n.layer]));

describe('layeredLayout', () => {
  it.each<[string, string[], LayoutEdgeInput[], Record<string, number>]>([
    ['a chain goes left to right', ['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c')], { a: 0, b: 1, c: 2 }],
    ['longest chain decides', ['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c'), edge('a', 'c')], { a: 0, b: 1, c: 2 }],
    ['a cause-less node sits next to its first effect', ['a', 'b', 'c', 'x'], [edge('a', 'b'), edge('b', 'c'), edge('x', 'c')], { a: 0, b: 1, c: 2, x: 1 }],
    ['a cycle is broken, not looped on', ['a', 'b'], [edge('a', 'b'), edge('b', 'a')], { a: 0, b: 1 }],
    ['self loops and unknown ends are ignored', ['a'], [edge('a', 'a'), edge('a', 'zz')], { a: 0 }],
  ])('%s', (_name, nodes, edges, expected) => {
    expect(layers(nodes, edges)).toEqual(expected);
  });

  it('reports the edges it dropped to break cycles', () => {
    const l = layeredLayout([{ id: 'act', time: 1 }, { id: 'sock', time: 2 }], [edge('act', 'sock'), edge('sock', 'act')]);
    expect(l.reversed).toEqual(['sock->act']);
  });

  it('places every node once, without overlaps, the same way every time', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, time: i % 7 }));
    const edges = Array.from({ length: 40 }, (_, i) => edge(`n${(i * 7) % 30}`, `n${(i * 11 + 3) % 30}`));
    const a = layeredLayout(nodes, edges);
    const b = layeredLayout([...nodes].reverse(), [...edges].reverse());
    expect(a.nodes.map((n) => n.id).sort()).toEqual(nodes.map((n) => n.id).sort());
    expect(new Set(a.nodes.map((n) => `${n.x},${n.y}`)).size).toBe(nodes.length);
    expect(b.nodes).toEqual(a.nodes);
    for (const n of a.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.y).toBeGreaterThanOrEqual(0);
      expect(n.x).toBeLessThanOrEqual(a.width);
      expect(n.y).toBeLessThanOrEqual(a.height);
    }
  });

  it('orders a layer to follow its neighbours (fewer crossings)', () => {
    // a1 -> b2 and a2 -> b1: the barycentre sweep puts b2 above b1.
    const l = layeredLayout(
      [{ id: 'a1', time: 0 }, { id: 'a2', time: 1 }, { id: 'b1', time: 2 }, { id: 'b2', time: 3 }],
      [edge('a1', 'b2'), edge('a2', 'b1')],
    );
    const y = Object.fromEntries(l.nodes.map((n) => [n.id, n.y]));
    expect(y.a1 < y.a2).toBe(y.b2 < y.b1);
  });

  it('lays out an empty graph', () => {
    expect(layeredLayout([], [])).toEqual({ nodes: [], width: 0, height: 0, reversed: [] });
  });
});
