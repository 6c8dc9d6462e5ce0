// Several request graphs joined into one view (node and edge ids are deterministic across requests,
// so a file left in a container is one node however many requests touched it), with what every
// analysis asks: who is the activation behind an edge, which edges touch a node, in time order. Pure.
import { mergeEdge, mergeNode } from '../merge';
import { byTimeThenId } from '../graph';
import type { ActivationNode, ProcessNode, RequestGraph, UpgEdge, UpgNode } from '../types';

/** An edge with the request whose graph holds it. */
export type RequestEdge = UpgEdge & { request: string };

export interface CrossGraph {
  requests: string[];
  byId: Map<string, UpgNode>;
  /** every edge, time order then id */
  edges: RequestEdge[];
  out: Map<string, RequestEdge[]>;
  in: Map<string, RequestEdge[]>;
  /** activation id -> node (from the graphs and the container index) */
  activations: Map<string, ActivationNode>;
  /** activations whose own graph was given (their behaviour is known) */
  observed: Set<string>;
}

export function crossGraph(graphs: readonly RequestGraph[], extraActivations: readonly ActivationNode[] = []): CrossGraph {
  const byId = new Map<string, UpgNode>();
  const edges = new Map<string, RequestEdge>();
  const requests = new Set<string>();
  const put = (n: UpgNode) => {
    const known = byId.get(n.id);
    byId.set(n.id, known === undefined ? n : known.kind === n.kind ? mergeNode(known, n) : known);
  };
  for (const g of graphs) {
    requests.add(g.request);
    for (const n of g.nodes) put(n);
    for (const e of g.edges) {
      const known = edges.get(e.id);
      edges.set(e.id, known ? { ...mergeEdge(known, e), request: known.request } : { ...e, request: g.request });
    }
  }
  const observed = new Set<string>();
  for (const n of byId.values()) if (n.kind === 'activation') observed.add(n.activationId);
  for (const a of extraActivations) put(a);
  const sorted = [...edges.values()].sort(byTimeThenId);
  const out = new Map<string, RequestEdge[]>();
  const inn = new Map<string, RequestEdge[]>();
  for (const e of sorted) {
    push(out, e.from, e);
    push(inn, e.to, e);
  }
  const activations = new Map<string, ActivationNode>();
  for (const n of byId.values()) if (n.kind === 'activation') activations.set(n.activationId, n);
  return { requests: [...requests].sort(), byId, edges: sorted, out, in: inn, activations, observed };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every edge that has `id` at either end, time order. */
export function edgesAt(g: CrossGraph, id: string): RequestEdge[] {
  return [...(g.out.get(id) ?? []), ...(g.in.get(id) ?? [])].sort(byTimeThenId);
}

/**
 * The activation whose behaviour an edge's `actorId` end stands for: the activation itself, a
 * process it (or its descendants) started, or else the activation the edge says it records.
 * Kernel facts name processes; the wrapper's name activations: both lead to an activation.
 */
export function actingActivation(g: CrossGraph, actorId: string, edge?: UpgEdge): ActivationNode | undefined {
  const seen = new Set<string>();
  for (let id: string | undefined = actorId; id !== undefined && !seen.has(id); ) {
    seen.add(id);
    const node = g.byId.get(id);
    if (node?.kind === 'activation') return node;
    if (node?.kind !== 'process') break;
    id = starterOf(g, node);
  }
  if (edge?.activationId !== undefined) return g.activations.get(edge.activationId);
  return undefined;
}

/** the activity that started a process (wasStartedBy), if the graphs know it */
export function starterOf(g: CrossGraph, p: ProcessNode): string | undefined {
  return (g.out.get(p.id) ?? []).find((e) => e.kind === 'wasStartedBy')?.to;
}

/** The activations of one container, in start order (from the graphs and any given list). */
export function containerActivationsIn(g: CrossGraph, containerId: string): ActivationNode[] {
  return [...g.activations.values()]
    .filter((a) => a.container === containerId)
    .sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity) || (a.activationId < b.activationId ? -1 : 1));
}

/** LMS-CFG deviations an activation carries, if the correlator's LMS stage flagged any (lms/: optional field). */
export function deviationsOf(a: ActivationNode | undefined): number {
  const d = (a as { deviations?: unknown } | undefined)?.deviations;
  if (Array.isArray(d)) return d.length;
  if (typeof d === 'number' && Number.isFinite(d)) return d;
  if (d === true) return 1;
  return 0;
}

export function partyOf(a: ActivationNode): { request: string; activation: string; action: string } {
  return { request: a.requestId, activation: a.activationId, action: a.action };
}
