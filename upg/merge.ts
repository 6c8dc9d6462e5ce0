// Merging two copies of one node (same id) seen in different records or batches: the union of
// what each knows. Order-independent for the time fields (min/max), so fragments of one request
// can be merged in any order (retries, batches out of order) and give the same node.
import type { GraphFragment, GraphWarning, RequestGraph, UpgEdge, UpgNode } from './types';

type Fields = Record<string, unknown>;

/** Fields whose merge is the earliest / latest value rather than "first known wins". */
const EARLIEST = new Set(['firstSeen', 'start']);
const LATEST = new Set(['lastSeen', 'end']);

export function mergeNode<N extends UpgNode>(existing: N, incoming: N): N {
  if (existing.id !== incoming.id || existing.kind !== incoming.kind) {
    throw new Error(`cannot merge node ${incoming.id} (${incoming.kind}) into ${existing.id} (${existing.kind})`);
  }
  const a = existing as unknown as Fields;
  const b = incoming as unknown as Fields;
  const out: Fields = { ...a };
  for (const [field, value] of Object.entries(b)) {
    if (value === undefined) continue;
    const current = out[field];
    if (current === undefined) out[field] = value;
    else if (EARLIEST.has(field) && typeof value === 'number' && typeof current === 'number') out[field] = Math.min(current, value);
    else if (LATEST.has(field) && typeof value === 'number' && typeof current === 'number') out[field] = Math.max(current, value);
  }
  // A request's entry action is the one that started first: it follows the earliest start.
  if (existing.kind === 'request' && incoming.kind === 'request') {
    const entry = pickEarliest(existing.start, existing.entry, incoming.start, incoming.entry);
    if (entry !== undefined) out.entry = entry;
  }
  return out as unknown as N;
}

function pickEarliest(startA?: number, entryA?: string, startB?: number, entryB?: string): string | undefined {
  if (entryA === undefined) return entryB;
  if (entryB === undefined) return entryA;
  if (startB !== undefined && (startA === undefined || startB < startA)) return entryB;
  return entryA;
}

/** Two copies of one edge (same id) describe the same operations: keep the first, fill what it lacks. */
export function mergeEdge(existing: UpgEdge, incoming: UpgEdge): UpgEdge {
  const out: Fields = { ...(existing as unknown as Fields) };
  for (const [field, value] of Object.entries(incoming as unknown as Fields)) {
    if (value !== undefined && out[field] === undefined) out[field] = value;
  }
  if (existing.time !== undefined && incoming.time !== undefined) out.time = Math.min(existing.time, incoming.time);
  return out as unknown as UpgEdge;
}

/** The union of fragments of one request (in any order): what the store returns for it. */
export function mergeFragments(request: string, fragments: GraphFragment[]): RequestGraph {
  const nodes = new Map<string, UpgNode>();
  const edges = new Map<string, UpgEdge>();
  const warnings = new Map<string, GraphWarning>();
  for (const f of fragments) {
    if (f.request !== request) continue;
    for (const n of f.nodes) nodes.set(n.id, nodes.has(n.id) ? mergeNode(nodes.get(n.id)!, n) : n);
    for (const e of f.edges) edges.set(e.id, edges.has(e.id) ? mergeEdge(edges.get(e.id)!, e) : e);
    for (const w of f.warnings ?? []) warnings.set([w.code, w.activationId ?? '', w.message].join('\u0000'), w);
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const graph: RequestGraph = { request, nodes: [...nodes.values()].sort(byId), edges: [...edges.values()].sort(byId) };
  if (warnings.size) graph.warnings = [...warnings.values()];
  return graph;
}
