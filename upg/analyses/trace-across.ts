// Backward (causes) and forward (effects) trace from a request, an activation or an entity, across
// the functions of a request and across requests. It is the time-respecting walk of
// upg/causal-walk.ts (the same frontier, the same rule: backward from a node reached at time T only
// edges at or before T, forward only at or after; network peers are sources and sinks), run over a
// view that grows: when the walk reaches state that outlives an activation (a file in a container,
// a DynamoDB item), it asks the store's entity index who else wrote (backward) or used (forward)
// that entity on the right side of the bound, loads just those requests' graphs, and walks on.
// Never a scan.
import { CausalFrontier, followEdge } from '../causal-walk';
import { byTimeThenId, type Direction } from '../graph';
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
  /** walk through sockets instead of stopping at them (a socket stands for a peer outside the graph) */
  throughSockets?: boolean;
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

/** request graphs loaded at once when a walk crosses into other requests */
const LOADS_AT_ONCE = 16;

/** Entities through which a walk crosses into other requests (state that outlives an activation). */
const CROSSING: ReadonlySet<NodeKind> = new Set(['file', 'item']);

const WALK_DIRECTION: Record<'back' | 'forward', Direction> = { back: 'backward', forward: 'forward' };

export async function traceAcross(source: AnalysisSource, first: RequestGraph, startIds: string[], options: TraceAcrossOptions): Promise<TraceAcrossResult> {
  const maxDepth = options.maxDepth ?? 8;
  const maxRequests = options.maxRequests ?? 200;
  const kinds = options.edgeKinds ? new Set(options.edgeKinds) : undefined;
  const graphs = new Map<string, RequestGraph>([[first.request, first]]);
  let g: CrossGraph = crossGraph([first]);
  let truncated = false;
  for (const id of startIds) if (!g.byId.has(id)) throw new Error(`no node ${id} in the graph of request ${first.request}`);
  const histories = new Map<string, Promise<RequestEdge[]>>();
  const historyOf = (entity: string) => {
    let h = histories.get(entity);
    if (!h) histories.set(entity, (h = source.entityHistory(entity)));
    return h;
  };

  const steps: TraceStep[] = [];
  const reachedEdges = new Set<string>();
  for (const dir of options.direction === 'both' ? (['back', 'forward'] as const) : [options.direction]) {
    const direction = WALK_DIRECTION[dir];
    const frontier = new CausalFrontier<RequestEdge>(
      startIds.map((id) => g.byId.get(id)!),
      direction,
      { maxDepth, kinds: options.edgeKinds, throughSockets: options.throughSockets },
    );
    for (let p = frontier.next(); p; p = frontier.next()) {
      const kind = g.byId.get(p.id)?.kind;
      // The frontier hands out a node again only when it is reached with a looser bound, so each
      // crossing asks again exactly when more of the entity's history can qualify.
      if (kind && CROSSING.has(kind)) {
        const wanted = crossingRequests(await historyOf(p.id), p.id, direction, p.at, kinds).filter((r) => !graphs.has(r));
        let loaded = 0;
        // A few at a time (each is a round trip to the store), taken in order, so the limit keeps
        // the nearest exactly as loading them one by one would.
        for (let next = 0; next < wanted.length; ) {
          if (graphs.size >= maxRequests) {
            truncated = true;
            break;
          }
          const slice = wanted.slice(next, next + Math.min(LOADS_AT_ONCE, maxRequests - graphs.size));
          next += slice.length;
          const got = await Promise.all(slice.map((r) => source.getRequestGraph(r)));
          slice.forEach((r, i) => {
            const graph = got[i];
            if (graph) {
              graphs.set(r, graph);
              loaded++;
            }
            options.onProgress?.(graphs.size);
          });
        }
        if (loaded) g = crossGraph([...graphs.values()]);
      }
      frontier.expand(p, g);
    }
    for (const s of frontier.steps) steps.push({ node: s.node.id, depth: s.depth, direction: dir, ...(s.via ? { via: s.via.id, request: s.via.request } : {}) });
    for (const id of frontier.edges.keys()) reachedEdges.add(id);
  }

  const wanted = options.nodeKinds ? new Set(options.nodeKinds) : undefined;
  const ids = new Set(steps.map((s) => s.node));
  const nodes = [...ids].map((id) => g.byId.get(id)).filter((n): n is UpgNode => n !== undefined && (!wanted || wanted.has(n.kind) || startIds.includes(n.id)));
  const kept = new Set(nodes.map((n) => n.id));
  // the final view's copy of each edge: merged across every request that holds it
  const edges = g.edges.filter((e) => reachedEdges.has(e.id) && (!wanted || (kept.has(e.from) && kept.has(e.to))));
  const requests = [first.request, ...[...graphs.keys()].filter((r) => r !== first.request).sort()];
  return { start: startIds, direction: options.direction, requests, nodes, edges, steps, truncated };
}

/**
 * Requests whose edges at `entity` the walk would follow from it at bound `at` (the same rule as
 * every other edge): backward its writers before the bound, forward its users after. Nearest in
 * time first, so the request limit keeps the most relevant.
 */
export function crossingRequests(history: readonly RequestEdge[], entity: string, direction: Direction, at: number, kinds?: ReadonlySet<EdgeKind>): string[] {
  const qualifying = history.filter((e) => followEdge(e, entity, direction, at, kinds) !== undefined).sort(byTimeThenId);
  const ordered = direction === 'backward' ? qualifying.reverse() : qualifying;
  return [...new Set(ordered.map((e) => e.request))];
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
