// The sink's memory answers a detection run exactly as the store would: gather through it picks the
// same graphs and activations as gather straight from the store, as requests keep arriving, while
// reading no history again once it knows a container.
import { describe, expect, it } from 'vitest';
import { gather, type AnalysisSource } from '../../upg/analyses/gather';
import type { ActivationNode, RequestGraph, UpgEdge } from '../../upg/types';
import { rememberedSource } from './remembered-source';

/** A store in memory: graphs merged by request, histories and activation lists derived from them. */
function fakeStore(): AnalysisSource & { put(g: RequestGraph): void; calls: Record<string, number> } {
  const graphs = new Map<string, RequestGraph>();
  const calls: Record<string, number> = { getRequestGraph: 0, containerActivations: 0, entityHistory: 0 };
  return {
    calls,
    put(g) {
      const known = graphs.get(g.request);
      const nodes = new Map([...(known?.nodes ?? []), ...g.nodes].map((n) => [n.id, n]));
      graphs.set(g.request, { request: g.request, nodes: [...nodes.values()], edges: [...(known?.edges ?? []), ...g.edges] });
    },
    async getRequestGraph(id) {
      calls.getRequestGraph!++;
      return graphs.get(id);
    },
    async containerActivations(container) {
      calls.containerActivations!++;
      return [...graphs.values()].flatMap((g) => g.nodes.filter((n): n is ActivationNode => n.kind === 'activation' && n.container === container));
    },
    async entityHistory(entity) {
      calls.entityHistory!++;
      return [...graphs.values()].flatMap((g) => g.edges.filter((e) => e.from === entity || e.to === entity).map((e) => ({ ...e, request: g.request })));
    },
  };
}

const edge = (from: string, kind: UpgEdge['kind'], to: string, time: number): UpgEdge => ({ id: `${from}>${kind}>${to}@${time}`, from, to, kind, time });

/** Request n in container c: reads the shared files, and writes `writes` (a file of its own, or a planted one). */
function request(n: number, c: string, writes: string, reads: readonly string[] = []): RequestGraph {
  const act = `act:${n}`;
  const files = [...new Set(['/usr/bin/cat', '/lib/libc.so.6', writes, ...reads])];
  return {
    request: `req-${n}`,
    nodes: [
      { id: act, kind: 'activation', activationId: `a${n}`, requestId: `req-${n}`, action: `/_/f-${c}`, container: c, start: n * 100 },
      ...files.map((path) => ({ id: `file:${c}:${path}`, kind: 'file' as const, path, container: c })),
    ],
    edges: [
      ...['/usr/bin/cat', '/lib/libc.so.6', ...reads].map((path, i) => edge(act, 'used', `file:${c}:${path}`, n * 100 + i)),
      edge(`file:${c}:${writes}`, 'wasGeneratedBy', act, n * 100 + 50),
    ],
  };
}

const ids = (g: Awaited<ReturnType<typeof gather>>) => ({ graphs: g.graphs.map((x) => x.request), activations: g.activations.map((a) => a.activationId).sort(), containers: g.containers });

describe('rememberedSource', () => {
  const cases: Array<{ name: string; before?: RequestGraph[]; steps: RequestGraph[][] }> = [
    {
      name: 'a file planted before the sink started, read once the sink has run a while',
      before: [request(0, 'c0', '/tmp/.hook.js'), ...Array.from({ length: 10 }, (_, k) => request(k + 1, 'c0', `/tmp/out-${k + 1}`))],
      steps: [...Array.from({ length: 10 }, (_, s) => [request(s + 20, 'c0', `/tmp/out-${s + 20}`)]), [request(99, 'c0', '/tmp/out-99', ['/tmp/.hook.js'])]],
    },
    {
      name: 'many activations reading the same files, each writing its own',
      steps: Array.from({ length: 12 }, (_, s) => Array.from({ length: 5 }, (_, k) => request(s * 5 + k, `c${k % 2}`, `/tmp/out-${s * 5 + k}`))),
    },
    {
      name: 'a file planted long before the victim reads it (its writer must still be found)',
      steps: [
        [request(0, 'c0', '/tmp/.hook.js')],
        ...Array.from({ length: 30 }, (_, s) => [request(s + 1, 'c0', `/tmp/out-${s + 1}`)]),
        [request(99, 'c0', '/tmp/out-99', ['/tmp/.hook.js'])],
      ],
    },
    {
      name: 'a request arriving in two parts',
      steps: [[request(1, 'c0', '/tmp/a')], [request(2, 'c0', '/tmp/b')], [request(1, 'c0', '/tmp/late', ['/tmp/b'])], [request(3, 'c0', '/tmp/c', ['/tmp/late'])]],
    },
  ];
  it.each(cases)('gathers what the store gives: $name', async ({ before = [], steps }) => {
    const store = fakeStore();
    for (const g of before) store.put(g);
    const remembered = rememberedSource(store);
    for (const step of steps) {
      for (const g of step) store.put(g);
      const requests = [...new Set(step.map((g) => g.request))];
      remembered.changed(requests);
      expect(ids(await gather(remembered, requests, { maxRequestsPerContainer: 5 }))).toEqual(ids(await gather(store, requests, { maxRequestsPerContainer: 5 })));
    }
  });

  it('reads no history and no activation list again once it knows the container', async () => {
    const store = fakeStore();
    const remembered = rememberedSource(store);
    for (let n = 0; n < 40; n++) {
      store.put(request(n, 'c0', `/tmp/out-${n}`));
      remembered.changed([`req-${n}`]);
      const before = { ...store.calls };
      await gather(remembered, [`req-${n}`], { maxRequestsPerContainer: 5 });
      if (n > 0) {
        expect(store.calls.entityHistory).toBe(before.entityHistory);
        expect(store.calls.containerActivations).toBe(before.containerActivations);
        expect(store.calls.getRequestGraph! - before.getRequestGraph!).toBe(1);
      }
    }
  });

  it('after forget, reads afresh', async () => {
    const store = fakeStore();
    const remembered = rememberedSource(store);
    store.put(request(0, 'c0', '/tmp/a'));
    await gather(remembered, ['req-0']);
    remembered.forget();
    const before = store.calls.containerActivations!;
    await gather(remembered, ['req-0']);
    expect(store.calls.containerActivations).toBe(before + 1);
  });
});
