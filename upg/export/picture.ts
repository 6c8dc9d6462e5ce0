// What the drawn exports (DOT, HTML) show of a graph. Log lines are folded into their activation
// as a count (a chatty action would bury the picture); scope.ts chooses the nodes (with incidents:
// the attacks and a small context, benign shared state as one grey artifact node; without: the
// request graph with large groups of similar leaves folded); edges between the same two nodes
// with the same relation are joined into one; each node gets its highlight role.
import { nodeIds } from '../ids';
import { PROV_CLASS, type EdgeKind, type UpgEdge } from '../types';
import { edgeLabel, nodeLabel } from './describe';
import type { ExportGraph, ExportIncident, ViewNode } from './input';
import { BENIGN_VERDICT, markIncidents, primaryRole, type Marks, type Role } from './marks';
import { chooseScope, type FoldedGroup, type Relevance, type ScopeMode, type ScopeOptions } from './scope';

export interface PictureNode {
  id: string;
  /** the graph node; for a fold, a stand-in with the members' kind and no record */
  view: ViewNode;
  label: string;
  role?: Role;
  /** log lines folded into this activation */
  logs: number;
  /** first time seen (start of an activity, else its first relation), for the layout's order */
  time?: number;
  /** a fold of similar neighbours ("+12 more files"): the graph node ids it stands for, in time order */
  folded?: string[];
  /** benign shared state on this artifact (a cache): how many incidents, write→read handoffs and requests */
  shared?: { incidents: number; handoffs: number; requests: number };
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
  /**
   * Whether the layout places the cause (PROV `to`) left of the effect. False for a relation that
   * runs against an attack's causal path, for reading a socket (the platform's shared endpoints
   * would otherwise chain unrelated requests into one long row) and for reading back one's own output.
   */
  ranks: boolean;
}

export interface PictureScope {
  mode: ScopeMode;
  /** candidate nodes (log lines folded into their activation are not counted) */
  total: number;
  /** graph nodes drawn as themselves */
  drawn: number;
  /** graph nodes hidden inside "+N more" folds */
  hidden: number;
  /** one line for the page header / picture label: what is drawn and what was left out */
  note: string;
}

export interface Picture {
  nodes: PictureNode[];
  edges: PictureEdge[];
  /** every incident, as given (benign ones too) */
  marks: Marks;
  scope: PictureScope;
}

export interface PictureOptions extends ScopeOptions {
  /** draw log lines as nodes instead of folding them (default false) */
  logs?: boolean;
}

export function buildPicture(graph: ExportGraph, incidents: ExportIncident[] | undefined, options: PictureOptions = {}): Picture {
  const marks = markIncidents(graph, incidents);
  const attacks = markIncidents(graph, (incidents ?? []).filter((i) => i.verdict !== BENIGN_VERDICT));
  const sharedState = benignArtifacts(marks);
  const core = attackNodes(graph, attacks);

  const folded = foldLogLines(graph, options.logs === true, core);
  const times = nodeTimes(graph);
  const candidates = graph.nodes.filter((v) => !folded.has(v.id));
  const candidateEdges = graph.edges.filter((e) => !folded.has(e.from) && !folded.has(e.to));
  const incidentsGiven = (incidents ?? []).length > 0;
  const namesSomething = [...core].some((id) => graph.byId.has(id)) || sharedState.size > 0;
  const scope = chooseScope(
    {
      nodes: candidates.map((v) => ({ id: v.id, kind: v.kind, time: times.get(v.id) })),
      edges: candidateEdges,
      core: incidentsGiven && namesSomething ? [...core] : undefined,
      shared: [...sharedState.keys()],
      relevance: (id, _anchor, hop) => (hop === 1 ? contextRelevance(graph, core, id) : 'show'),
    },
    options,
  );

  const logCount = new Map<string, number>();
  for (const owner of folded.values()) if (owner) logCount.set(owner, (logCount.get(owner) ?? 0) + 1);
  const nodes: PictureNode[] = candidates
    .filter((v) => scope.drawn.has(v.id))
    .map((v) => {
      const role = primaryRole(attacks, v.id) ?? (sharedState.has(v.id) ? 'shared' : undefined);
      const n: PictureNode = { id: v.id, view: v, label: nodeLabel(v), logs: logCount.get(v.id) ?? 0, time: times.get(v.id) };
      if (role) n.role = role;
      const shared = sharedState.get(v.id);
      if (shared && role === 'shared') n.shared = shared;
      return n;
    });
  for (const g of scope.folded) nodes.push(foldNode(g, times));

  const grouped = new Map<string, PictureEdge>();
  const join = (e: UpgEdge, from: string, to: string) => {
    const key = `${from}\u0000${to}\u0000${e.kind}`;
    let p = grouped.get(key);
    if (!p) {
      p = { id: `${e.kind}:${from}->${to}`, from, to, kind: e.kind, edges: [], label: '', onPath: false, ranks: true };
      grouped.set(key, p);
    }
    p.edges.push(e);
    if (attacks.pathEdges.has(e.id)) p.onPath = true;
  };
  const foldOf = new Map<string, FoldedGroup>();
  for (const g of scope.folded) for (const id of g.members) foldOf.set(id, g);
  for (const e of candidateEdges) {
    if (scope.drawn.has(e.from) && scope.drawn.has(e.to)) join(e, e.from, e.to);
    // A folded node keeps only its relations with the node it was folded around.
    else if (foldOf.get(e.from)?.anchor === e.to) join(e, foldOf.get(e.from)!.id, e.to);
    else if (foldOf.get(e.to)?.anchor === e.from) join(e, e.from, foldOf.get(e.to)!.id);
  }
  const edges = [...grouped.values()];
  for (const p of edges) p.label = pictureEdgeLabel(p.edges);
  const foldKind = new Map(scope.folded.map((g) => [g.id, g.kind]));
  markRanking(edges, attacks, (id) => graph.byId.get(id)?.kind ?? foldKind.get(id));

  const hidden = scope.folded.reduce((n, g) => n + g.members.length, 0);
  const summary: PictureScope = { mode: scope.mode, total: scope.total, drawn: scope.drawn.size, hidden, note: '' };
  summary.note = scopeNote(summary, scope.folded.length, incidentsGiven && !namesSomething, sharedState);
  return { nodes, edges, marks, scope: summary };
}

function markRanking(edges: PictureEdge[], attacks: Marks, kindOf: (id: string) => string | undefined): void {
  const steps = new Set<string>();
  for (const m of attacks.incidents) {
    const path = m.nodes.path;
    for (let i = 1; i < path.length; i++) steps.add(`${path[i - 1]}\u0000${path[i]}`);
  }
  const wrote = new Set(edges.filter((e) => e.kind === 'wasGeneratedBy').map((e) => `${e.to}\u0000${e.from}`));
  for (const e of edges) {
    if (e.onPath) e.ranks = steps.has(`${e.to}\u0000${e.from}`);
    // Reading a socket is a conversation with a peer, not data another activation left (the
    // platform's API and database sockets are shared by every request); reading back one's own
    // output says nothing about order either.
    else if (e.kind === 'used' && (kindOf(e.to) === 'socket' || wrote.has(`${e.from}\u0000${e.to}`))) e.ranks = false;
  }
}

/** Every node an attack (not benign shared state) names: its roles, its causal path, its timeline. */
function attackNodes(graph: ExportGraph, attacks: Marks): Set<string> {
  const out = new Set<string>(attacks.roles.keys());
  for (const m of attacks.incidents) {
    for (const step of m.incident.timeline ?? []) {
      if (graph.byId.has(step.node)) out.add(step.node);
      const act = nodeIds.activation(step.activation);
      if (graph.byId.has(act)) out.add(act);
    }
  }
  return out;
}

/**
 * Around an attack, what a neighbour adds: the request, action and container an activation belongs
 * to and the things it touched are shown; an invocation message only between two attack
 * activations (others, and other activations, are folded into "+N more"); the invoker and the
 * container's processes say nothing about the attack and are left out. Further hops (context > 1,
 * asked for) show everything.
 */
function contextRelevance(graph: ExportGraph, core: Set<string>, id: string): Relevance {
  const n = graph.byId.get(id)?.node;
  switch (graph.byId.get(id)?.kind) {
    case 'invoker':
    case 'process':
    case 'startup':
    case 'unit':
    case 'client':
    case 'log':
      return 'omit';
    case 'activation':
      return 'fold';
    case 'message':
      return n?.kind === 'message' && n.to !== undefined && core.has(nodeIds.activation(n.from)) && core.has(nodeIds.activation(n.to)) ? 'show' : 'fold';
    default:
      return 'show';
  }
}

/** Artifacts of benign shared state, each with how many incidents, handoffs (write→read) and requests it stands for. */
function benignArtifacts(marks: Marks): Map<string, NonNullable<PictureNode['shared']>> {
  const acc = new Map<string, { incidents: number; handoffs: number; requests: Set<string> }>();
  for (const m of marks.incidents) {
    if (m.incident.verdict !== BENIGN_VERDICT) continue;
    for (const id of m.nodes.artifact) {
      const a = acc.get(id) ?? { incidents: 0, handoffs: 0, requests: new Set<string>() };
      a.incidents += 1;
      a.handoffs += Math.max(1, m.incident.victims?.length ?? 0);
      for (const p of [m.incident.planter, ...(m.incident.victims ?? [])]) if (p) a.requests.add(p.request);
      acc.set(id, a);
    }
  }
  return new Map([...acc].map(([id, a]) => [id, { incidents: a.incidents, handoffs: a.handoffs, requests: a.requests.size }]));
}

/** Log node id -> the activation it folds into ('' when it has none); log lines an attack names stay. */
function foldLogLines(graph: ExportGraph, keepLogs: boolean, keep: Set<string>): Map<string, string> {
  const folded = new Map<string, string>();
  if (keepLogs) return folded;
  const owner = new Map<string, string>();
  for (const e of graph.edges) if (e.kind === 'wasGeneratedBy' && !owner.has(e.from)) owner.set(e.from, e.to);
  for (const v of graph.nodes) {
    // A log line on the causal path stays visible: it is evidence.
    if (v.kind !== 'log' || keep.has(v.id)) continue;
    const o = owner.get(v.id);
    folded.set(v.id, o !== undefined && graph.byId.get(o)?.kind === 'activation' ? o : '');
  }
  return folded;
}

/** An activity's start, else the node's firstSeen, else its first relation's time. */
function nodeTimes(graph: ExportGraph): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of graph.nodes) {
    const n = v.node;
    const t = n && 'start' in n && typeof n.start === 'number' ? n.start : n?.firstSeen;
    if (typeof t === 'number') out.set(v.id, t);
  }
  for (const e of graph.edges) {
    if (e.time === undefined) continue;
    for (const id of [e.from, e.to]) if (!out.has(id)) out.set(id, e.time);
  }
  return out;
}

function foldNode(g: FoldedGroup, times: Map<string, number>): PictureNode {
  const provClass = g.kind ? PROV_CLASS[g.kind] : 'entity';
  const first = g.members.map((id) => times.get(id)).find((t) => t !== undefined);
  return {
    id: g.id,
    view: { id: g.id, kind: g.kind, provClass, missing: false },
    label: `+${g.members.length} more ${plural(g.kind ?? 'node')}`,
    logs: 0,
    time: first,
    folded: g.members,
  };
}

function plural(kind: string): string {
  return kind.endsWith('s') ? `${kind}es` : `${kind}s`;
}

function scopeNote(s: PictureScope, folds: number, unresolved: boolean, shared: Map<string, NonNullable<PictureNode['shared']>>): string {
  const hiddenText = s.hidden ? `; ${s.hidden} similar neighbours folded into ${folds} "+N more" node${folds === 1 ? '' : 's'}` : '';
  if (s.mode === 'full') return `all ${s.total} nodes`;
  if (s.mode === 'request') {
    const prefix = unresolved ? 'the incidents name no node of these graphs: ' : '';
    return s.hidden ? `${prefix}showing ${s.drawn} of ${s.total} nodes${hiddenText}` : `${prefix}all ${s.total} nodes`;
  }
  const benign = [...shared.values()].reduce((n, a) => n + a.incidents, 0);
  const benignText = benign ? `; ${benign} benign shared-state incident${benign === 1 ? '' : 's'} drawn as ${shared.size} grey artifact node${shared.size === 1 ? '' : 's'}` : '';
  return `showing ${s.drawn} of ${s.total} nodes: attack paths and their context${hiddenText}${benignText}`;
}

/** "used GetItem" for one edge; "used GetItem, Query ×2" for several. */
function pictureEdgeLabel(edges: UpgEdge[]): string {
  if (edges.length === 1) return edgeLabel(edges[0]);
  const ops = new Map<string, number>();
  for (const e of edges) ops.set(e.op ?? e.kind, (ops.get(e.op ?? e.kind) ?? 0) + (e.count ?? 1));
  const text = [...ops.entries()].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
  return `${edges[0].kind} ${text}`;
}
