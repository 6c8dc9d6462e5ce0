import { describe, expect, it } from 'vitest';
import { bestRows, layeredLayout, type LayoutEdgeInput } from './layout';

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
    expect(layeredLayout([], [])).toEqual({ nodes: [], width: 0, height: 0, reversed: [], rows: 0 });
  });

  // One cause with 40 effects: a single 40-row column unless the layer wraps.
  const fan = () => ({
    nodes: [{ id: 'root', time: 0 }, ...Array.from({ length: 40 }, (_, i) => ({ id: `leaf${String(i).padStart(2, '0')}`, time: i + 1 }))],
    edges: Array.from({ length: 40 }, (_, i) => edge('root', `leaf${String(i).padStart(2, '0')}`)),
  });

  it('wraps a layer taller than maxRows into adjacent columns, keeping causes left of effects', () => {
    const { nodes, edges } = fan();
    const l = layeredLayout(nodes, edges, { maxRows: 10, nodeWidth: 100, gapX: 50, nodeHeight: 20, gapY: 10 });
    const at = Object.fromEntries(l.nodes.map((n) => [n.id, n]));
    expect(l.rows).toBe(10);
    expect(new Set(l.nodes.filter((n) => n.id !== 'root').map((n) => n.x))).toEqual(new Set([150, 300, 450, 600]));
    for (const n of l.nodes) if (n.id !== 'root') expect(n.x).toBeGreaterThan(at.root.x);
    expect(l.height).toBe(10 * 30 - 10);
    expect(l.width).toBe(5 * 150 - 50);
    expect(new Set(l.nodes.map((n) => `${n.x},${n.y}`)).size).toBe(41);
  });

  it('with a viewport, wraps so the drawing fits it at a larger scale than one tall column', () => {
    const { nodes, edges } = fan();
    const opts = { nodeWidth: 180, gapX: 60, nodeHeight: 42, gapY: 20 };
    const tall = layeredLayout(nodes, edges, opts);
    const wrapped = layeredLayout(nodes, edges, { ...opts, viewport: { width: 1000, height: 780 } });
    const scale = (l: { width: number; height: number }) => Math.min(1000 / l.width, 780 / l.height);
    expect(tall.rows).toBe(40);
    expect(wrapped.rows).toBeLessThan(40);
    expect(scale(wrapped)).toBeGreaterThan(scale(tall) * 1.5);
    const aspect = wrapped.width / wrapped.height;
    expect(aspect).toBeGreaterThan(0.6);
    expect(aspect).toBeLessThan(3);
  });

  it.each<[string, number[], number, number]>([
    ['one short column stays whole', [3], 1, 3],
    // 11 rows: 4 columns, 900×662 px, scale 1.11 (14 rows: 3 columns, 660×848, scale 0.92; 10 rows ties at 1.11 with a 4th column less full)
    ['a tall column wraps to the best fit', [40], 4, 11],
    ['never fewer rows than minRows', [40], 20, 20],
  ])('bestRows: %s', (_name, heights, minRows, expected) => {
    expect(bestRows(heights, { width: 1000, height: 780 }, 240, 62, 60, 20, minRows)).toBe(expected);
  });
});
