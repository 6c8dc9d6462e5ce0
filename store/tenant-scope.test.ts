// The read-side scope over the store interface: what it hands on, cuts and refuses (the store
// underneath is a fixed answer per method: only the scope's own logic is under test here).
import { describe, expect, it } from 'vitest';
import type { Incident } from '../upg/analyses/types';
import type { ActivationNode, RequestGraph } from '../upg/types';
import { scopeStore, ScopeError } from './tenant-scope';
import type { ProvenanceStore, ServiceConfig } from './types';

const act = (id: string, action: string, request: string): ActivationNode => ({ id: `act:${id}`, kind: 'activation', activationId: id, requestId: request, action, container: `ctr:${id}` });
const graphs: Record<string, RequestGraph> = {
  mine: { request: 'mine', nodes: [act('a1', '/a/x', 'mine')], edges: [{ id: 'e1', from: 'act:a1', to: 'file:1', kind: 'used', activationId: 'a1' }] },
  theirs: { request: 'theirs', nodes: [act('b1', '/b/y', 'theirs')], edges: [{ id: 'e2', from: 'act:b1', to: 'file:1', kind: 'used', activationId: 'b1' }] },
};
const config = (service: string, actions: string[]): ServiceConfig => ({ service, stage: 'dev', actions, deployedAt: 1 });
const underlying = {
  getRequestGraph: async (id: string) => graphs[id],
  listRequests: async () => [
    { request: 'mine', activations: 1, actions: ['/a/x'] },
    { request: 'theirs', activations: 1, actions: ['/b/y'] },
  ],
  containerActivations: async (c: string) => (c === 'ctr:b1' ? [act('b1', '/b/y', 'theirs')] : [act('a1', '/a/x', 'mine')]),
  entityHistory: async () => [{ ...graphs.mine!.edges[0]!, request: 'mine' }, { ...graphs.theirs!.edges[0]!, request: 'theirs' }],
  listIncidents: async () => [{ planter: { request: 'theirs', activation: 'b1', action: '/b/y' }, victims: [], timeline: [], requests: ['theirs'], evidence: [], path: [] } as unknown as Incident],
  listServiceConfigs: async () => [config('a-svc', ['a/x']), config('b-svc', ['b/y']), config('unknown-ns', ['_/z'])],
  getActivationMeta: async () => new Map([['a1', { activationId: 'a1', requestId: 'mine', action: '/a/x', container: 'c', key: 'k' }], ['b1', { activationId: 'b1', requestId: 'theirs', action: '/b/y', container: 'c', key: 'k' }]]),
  close: async () => undefined,
} as unknown as ProvenanceStore;

describe('scopeStore', () => {
  const a = scopeStore(underlying, 'a');

  it("hands on the namespace's own request and answers another's as never stored", async () => {
    expect(await a.getRequestGraph('mine')).toEqual(graphs.mine);
    expect(await a.getRequestGraph('theirs')).toBeUndefined();
    expect(await a.getRequestGraph('nobody')).toBeUndefined();
  });

  it('lists, traces across and reads lineage of its own only', async () => {
    expect((await a.listRequests()).map((r) => r.request)).toEqual(['mine']);
    expect(await a.containerActivations('ctr:b1')).toEqual([]);
    expect((await a.containerActivations('ctr:a1')).map((x) => x.activationId)).toEqual(['a1']);
    expect((await a.entityHistory('file:1')).map((e) => e.request)).toEqual(['mine']);
    expect(await a.listIncidents()).toEqual([]);
    expect([...(await a.getActivationMeta(['a1', 'b1'])).keys()]).toEqual(['a1']);
  });

  it('a limit counts the namespace\'s own requests, newest first', async () => {
    const asked: Array<number | undefined> = [];
    const many = Array.from({ length: 9 }, (_, i) => ({ request: `r${i}`, activations: 1, actions: [i % 3 === 0 ? '/a/x' : '/b/y'] }));
    const store = { ...underlying, listRequests: async (r: { limit?: number }) => (asked.push(r.limit), many.slice(0, r.limit)) } as unknown as ProvenanceStore;
    expect((await scopeStore(store, 'a').listRequests({ limit: 2 })).map((r) => r.request)).toEqual(['r0', 'r3']);
    expect(asked).toEqual([2, 8]);
    expect((await scopeStore(store, 'a').listRequests({ limit: 5 })).map((r) => r.request)).toEqual(['r0', 'r3', 'r6']);
  });

  it('reads only the settings that name its namespace', async () => {
    expect((await a.listServiceConfigs()).map((c) => c.service)).toEqual(['a-svc']);
  });

  it('writes nothing: one line saying to use the operator key', () => {
    expect(() => a.putIncident({} as Incident)).toThrow(ScopeError);
    expect(() => a.writeFragment({ request: 'x', nodes: [], edges: [] })).toThrow(/only read it: run it as the operator/);
  });
});
