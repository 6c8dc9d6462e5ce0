// Graph helpers over one RequestGraph: an index (by id, out/in edges), walks toward causes
// (backward) or effects (forward), and the tree of activations (who invoked whom).
//
// Every PROV relation points from the dependent thing to what it depends on: an activity `used`
// an entity, an entity `wasGeneratedBy` an activity, the informed `wasInformedBy` its informant,
// the started `wasStartedBy` its starter, an activity `wasAssociatedWith` its agent, the derived
// `wasDerivedFrom` its source, an entity `wasInvalidatedBy` the activity that ended it. So walking
// backward (toward causes) follows edges from -> to, and forward (toward effects) follows to -> from.
import type { ActivationNode, EdgeKind, RequestGraph, UpgEdge, UpgNode } from './types';
import { nodeIds } from './ids';

/** Which end of each relation is the cause. Kept as a table so a new relation must be placed. */
export const CAUSE_END: Record<EdgeKind, 'to'> = {
  used: 'to',
  wasGeneratedBy: 'to',
  wasInformedBy: 'to',
  wasStartedBy: 'to',
  wasAssociatedWith: 'to',
  wasDerivedFrom: 'to',
  wasInvalidatedBy: 'to',
};

export interface GraphIndex {
  graph: RequestGraph;
  byId: Map<string, UpgNode>;
  /** edges leaving a node (node is `from`), in time order */
  out: Map<string, UpgEdge[]>;
  /** edges arriving at a node (node is `to`), in time order */
  in: Map<string, UpgEdge[]>;
}

export function indexGraph(graph: RequestGraph): GraphIndex {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out = new Map<string, UpgEdge[]>();
  const inn = new Map<string, UpgEdge[]>();
  for (const e of [...graph.edges].sort(byTimeThenId)) {
    push(out, e.from, e);
    push(inn, e.to, e);
  }
  return { graph, byId, out, in: inn };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function byTimeThenId(a: { time?: number; id: string }, b: { time?: number; id: string }): number {
  const ta = a.time ?? Number.POSITIVE_INFINITY;
  const tb = b.time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export type Direction = 'backward' | 'forward';

export interface WalkOptions {
  /** stop after this many edges from the start (default: no limit) */
  maxDepth?: number;
  /** follow only these relations (default: all) */
  kinds?: EdgeKind[];
}

export interface WalkStep {
  node: UpgNode;
  depth: number;
  /** the edge that reached this node (absent for the start) */
  via?: UpgEdge;
}

export interface WalkResult {
  /** nodes in the order reached (breadth first, edges in time order) */
  steps: WalkStep[];
  edges: UpgEdge[];
  /** ids edges pointed to that the graph does not hold */
  missing: string[];
}

/**
 * Breadth-first reachability from `startId` toward causes (backward) or effects (forward), blind to
 * time. Traces use upg/causal-walk.ts (the time rule, sockets as sources and sinks) instead: this one
 * explodes through any entity many activities share.
 */
export function walk(index: GraphIndex, startId: string, direction: Direction, options: WalkOptions = {}): WalkResult {
  const start = index.byId.get(startId);
  if (!start) throw new Error(`no node ${startId} in the graph of request ${index.graph.request}`);
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  const seen = new Set([startId]);
  const steps: WalkStep[] = [{ node: start, depth: 0 }];
  const edges: UpgEdge[] = [];
  const missing = new Set<string>();
  for (let i = 0; i < steps.length; i++) {
    const { node, depth } = steps[i];
    if (options.maxDepth !== undefined && depth >= options.maxDepth) continue;
    const candidates = direction === 'backward' ? index.out.get(node.id) : index.in.get(node.id);
    for (const edge of candidates ?? []) {
      if (kinds && !kinds.has(edge.kind)) continue;
      // CAUSE_END says every relation's cause is `to`: backward goes to `to`, forward to `from`.
      const nextId = (direction === 'backward') === (CAUSE_END[edge.kind] === 'to') ? edge.to : edge.from;
      edges.push(edge);
      if (seen.has(nextId)) continue;
      seen.add(nextId);
      const next = index.byId.get(nextId);
      if (!next) {
        missing.add(nextId);
        continue;
      }
      steps.push({ node: next, depth: depth + 1, via: edge });
    }
  }
  return { steps, edges, missing: [...missing].sort() };
}

/** One activation in the invocation tree; `node` is absent when only its invoker's record names it. */
export interface ActivationTreeNode {
  activationId: string;
  node?: ActivationNode;
  /** the invoked action as the parent named it, when the child's own records are missing */
  invokedAs?: string;
  children: ActivationTreeNode[];
}

/**
 * The activations of a request as a tree of nested invocations, roots and children in start
 * time order. A child is known from its parent's invocation (wasStartedBy) or its own `parent`.
 */
export function activationTree(index: GraphIndex): ActivationTreeNode[] {
  const activations = index.graph.nodes.filter((n): n is ActivationNode => n.kind === 'activation');
  const tree = new Map<string, ActivationTreeNode>();
  for (const a of activations) tree.set(a.activationId, { activationId: a.activationId, node: a, children: [] });
  const parentOf = new Map<string, string>();
  for (const a of activations) if (a.parent !== undefined) parentOf.set(a.activationId, a.parent);
  // Invocation edges also name children whose own records never arrived.
  const invokedAs = new Map<string, string>();
  const messageChild = new Map<string, string>(); // activation node id -> activation id
  for (const n of index.graph.nodes) {
    if (n.kind !== 'message' || n.to === undefined) continue;
    invokedAs.set(n.to, n.action);
    messageChild.set(nodeIds.activation(n.to), n.to);
  }
  for (const e of index.graph.edges) {
    if (e.kind !== 'wasStartedBy') continue;
    const child = index.byId.get(e.from);
    const parent = index.byId.get(e.to);
    if (parent?.kind !== 'activation' || (child && child.kind !== 'activation')) continue;
    const childId = child ? (child as ActivationNode).activationId : messageChild.get(e.from);
    if (childId === undefined) continue;
    if (!tree.has(childId)) tree.set(childId, { activationId: childId, invokedAs: invokedAs.get(childId), children: [] });
    if (!parentOf.has(childId)) parentOf.set(childId, parent.activationId);
  }
  const roots: ActivationTreeNode[] = [];
  for (const [id, t] of tree) {
    const parentId = parentOf.get(id);
    const parent = parentId !== undefined && !createsCycle(id, parentOf) ? tree.get(parentId) : undefined;
    if (parent) parent.children.push(t);
    else roots.push(t);
  }
  const order = (a: ActivationTreeNode, b: ActivationTreeNode) => {
    const sa = a.node?.start ?? Number.POSITIVE_INFINITY;
    const sb = b.node?.start ?? Number.POSITIVE_INFINITY;
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a.activationId < b.activationId ? -1 : a.activationId > b.activationId ? 1 : 0;
  };
  const sortDeep = (list: ActivationTreeNode[]) => {
    list.sort(order);
    for (const t of list) sortDeep(t.children);
  };
  sortDeep(roots);
  return roots;
}

/** Whether `id` is its own ancestor (hostile or broken parent fields): such an activation is shown as a root. */
function createsCycle(id: string, parentOf: Map<string, string>): boolean {
  const seen = new Set<string>();
  for (let cur = parentOf.get(id); cur !== undefined; cur = parentOf.get(cur)) {
    if (cur === id) return true;
    if (seen.has(cur)) return false; // a cycle above, not through this one
    seen.add(cur);
  }
  return false;
}

/** The activations a given activation invoked, in start order. */
export function childActivations(index: GraphIndex, activationId: string): ActivationTreeNode[] {
  const find = (list: ActivationTreeNode[]): ActivationTreeNode | undefined => {
    for (const t of list) {
      if (t.activationId === activationId) return t;
      const hit = find(t.children);
      if (hit) return hit;
    }
    return undefined;
  };
  return find(activationTree(index))?.children ?? [];
}
