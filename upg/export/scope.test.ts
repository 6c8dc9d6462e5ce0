import { describe, expect, it } from 'vitest';
import type { EdgeKind, NodeKind, UpgEdge } from '../types';
import { chooseScope, type Relevance, type ScopeInput, type ScopeOptions } from './scope';

// Nodes are named "<kind>-<n>"; edges "a>b" mean a used b (a depends on b).
function input(spec: { nodes: string[]; edges: string[]; core?: string[]; shared?: string[]; relevance?: Record<string, Relevance> }): ScopeInput {
  const edges: UpgEdge[] = spec.edges.map((text, i) => {
    const [from, to, kind = 'used'] = text.split(/[>:]/);
    return { id: `e${i}`, from, to, kind: kind as EdgeKind, time: i };
  });
  return {
    nodes: spec.nodes.map((id, i) => ({ id, kind: id.split('-')[0] as NodeKind, time: i })),
    edges,
    core: spec.core,
    shared: spec.shared,
    relevance: spec.relevance ? (id) => spec.relevance![id] ?? 'show' : undefined,
  };
}

const files = (n: number) => Array.from({ length: n }, (_, i) => `file-${i}`);

describe('chooseScope', () => {
  it.each<[string, Parameters<typeof input>[0], ScopeOptions, { drawn: string[]; folded: string[][] }]>([
    [
      'attack: the core and one hop; a small group of neighbours is drawn',
      { nodes: ['activation-a', 'file-x', 'file-y', 'request-r', 'client-c'], edges: ['activation-a>file-x', 'activation-a>file-y', 'activation-a>request-r:wasInformedBy', 'request-r>client-c:wasAssociatedWith'], core: ['activation-a'] },
      {},
      { drawn: ['activation-a', 'file-x', 'file-y', 'request-r'], folded: [] },
    ],
    [
      'attack: a group larger than foldAbove becomes one fold',
      { nodes: ['activation-a', ...files(5)], edges: files(5).map((f) => `activation-a>${f}`), core: ['activation-a'] },
      {},
      { drawn: ['activation-a'], folded: [files(5)] },
    ],
    [
      'attack: context 2 reaches two hops',
      { nodes: ['activation-a', 'request-r', 'client-c'], edges: ['activation-a>request-r:wasInformedBy', 'request-r>client-c:wasAssociatedWith'], core: ['activation-a'] },
      { context: 2 },
      { drawn: ['activation-a', 'client-c', 'request-r'], folded: [] },
    ],
    [
      'attack: context 0 is the core and the shared artifacts only',
      { nodes: ['activation-a', 'request-r', 'file-cache'], edges: ['activation-a>request-r:wasInformedBy'], core: ['activation-a'], shared: ['file-cache'] },
      { context: 0 },
      { drawn: ['activation-a', 'file-cache'], folded: [] },
    ],
    [
      'attack: omitted kinds are neither drawn nor folded; fold-only ones are folded even alone',
      { nodes: ['activation-a', 'invoker-i', 'activation-b'], edges: ['activation-a>invoker-i:wasAssociatedWith', 'activation-b>activation-a:wasStartedBy'], core: ['activation-a'], relevance: { 'invoker-i': 'omit', 'activation-b': 'fold' } },
      {},
      { drawn: ['activation-a'], folded: [['activation-b']] },
    ],
    [
      'attack: a fold whose members another anchor drew shrinks; one left is drawn itself',
      {
        nodes: ['activation-a', 'activation-b', ...files(4)],
        edges: [...files(4).map((f) => `activation-a>${f}`), 'activation-b>file-0', 'activation-b>file-1', 'activation-b>file-2'],
        core: ['activation-a', 'activation-b'],
      },
      {},
      { drawn: ['activation-a', 'activation-b', 'file-0', 'file-1', 'file-2', 'file-3'], folded: [] },
    ],
    [
      'request view: every node but a large group of leaves',
      { nodes: ['activation-a', 'request-r', ...files(10)], edges: ['activation-a>request-r:wasInformedBy', ...files(10).map((f) => `activation-a>${f}`)] },
      {},
      { drawn: ['activation-a', 'request-r'], folded: [files(10)] },
    ],
    [
      'request view: a group at the limit stays drawn',
      { nodes: ['activation-a', ...files(8)], edges: files(8).map((f) => `activation-a>${f}`) },
      {},
      { drawn: ['activation-a', ...files(8)], folded: [] },
    ],
    [
      'full: everything',
      { nodes: ['activation-a', ...files(10), 'client-c'], edges: files(10).map((f) => `activation-a>${f}`), core: ['activation-a'] },
      { full: true },
      { drawn: ['activation-a', ...files(10), 'client-c'], folded: [] },
    ],
  ])('%s', (_name, spec, options, expected) => {
    const scope = chooseScope(input(spec), options);
    expect([...scope.drawn].sort()).toEqual([...expected.drawn].sort());
    expect(scope.folded.map((g) => [...g.members].sort())).toEqual(expected.folded.map((m) => [...m].sort()));
    expect(scope.total).toBe(spec.nodes.length);
  });

  it('names a fold after its anchor, relation, direction and kind, with the members in time order', () => {
    const spec = { nodes: ['activation-a', ...files(5)], edges: files(5).map((f) => `activation-a>${f}`), core: ['activation-a'] };
    const [fold] = chooseScope(input(spec)).folded;
    expect(fold).toEqual({ id: 'more:activation-a:->used:file', anchor: 'activation-a', relation: 'used', membersAreFrom: false, kind: 'file', members: files(5) });
  });

  it.each<[ScopeOptions, RegExp]>([
    [{ context: -1 }, /context must be a whole number of hops/],
    [{ context: 1.5 }, /context must be a whole number of hops/],
    [{ foldAbove: 0 }, /foldAbove must be a whole number of nodes/],
  ])('refuses %j', (options, message) => {
    expect(() => chooseScope(input({ nodes: ['activation-a'], edges: [] }), options)).toThrow(message);
  });
});
