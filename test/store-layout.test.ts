// The store keeps a request as a few immutable items (store/chunks.ts) and answers from them exactly
// what the graphs themselves answer: `trace --json`, `lineage` of every shared entity, and the
// incidents of `report`, compared with a reference that holds the graphs in memory and answers the
// store's three access patterns by scanning them (which is what the store's indexes stand for).
// Inputs: the demo-shaped report fixture (hello-retail purchases, cold starts, a price cache, a
// planted receipt template, an exfiltrated card) and the hand-written purchase graph, each request
// written as three fragments that know different parts (and different fields) of the graph.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActivationNode, GraphFragment, RequestGraph, UpgEdge, UpgNode } from '../upg/types';
import { PROV_CLASS } from '../upg/types';
import { openStore, type ProvenanceStore } from '../store/index';
import { entityEndpoints } from '../store/items';
import { timeSortKey } from '../store/keys';
import type { AnalysisSource } from '../upg/analyses/gather';
import { gather } from '../upg/analyses/gather';
import { findIncidents } from '../upg/analyses/incidents';
import { DEFAULT_CONFIG } from '../upg/analyses/config';
import { traceAcross } from '../upg/analyses/trace-across';
import { renderJson } from '../upg/render/json';
import { demoLikeInput } from '../upg/export/fixtures/demo-like';
import { purchaseGraph } from '../upg/fixtures/purchase-graph';
import { runTrace } from '../cli/commands/trace';
import { loadLineage } from '../cli/commands/lineage';
import { bufferOutput } from '../cli/output';
import { describeNeeding } from './prerequisites';
import { STORE_BACKENDS } from './store-backends';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const NOW = Date.UTC(2026, 11, 1);
const graphs: RequestGraph[] = [...demoLikeInput().graphs, purchaseGraph()];

/** Three fragments per graph: edges dealt round-robin, each with the nodes it names; activations split by field. */
function fragmentsOf(graph: RequestGraph): GraphFragment[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const parts: Array<{ nodes: Map<string, UpgNode>; edges: UpgEdge[] }> = [0, 1, 2].map(() => ({ nodes: new Map(), edges: [] }));
  const place = (part: number, node: UpgNode | undefined) => {
    if (!node) return;
    if (node.kind === 'activation') {
      // One part knows where and when it started, another only when it ended.
      const { end, ...withoutEnd } = node;
      const known = part % 2 === 0 ? withoutEnd : { id: node.id, kind: node.kind, activationId: node.activationId, requestId: node.requestId, action: node.action, container: node.container, ...(end !== undefined ? { end } : {}) };
      parts[part]!.nodes.set(node.id, known as ActivationNode);
    } else parts[part]!.nodes.set(node.id, node);
  };
  graph.edges.forEach((e, i) => {
    parts[i % 3]!.edges.push(e);
    place(i % 3, byId.get(e.from));
    place(i % 3, byId.get(e.to));
  });
  // Every node somewhere, and every activation's full set of fields somewhere.
  for (const n of graph.nodes) {
    if (!parts.some((p) => p.nodes.has(n.id))) place(0, n);
    if (n.kind === 'activation') {
      place(0, n);
      place(1, n);
    }
  }
  return parts.map((p, i) => ({
    request: graph.request,
    nodes: [...p.nodes.values()],
    edges: p.edges,
    ...(i === 0 && graph.warnings ? { warnings: graph.warnings } : {}),
  }));
}

/** The store's three access patterns answered by scanning graphs held in memory. */
function memorySource(all: readonly RequestGraph[]): AnalysisSource {
  const copy = <T>(x: T): T => structuredClone(x);
  return {
    getRequestGraph: async (request) => copy(all.find((g) => g.request === request)),
    containerActivations: async (container) =>
      all
        .flatMap((g) => g.nodes.filter((n): n is ActivationNode => n.kind === 'activation' && n.container === container))
        .sort((a, b) => (timeSortKey(a.start, a.id) < timeSortKey(b.start, b.id) ? -1 : 1))
        .map(copy),
    entityHistory: async (entity) =>
      all
        .flatMap((g) => {
          const kinds = new Map(g.nodes.map((n) => [n.id, n.kind]));
          return g.edges.filter((e) => entityEndpoints(e, (id) => kinds.get(id)).includes(entity)).map((e) => ({ ...copy(e), request: g.request }));
        })
        .sort((a, b) => (timeSortKey(a.time, `${a.request}#${a.id}`) < timeSortKey(b.time, `${b.request}#${b.id}`) ? -1 : 1)),
  };
}

/** Every entity but log lines, and of the cold starts' module files every 100th (they all share one index group). */
const sharedEntities = [...new Set(graphs.flatMap((g) => g.nodes.filter((n) => PROV_CLASS[n.kind] === 'entity' && n.kind !== 'log').map((n) => n.id)))]
  .sort()
  .filter((id, i) => !id.includes('/node_modules/') || i % 100 === 0);

for (const backend of STORE_BACKENDS) {
  describeNeeding(backend.missing())(`the compact layout on ${backend.name} answers as the graphs do`, () => {
    let dynamo: { endpoint: string; stop(): Promise<void> };
    let store: ProvenanceStore;
    const options = () => ({ endpoint: dynamo.endpoint, table: 'provenance' });

    beforeAll(async () => {
      dynamo = await backend.start();
      store = await openStore(options(), { create: true });
      // Fragments of different requests interleaved, the later parts first.
      const fragments = graphs.map(fragmentsOf);
      for (const part of [2, 0, 1]) for (const f of fragments) await store.writeFragment(f[part]!);
    });
    afterAll(async () => {
      await store?.close();
      await dynamo?.stop();
    });

    it('trace --json prints each request as its graph', async () => {
      for (const graph of graphs) {
        const out = bufferOutput();
        await runTrace(graph.request, { ...options(), json: true }, out);
        expect(JSON.parse(out.text()), graph.request).toEqual(JSON.parse(renderJson(graph)));
      }
    });

    it('lineage of every shared entity: the same history and the same trace around it', async () => {
      const memory = memorySource(graphs);
      expect(sharedEntities.length).toBeGreaterThan(20);
      for (const entity of sharedEntities) {
        const got = await loadLineage(entity, { ...options(), depth: 3 });
        const history = await memory.entityHistory(entity);
        const latest = (await memory.getRequestGraph(history[history.length - 1]!.request))!;
        const trace = await traceAcross(memory, latest, [entity], { direction: 'both', maxDepth: 3 });
        expect(got, entity).toEqual({ entity, history, trace });
      }
    }, 600_000);

    it('report: the same incidents from the same requests (container reuse attack, exfiltration, benign cache)', async () => {
      const requests = graphs.map((g) => g.request);
      const fromStore = findIncidents(await gather(store, requests), DEFAULT_CONFIG, NOW);
      const fromMemory = findIncidents(await gather(memorySource(graphs), requests), DEFAULT_CONFIG, NOW);
      expect(fromStore).toEqual(fromMemory);
      expect(new Set(fromStore.map((i) => `${i.kind}/${i.verdict}`))).toEqual(
        new Set(['container-reuse/attack', 'exfiltration/attack', 'container-reuse/benign-shared-state']),
      );
    });

    it('requests: each request with the activations, actions, times and entry its graph has, merged from its fragments', async () => {
      const listed = new Map((await store.listRequests()).map((s) => [s.request, s]));
      for (const graph of graphs) {
        const activations = graph.nodes.filter((n): n is ActivationNode => n.kind === 'activation');
        const requestNode = graph.nodes.find((n) => n.kind === 'request') as { start?: number; end?: number; entry?: string } | undefined;
        const starts = [requestNode?.start, ...activations.map((a) => a.start)].filter((t): t is number => t !== undefined);
        const ends = [requestNode?.end, ...activations.map((a) => a.end)].filter((t): t is number => t !== undefined);
        const root = activations.filter((a) => a.parent === undefined).sort((a, b) => (timeSortKey(a.start, a.activationId) < timeSortKey(b.start, b.activationId) ? -1 : 1))[0];
        const entry = requestNode?.entry ?? root?.action;
        expect(listed.get(graph.request), graph.request).toEqual({
          request: graph.request,
          activations: new Set(activations.map((a) => a.activationId)).size,
          actions: [...new Set(activations.map((a) => a.action))].sort(),
          ...(starts.length ? { start: Math.min(...starts) } : {}),
          ...(ends.length ? { end: Math.max(...ends) } : {}),
          ...(entry !== undefined ? { entry } : {}),
        });
      }
    });

    it("lists each container's activations in time order, merged from the fragments that knew them", async () => {
      const memory = memorySource(graphs);
      for (const container of new Set(graphs.flatMap((g) => g.nodes.filter((n): n is ActivationNode => n.kind === 'activation').map((a) => a.container)))) {
        expect(await store.containerActivations(container), container).toEqual(await memory.containerActivations(container));
      }
    });
  });
}
