// What every export renders: one or more request graphs (a trace, or the requests a report's
// incidents span) and, optionally, incidents to highlight. Pure: the caller loads graphs and
// incidents from the store; the renderers only turn this into text.
import { mergeEdge, mergeNode } from '../merge';
import { byTimeThenId } from '../graph';
import { PROV_CLASS, type EdgeKind, type GraphWarning, type NodeKind, type ProvClass, type RequestGraph, type UpgEdge, type UpgNode } from '../types';

/** One side of an incident (the report JSON contract): the planting or an affected activation. */
export interface IncidentParty {
  request: string;
  activation: string;
  action?: string;
}

/** What an incident is about: `kind` plus `path`, or `address`/`port`, or `table`/`key` (or a node id). */
export interface IncidentThing {
  kind: string;
  path?: string;
  address?: string;
  port?: number;
  table?: string;
  key?: unknown;
  /** the graph node, when the analysis names it directly */
  node?: string;
}

/**
 * The fields of a stored incident the exports use (`provenance report --json`). Kept loose
 * on purpose: the analyses' own incident type carries more fields and must be assignable to this.
 */
export interface ExportIncident {
  id: string;
  kind: string;
  verdict: string;
  container?: string;
  planter?: IncidentParty;
  victims?: IncidentParty[];
  artifact?: IncidentThing;
  sink?: IncidentThing;
  /** node ids along the causal path, cause first */
  path?: string[];
  detectedAt?: number | string;
  /** a one-line explanation, when the analysis gives one */
  reason?: string;
  /** each piece of evidence the verdict rests on */
  evidence?: string[];
  /** the incident's story in time order, when the analysis tells it (else the exports derive one from the graph) */
  timeline?: IncidentEvent[];
}

/** One step of an incident's timeline as the analyses give it (upg/analyses/types.ts TimelineEvent). */
export interface IncidentEvent {
  time?: number;
  request: string;
  activation: string;
  action?: string;
  /** plant | use | source | carry | send */
  role: string;
  op?: string;
  /** the graph node acted on */
  node: string;
}

export interface ExportInput {
  /** one request's graph, or several (joined by node and edge id: ids are deterministic across requests) */
  graphs: RequestGraph[];
  incidents?: ExportIncident[];
  /** document title; default: "request <id>" or "provenance report" */
  title?: string;
  /** node ids to mark as sensitive sources / outside sinks in PROV exports, beyond what incidents name */
  sensitive?: string[];
  outside?: string[];
}

/** A node as the exports see it: the stored node, or a placeholder for an id an edge names but no record declared. */
export interface ViewNode {
  id: string;
  kind?: NodeKind;
  provClass: ProvClass;
  node?: UpgNode;
  missing: boolean;
}

/** The joined graph every renderer starts from. */
export interface ExportGraph {
  requests: string[];
  nodes: ViewNode[];
  byId: Map<string, ViewNode>;
  /** edges in time order, then id */
  edges: UpgEdge[];
  warnings: Array<GraphWarning & { request: string }>;
}

/** Prefixes of the deterministic node ids (upg/ids.ts), to name the kind of a node no record declared. */
const KIND_BY_PREFIX: Array<[string, NodeKind]> = [
  ['req:', 'request'],
  ['act:', 'activation'],
  ['action:', 'action'],
  ['inv:', 'invoker'],
  ['ctr:', 'container'],
  ['client:', 'client'],
  ['proc:', 'process'],
  ['file:', 'file'],
  ['sock:', 'socket'],
  ['item:', 'item'],
  ['table:', 'item'],
  ['msg:', 'message'],
  ['log:', 'log'],
];

/** The PROV class each end of each relation must have (PROV-DM). */
export const RELATION_ENDS: Record<EdgeKind, [ProvClass, ProvClass]> = {
  used: ['activity', 'entity'],
  wasGeneratedBy: ['entity', 'activity'],
  wasInformedBy: ['activity', 'activity'],
  wasStartedBy: ['activity', 'activity'],
  wasAssociatedWith: ['activity', 'agent'],
  wasDerivedFrom: ['entity', 'entity'],
  wasInvalidatedBy: ['entity', 'activity'],
};

export function combineGraphs(graphs: RequestGraph[]): ExportGraph {
  if (!Array.isArray(graphs) || graphs.length === 0) {
    throw new Error('nothing to export: pass at least one request graph');
  }
  const nodes = new Map<string, UpgNode>();
  const edges = new Map<string, UpgEdge>();
  const warnings: ExportGraph['warnings'] = [];
  for (const g of graphs) {
    for (const n of g.nodes) {
      const known = nodes.get(n.id);
      // Two kinds under one id would be a correlator bug; the first record wins rather than failing the export.
      nodes.set(n.id, known === undefined ? n : known.kind === n.kind ? mergeNode(known, n) : known);
    }
    for (const e of g.edges) edges.set(e.id, edges.has(e.id) ? mergeEdge(edges.get(e.id)!, e) : e);
    for (const w of g.warnings ?? []) warnings.push({ ...w, request: g.request });
  }
  const view = new Map<string, ViewNode>();
  for (const n of [...nodes.values()].sort(byId)) {
    view.set(n.id, { id: n.id, kind: n.kind, provClass: PROV_CLASS[n.kind] ?? 'entity', node: n, missing: false });
  }
  const sortedEdges = [...edges.values()].sort(byTimeThenId);
  for (const e of sortedEdges) {
    const [fromClass, toClass] = RELATION_ENDS[e.kind] ?? ['entity', 'entity'];
    if (!view.has(e.from)) view.set(e.from, placeholder(e.from, fromClass));
    if (!view.has(e.to)) view.set(e.to, placeholder(e.to, toClass));
  }
  const all = [...view.values()].sort(byId);
  return { requests: [...new Set(graphs.map((g) => g.request))], nodes: all, byId: new Map(all.map((n) => [n.id, n])), edges: sortedEdges, warnings };
}

function placeholder(id: string, provClass: ProvClass): ViewNode {
  const kind = KIND_BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1];
  return { id, kind, provClass: kind ? PROV_CLASS[kind] : provClass, missing: true };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Default document title. */
export function titleOf(input: ExportInput, graph: ExportGraph): string {
  if (input.title) return input.title;
  if (input.incidents?.length) return 'provenance report';
  return graph.requests.length === 1 ? `request ${graph.requests[0]}` : `requests ${graph.requests.join(', ')}`;
}
