// Workflow hops as the wrapper reports them in begin records (pa/pk/pn from the platform's run
// message, web from a web action's __ow_* parameters): a sequence or trigger activation becomes a
// node between the activations it joins, and a web request's client carries method, path, headers.
import { describe, expect, it } from 'vitest';
import { nodeIds } from '../../upg/ids';
import { mergeFragments } from '../../upg/merge';
import type { ActivationNode, ClientNode } from '../../upg/types';
import { assemble } from './assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';

const INVOKER = 'inv0';
const REQ = 'req-hops';
const key = (c: string) => c.repeat(32);

function graph(build: (c1: ContainerOutput, c2: ContainerOutput) => void) {
  const c1 = new ContainerOutput({ container: 'c1', invoker: INVOKER, action: '/guest/first', started: 900 });
  const c2 = new ContainerOutput({ container: 'c2', invoker: INVOKER, action: '/guest/second', started: 900 });
  build(c1, c2);
  const out = assemble(classifyBatch(makeBatch(INVOKER, 1, [c1, c2])), new Map());
  return mergeFragments(REQ, out.fragments);
}

describe('workflow hops in the graph', () => {
  it.each([
    ['sequence', '/guest/chain'],
    ['trigger', '/guest/leak_trigger'],
  ] as const)('a %s activation joins its parent and child: parent -> message -> hop -> message -> child', (kind, name) => {
    const A = new ActivationWriter('actA', REQ, key('1'));
    const B = new ActivationWriter('actB', REQ, key('2'));
    const g = graph((c1, c2) => {
      c1.write(A.begin(1000, { act: '/guest/first', ns: 'guest', pid: 1, host: 'c1', cold: true }), 1000)
        .write(A.record({ t: 'invoke', to: name, child: 'hop1', blocking: false }, 1010), 1010)
        .write(A.record({ t: 'end', ok: true, dur: 20 }, 1020), 1020)
        .sentinel(1021);
      c2.write(B.begin(1030, { act: '/guest/second', ns: 'guest', pid: 2, host: 'c2', cold: true, pa: 'hop1', pk: kind, pn: name }), 1030)
        .write(B.record({ t: 'end', ok: true, dur: 5 }, 1040), 1040)
        .sentinel(1041);
    });
    const hop = g.nodes.find((n) => n.id === nodeIds.activation('hop1')) as ActivationNode | undefined;
    expect(hop).toMatchObject({ kind: 'activation', platform: kind, action: name, requestId: REQ, container: nodeIds.container(INVOKER, 'controller') });
    const has = (from: string, kindOfEdge: string, to: string) => g.edges.some((e) => e.from === from && e.kind === kindOfEdge && e.to === to);
    expect(has(nodeIds.message('actA', 'hop1'), 'wasGeneratedBy', nodeIds.activation('actA'))).toBe(true);
    expect(has(nodeIds.activation('hop1'), 'used', nodeIds.message('actA', 'hop1'))).toBe(true);
    expect(has(nodeIds.message('hop1', 'actB'), 'wasGeneratedBy', nodeIds.activation('hop1'))).toBe(true);
    expect(has(nodeIds.activation('actB'), 'used', nodeIds.message('hop1', 'actB'))).toBe(true);
    // every edge ends at a node the graph holds
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) expect(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`).toBe(true);
  });

  it('a previous sequence component is a plain parent: no platform node for it', () => {
    const B = new ActivationWriter('actB', REQ, key('2'));
    const g = graph((_c1, c2) => {
      c2.write(B.begin(1030, { act: '/guest/second', ns: 'guest', pid: 2, host: 'c2', cold: true, pa: 'actA', pk: 'action', pn: '/guest/first' }), 1030);
    });
    expect(g.nodes.some((n) => n.kind === 'activation' && (n as ActivationNode).platform)).toBe(false);
  });

  it('a web request: its client has the method, path and redacted headers of the entry activation', () => {
    const A = new ActivationWriter('actA', REQ, key('1'));
    const g = graph((c1) => {
      c1.write(A.begin(1000, { act: '/guest/first', ns: 'guest', pid: 1, host: 'c1', cold: true, web: { m: 'post', p: '/items/7', h: { cookie: '[redacted]', 'user-agent': 'curl' } } }), 1000);
    });
    const client = g.nodes.find((n) => n.id === nodeIds.client(REQ)) as ClientNode;
    expect(client).toMatchObject({ kind: 'client', method: 'POST', path: '/items/7', headers: { cookie: '[redacted]', 'user-agent': 'curl' } });
  });
});
