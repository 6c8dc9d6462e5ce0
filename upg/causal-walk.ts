// The one walk every trace uses (BEEP / ProTracer backward tracking): going backward from a node
// reached at time T, only edges at or before T can have caused it; going forward, only edges at or
// after T can be its effects. Without this, an entity shared by every execution unit (the DynamoDB
// endpoint's socket, which each iteration writes to and reads from) links every unit to every other
// and a trace from one record explodes back into the whole activation. Edges without a time are
// always followed and do not change the bound.
//
// A network peer is outside the graph: what an activity read from a socket was produced by the peer,
// not by whatever other activities sent that peer earlier (the peer's own state, e.g. a DynamoDB
// item, has nodes of its own). So backward, a socket reached through `used` is a source; forward, a
// socket reached through `wasGeneratedBy` is a sink. `throughSockets: true` walks through them.
//
// The rule lives in `followEdge` and the bookkeeping in `CausalFrontier`; `causalWalk` runs the
// frontier over one request's graph, and upg/analyses/trace-across.ts runs the same frontier over a
// growing view of several requests (loading more at files and items), so both walks are one.
import { CAUSE_END, type Direction, type GraphIndex, type WalkOptions, type WalkResult } from './graph';
import type { EdgeKind, UpgEdge, UpgNode } from './types';

export interface CausalWalkOptions extends WalkOptions {
  throughSockets?: boolean;
}

/** What the walk reads: nodes by id, and each node's edges both ways (GraphIndex and CrossGraph both are one). */
export interface WalkView<E extends UpgEdge = UpgEdge> {
  byId: ReadonlyMap<string, UpgNode>;
  /** edges whose `from` is the node */
  out: ReadonlyMap<string, readonly E[]>;
  /** edges whose `to` is the node */
  in: ReadonlyMap<string, readonly E[]>;
}

/** The bound a start node is reached at: every time qualifies. */
export function openBound(direction: Direction): number {
  return direction === 'backward' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * The time rule for one edge at node `nodeId` reached at bound `at`: the node the edge leads to and
 * the bound it is reached at, or undefined when the edge does not lead away from `nodeId` in this
 * direction, is of a kind not asked for, or is on the wrong side of the bound.
 */
export function followEdge(
  edge: UpgEdge,
  nodeId: string,
  direction: Direction,
  at: number,
  kinds?: ReadonlySet<EdgeKind>,
): { next: string; at: number } | undefined {
  const backward = direction === 'backward';
  // CAUSE_END says which end of each relation is the cause: backward walks to it, forward away from it.
  const [here, next] = backward === (CAUSE_END[edge.kind] === 'to') ? [edge.from, edge.to] : [edge.to, edge.from];
  if (here !== nodeId) return undefined;
  if (kinds && !kinds.has(edge.kind)) return undefined;
  if (edge.time === undefined) return { next, at };
  if (backward ? edge.time > at : edge.time < at) return undefined;
  return { next, at: backward ? Math.min(at, edge.time) : Math.max(at, edge.time) };
}

/** Whether `node`, reached through `edge`, is a network peer the walk stops at (a source or a sink). */
export function isNetworkPeer(node: UpgNode, edge: UpgEdge, direction: Direction, throughSockets = false): boolean {
  return node.kind === 'socket' && !throughSockets && edge.kind === (direction === 'backward' ? 'used' : 'wasGeneratedBy');
}

/** A node waiting to be expanded at a bound. */
export interface Pending {
  id: string;
  depth: number;
  at: number;
}

export interface FrontierStep<E extends UpgEdge> {
  node: UpgNode;
  depth: number;
  via?: E;
}

/**
 * The walk's state: the latest (backward) / earliest (forward) time each node has been reached at,
 * the queue, and what was reached. A node reached again with a looser bound is expanded again,
 * since more of its edges now qualify. Callers alternate `next()` and `expand()`, and may change the
 * view in between (trace-across loads other requests' graphs before expanding a file or an item).
 */
export class CausalFrontier<E extends UpgEdge = UpgEdge> {
  readonly steps: Array<FrontierStep<E>> = [];
  readonly edges = new Map<string, E>();
  readonly missing = new Set<string>();
  private readonly bound = new Map<string, number>();
  private readonly listed = new Set<string>();
  private readonly queue: Pending[] = [];
  private readonly kinds?: ReadonlySet<EdgeKind>;

  constructor(
    starts: readonly UpgNode[],
    readonly direction: Direction,
    private readonly options: CausalWalkOptions = {},
  ) {
    this.kinds = options.kinds ? new Set(options.kinds) : undefined;
    const at = openBound(direction);
    for (const node of starts) {
      if (this.listed.has(node.id)) continue;
      this.listed.add(node.id);
      this.bound.set(node.id, at);
      this.steps.push({ node, depth: 0 });
      this.queue.push({ id: node.id, depth: 0, at });
    }
  }

  /** The next node to expand (breadth first), skipping superseded entries and those at the depth limit. */
  next(): Pending | undefined {
    for (let p = this.queue.shift(); p; p = this.queue.shift()) {
      if (this.bound.get(p.id) !== p.at) continue; // reached since with a looser bound: that entry expands it
      if (this.options.maxDepth !== undefined && p.depth >= this.options.maxDepth) continue;
      return p;
    }
    return undefined;
  }

  /** The bound a node is currently reached at (undefined: not reached). */
  boundOf(id: string): number | undefined {
    return this.bound.get(id);
  }

  /** Follows every edge of `p` in `view` that the time rule allows (edges in the view's time order). */
  expand(p: Pending, view: WalkView<E>): void {
    const backward = this.direction === 'backward';
    for (const edge of (backward ? view.out.get(p.id) : view.in.get(p.id)) ?? []) {
      const step = followEdge(edge, p.id, this.direction, p.at, this.kinds);
      if (!step) continue;
      this.edges.set(edge.id, edge);
      const node = view.byId.get(step.next);
      if (!node) {
        this.missing.add(step.next);
        continue;
      }
      if (isNetworkPeer(node, edge, this.direction, this.options.throughSockets)) {
        this.list(node, p.depth + 1, edge); // a source or a sink: shown, never walked through
        continue;
      }
      const known = this.bound.get(step.next);
      if (known !== undefined && (backward ? known >= step.at : known <= step.at)) continue;
      this.bound.set(step.next, step.at);
      this.list(node, p.depth + 1, edge);
      this.queue.push({ id: step.next, depth: p.depth + 1, at: step.at });
    }
  }

  private list(node: UpgNode, depth: number, via: E): void {
    if (this.listed.has(node.id)) return;
    this.listed.add(node.id);
    this.steps.push({ node, depth, via });
  }
}

/** The time-respecting walk over one request's graph from `startId`. */
export function causalWalk(index: GraphIndex, startId: string, direction: Direction, options: CausalWalkOptions = {}): WalkResult {
  const start = index.byId.get(startId);
  if (!start) throw new Error(`no node ${startId} in the graph of request ${index.graph.request}`);
  const frontier = new CausalFrontier<UpgEdge>([start], direction, options);
  for (let p = frontier.next(); p; p = frontier.next()) frontier.expand(p, index);
  return { steps: frontier.steps, edges: [...frontier.edges.values()], missing: [...frontier.missing].sort() };
}
