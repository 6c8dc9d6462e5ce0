// What the drawn exports (DOT, HTML) show of a graph: every node except log lines (folded into
// their activation as a count, since a chatty action would bury the picture), edges between the
// same two nodes with the same relation joined into one, and each node's highlight role.
import type { EdgeKind, UpgEdge } from '../types';
import { edgeLabel, nodeLabel } from './describe';
import type { ExportGraph, ViewNode } from './input';
import { markIncidents, primaryRole, type Marks, type Role } from './marks';
import type { ExportIncident } from './input';

export interface PictureNode {
  id: string;
  view: ViewNode;
  label: string;
  role?: Role;
  /** log lines folded into this activation */
  logs: number;
}

export interface PictureEdge {
  /** deterministic: from, to and relation */
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** the graph edges this stands for, in time order */
  edges: UpgEdge[];
  label: string;
  onPath: boolean;
}

export interface Picture {
  nodes: PictureNode[];
  edges: PictureEdge[];
  marks: Marks;
}

export interface PictureOptions {
  /** draw log lines as nodes instead of folding them (default false) */
  logs?: boolean;
}

export function buildPicture(graph: ExportGraph, incidents: ExportIncident[] | undefined, options: PictureOptions = {}): Picture {
  const marks = markIncidents(graph, incidents);
  const folded = new Map<string, string>(); // log node id -> activation node id it folds into
  if (!options.logs) {
    for (const v of graph.nodes) {
      // A log line on the causal path stays visible: it is evidence.
      if (v.kind !== 'log' || marks.roles.has(v.id)) continue;
      const owner = graph.edges.find((e) => e.from === v.id && e.kind === 'wasGeneratedBy')?.to;
      const ownerNode = owner !== undefined ? graph.byId.get(owner) : undefined;
      if (owner !== undefined && ownerNode?.kind === 'activation') folded.set(v.id, owner);
      else folded.set(v.id, '');
    }
  }
  const logCount = new Map<string, number>();
  for (const owner of folded.values()) if (owner) logCount.set(owner, (logCount.get(owner) ?? 0) + 1);
  const nodes: PictureNode[] = graph.nodes
    .filter((v) => !folded.has(v.id))
    .map((v) => ({ id: v.id, view: v, label: nodeLabel(v), role: primaryRole(marks, v.id), logs: logCount.get(v.id) ?? 0 }));
  const grouped = new Map<string, PictureEdge>();
  for (const e of graph.edges) {
    if (folded.has(e.from) || folded.has(e.to)) continue;
    const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
    let p = grouped.get(key);
    if (!p) {
      p = { id: `${e.kind}:${e.from}->${e.to}`, from: e.from, to: e.to, kind: e.kind, edges: [], label: '', onPath: false };
      grouped.set(key, p);
    }
    p.edges.push(e);
    if (marks.pathEdges.has(e.id)) p.onPath = true;
  }
  const edges = [...grouped.values()];
  for (const p of edges) p.label = pictureEdgeLabel(p.edges);
  return { nodes, edges, marks };
}

/** "used GetItem" for one edge; "used GetItem, Query ×2" for several. */
function pictureEdgeLabel(edges: UpgEdge[]): string {
  if (edges.length === 1) return edgeLabel(edges[0]);
  const ops = new Map<string, number>();
  for (const e of edges) ops.set(e.op ?? e.kind, (ops.get(e.op ?? e.kind) ?? 0) + (e.count ?? 1));
  const text = [...ops.entries()].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
  return `${edges[0].kind} ${text}`;
}
