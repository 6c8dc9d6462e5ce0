import { describe, expect, it } from 'vitest';
import { activationTree, childActivations, indexGraph, walk, type ActivationTreeNode, type Direction } from './graph';
import { purchaseGraph } from './fixtures/purchase-graph';

const index = indexGraph(purchaseGraph());
const reached = (start: string, direction: Direction, options = {}) => walk(index, start, direction, options).steps.map((s) => s.node.id);

describe('walk', () => {
  const cases: Array<[string, string, Direction, string[], string[]]> = [
    // [name, start, direction, must reach, must not reach]
    ['backward from a written file reaches its writer, the writer\'s inputs and its invoker', 'file:inv0/c2:/tmp/cache', 'backward',
      ['act:G', 'item:prices:{"id":"p1"}', 'msg:P->G', 'act:P', 'item:products:{"id":"p1"}', 'req:req-1', 'client:req-1', 'ctr:inv0/c2'],
      ['item:purchases:{"id":"o1"}', 'sock:tcp:10.1.1.1:443', 'log:P:stdout:0']],
    ['forward from an item read reaches everything its reader caused', 'item:products:{"id":"p1"}', 'forward',
      ['act:P', 'item:purchases:{"id":"o1"}', 'sock:tcp:10.1.1.1:443', 'act:G', 'file:inv0/c2:/tmp/cache', 'msg:P->M'],
      ['item:prices:{"id":"p1"}', 'req:req-1', 'ctr:inv0/c1', 'client:req-1']],
    ['backward from an activation never reaches its effects', 'act:P', 'backward',
      ['req:req-1', 'item:products:{"id":"p1"}', 'action:/_/purchase', 'ctr:inv0/c1'],
      ['item:purchases:{"id":"o1"}', 'act:G', 'file:inv0/c2:/tmp/cache']],
    ['forward from the request reaches every activation\'s effects', 'req:req-1', 'forward',
      ['act:P', 'act:G', 'file:inv0/c2:/tmp/cache', 'item:purchases:{"id":"o1"}'],
      ['client:req-1', 'item:prices:{"id":"p1"}']],
    ['forward from a container reaches what ran in it', 'ctr:inv0/c2', 'forward', ['act:G', 'file:inv0/c2:/tmp/cache'], ['act:P']],
  ];
  it.each(cases)('%s', (_name, start, direction, yes, no) => {
    const ids = reached(start, direction);
    expect(ids[0]).toBe(start);
    for (const id of yes) expect(ids, `should reach ${id}`).toContain(id);
    for (const id of no) expect(ids, `should not reach ${id}`).not.toContain(id);
  });

  it('stops at maxDepth and follows only the chosen relations', () => {
    expect(reached('file:inv0/c2:/tmp/cache', 'backward', { maxDepth: 1 })).toEqual(['file:inv0/c2:/tmp/cache', 'act:G']);
    const startedOnly = reached('act:G', 'backward', { kinds: ['wasStartedBy'] });
    expect(startedOnly).toEqual(['act:G', 'act:P']);
  });

  it('reports nodes that edges name but the graph lacks', () => {
    expect(walk(index, 'act:P', 'forward').missing).toEqual(['act:M']);
  });

  it('records the depth and the edge that reached each node', () => {
    const steps = walk(index, 'file:inv0/c2:/tmp/cache', 'backward').steps;
    const p = steps.find((s) => s.node.id === 'act:P')!;
    expect(p.depth).toBe(2);
    expect(p.via?.kind).toBe('wasStartedBy');
  });

  it('refuses an unknown start with a clear message', () => {
    expect(() => walk(index, 'act:nope', 'forward')).toThrow(/no node act:nope in the graph of request req-1/);
  });
});

describe('activationTree', () => {
  const shape = (ts: ActivationTreeNode[]): unknown => ts.map((t) => [t.activationId, t.node ? 'node' : `missing:${t.invokedAs}`, shape(t.children)]);

  it('nests children found by edge or by parent field, in start order, with missing children kept', () => {
    expect(shape(activationTree(index))).toEqual([['P', 'node', [['G', 'node', []], ['Q', 'node', []], ['M', 'missing:authorize-cc', []]]]]);
  });

  it('lists the children of one activation', () => {
    expect(childActivations(index, 'P').map((c) => c.activationId)).toEqual(['G', 'Q', 'M']);
    expect(childActivations(index, 'G')).toEqual([]);
  });

  it('survives a parent cycle (hostile parent fields) without looping', () => {
    const g = purchaseGraph();
    for (const n of g.nodes) if (n.kind === 'activation' && n.activationId === 'P') n.parent = 'Q';
    const roots = activationTree(indexGraph(g));
    expect(roots.map((r) => r.activationId).sort()).toEqual(['P', 'Q']);
  });
});
