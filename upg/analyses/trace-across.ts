// Backward (causes) and forward (effects) trace from a request, an activation or an entity, across
// the functions of a request and across requests. Within a request the walk follows the graph's
// PROV edges (upg/graph.ts: backward goes from -> to); it crosses into another request only through
// state that outlives an activation: a file in a container or a DynamoDB item. There it asks the
// store's entity index who else wrote (backward) or used (forward) that entity, in the right time
// order, and loads just those requests' graphs. Never a scan.
import { crossGraph, type CrossGraph, type RequestEdge } from './cross-graph';
import type { AnalysisSource } from './gather';
import type { EdgeKind, NodeKind, RequestGraph, UpgNode } from '../types';

export type TraceDirection = 'back' | 'forward' | 'both';

export interface TraceAcrossOptions {
  direction: TraceDirection;
  /** stop after this many edges from the start (default 8) */
  maxDepth?: number;
  /** follow only these relations (default all) */
  edgeKinds?: EdgeKind[];
  /** keep only these node kinds in the result (the walk still passes through others) */
  nodeKinds?: NodeKind[];
  /** at most this many requests are loaded (default 200) */
  maxRequests?: number;
  onProgress?: (requestsLoaded: number) => void;
}

export interface TraceStep {
  node: string;
  depth: number;
  direction: 'back' | 'forward';
  /** edge that reached it */
  via?: string;
  request?: string;
}

export interface TraceAcrossResult {
  start: string[];
  direction: TraceDirection;
  /** every request the walk entered, the start's first */
  requests: string[];
  nodes: UpgNode[];
  edges: RequestEdge[];
  steps: TraceStep[];
  /** requests the walk would have entered but the request limit stopped */
  truncated: boolean;
}

/** Entities through which a walk crosses into other requests (state that outlives an activation). */
const CROSSING: ReadonlySet<NodeKind> = new Set(['file', 'item']);

export async function traceAcross(source: AnalysisSource, first: RequestGraph, startIds: string[], options: TraceAcrossOptions): Promise<TraceAcrossResult> {
  const maxDepth = options.maxDepth ?? 8;
  const maxRequests = options.maxRequests ?? 200;
  const kinds = options.edgeKinds ? new Set(options.edgeKinds) : undefined;
  const graphs = new Map<string, RequestGraph>([[first.request, first]]);
  let g: CrossGraph = crossGraph([first]);
  let truncated = false;
  for (const id of startIds) if (!g.byId.has(id)) throw new Error(`no node ${id} in the graph of request ${first.request}`);

  const steps: TraceStep[] = [];
  const usedEdges = new Map<string, RequestEdge>();
  for (const dir of options.direction === 'both' ? (['back', 'forward'] as const) : [options.direction]) {
    const seen = new Set(startIds);
    const queue: Array<{ node: string; depth: number; via?: RequestEdge }> = startIds.map((node) => ({ node, depth: 0 }));
    const crossed = new Set<string>();
    for (let i = 0; i < queue.length; i++) {
      const { node, depth, via } = queue[i];
      steps.push({ node, depth, direction: dir, ...(via ? { via: via.id, request: via.request } : {}) });
      if (depth >= maxDepth) continue;
      const kind = g.byId.get(node)?.kind;
      if (kind && CROSSING.has(kind) && !crossed.has(node)) {
        crossed.add(node);
        const more = await crossings(source, node, dir, via);
        const fresh = more.filter((r) => !graphs.has(r));
        for (const r of fresh) {
          if (graphs.size >= maxRequests) {
            truncated = true;
            break;
          }
          const loaded = await source.getRequestGraph(r);
          if (loaded) graphs.set(r, loaded);
          options.onProgress?.(graphs.size);
        }
        if (fresh.length) g = crossGraph([...graphs.values()]);
      }
      const candidates = dir === 'back' ? g.out.get(node) : g.in.get(node);
      for (const e of candidates ?? []) {
        if (kinds && !kinds.has(e.kind)) continue;
        // Across an entity, time decides: causes happened before the use that reached it, effects after the write.
        if (via && kind && CROSSING.has(kind) && e.request !== via.request && !inOrder(dir, via, e)) continue;
        usedEdges.set(e.id, e);
        const next = dir === 'back' ? e.to : e.from;
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push({ node: next, depth: depth + 1, via: e });
      }
    }
  }

  const wanted = options.nodeKinds ? new Set(options.nodeKinds) : undefined;
  const ids = new Set(steps.map((s) => s.node));
  const nodes = [...ids].map((id) => g.byId.get(id)).filter((n): n is UpgNode => n !== undefined && (!wanted || wanted.has(n.kind) || startIds.includes(n.id)));
  const kept = new Set(nodes.map((n) => n.id));
  const edges = [...usedEdges.values()].filter((e) => !wanted || (kept.has(e.from) && kept.has(e.to)));
  const requests = [first.request, ...[...graphs.keys()].filter((r) => r !== first.request).sort()];
  return { start: startIds, direction: options.direction, requests, nodes, edges, steps, truncated };
}

/** Requests that wrote the entity (back) or used it (forward), per the byEntity index. */
async function crossings(source: AnalysisSource, entity: string, dir: 'back' | 'forward', via?: RequestEdge): Promise<string[]> {
  const history = await source.entityHistory(entity);
  const out = new Set<string>();
  for (const e of history) {
    const writes = e.from === entity && (e.kind === 'wasGeneratedBy' || e.kind === 'wasDerivedFrom');
    const uses = e.to === entity && e.kind === 'used';
    if (dir === 'back' ? !writes : !uses) continue;
    if (via && !inOrder(dir, via, e)) continue;
    out.add(e.request);
  }
  return [...out];
}

/** backward: the earlier edge `e` may have caused `via`; forward: `e` may be an effect of `via`. */
function inOrder(dir: 'back' | 'forward', via: { time?: number }, e: { time?: number }): boolean {
  if (via.time === undefined || e.time === undefined) return true;
  return dir === 'back' ? e.time <= via.time : e.time >= via.time;
}

/** The start nodes for a request: its request node and its activations (its own activities). */
export function requestStart(graph: RequestGraph): string[] {
  const ids = graph.nodes.filter((n) => n.kind === 'activation' && n.requestId === graph.request).map((n) => n.id);
  const req = graph.nodes.find((n) => n.kind === 'request' && n.requestId === graph.request);
  return [...(req ? [req.id] : []), ...ids.sort()];
}

/** Graphs (one per request) of what a trace reached, for the document exports. */
export function traceGraphs(result: TraceAcrossResult): RequestGraph[] {
  const byRequest = new Map<string, RequestGraph>(result.requests.map((r) => [r, { request: r, nodes: [], edges: [] }]));
  const nodeRequest = new Map<string, string>();
  for (const e of result.edges) {
    const { request, ...edge } = e;
    byRequest.get(request)?.edges.push(edge);
    for (const id of [e.from, e.to]) if (!nodeRequest.has(id)) nodeRequest.set(id, request);
  }
  for (const n of result.nodes) byRequest.get(nodeRequest.get(n.id) ?? result.requests[0])?.nodes.push(n);
  return [...byRequest.values()].filter((g) => g.nodes.length || g.edges.length);
}
