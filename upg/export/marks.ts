// Which nodes and edges of the joined graph an incident is about: the planter and victim
// activations, the container, the artifact, the sink, and the causal path (with the edges that
// join consecutive path nodes). Incidents name things as the report contract does (activation ids,
// a container, an artifact by path / address:port / table+key); this finds their node ids.
import { nodeIds, stableJson } from '../ids';
import type { UpgEdge } from '../types';
import type { ExportGraph, ExportIncident, IncidentThing, ViewNode } from './input';

/** What an incident names. */
export type MarkRole = 'planter' | 'victim' | 'container' | 'artifact' | 'sink' | 'path';
/** How a drawn node is highlighted: a MarkRole of an attack, or `shared`, the artifact of benign shared state (a cache). */
export type Role = MarkRole | 'shared';

/** Highlight order: a node with several roles is drawn as the first of these it has. */
export const ROLE_ORDER: Role[] = ['planter', 'victim', 'artifact', 'sink', 'container', 'path', 'shared'];

/** The verdict of an incident that is not an attack: both sides behaved normally (a cache). */
export const BENIGN_VERDICT = 'benign-shared-state';

export interface IncidentMarks {
  incident: ExportIncident;
  /** node ids per role (each list without duplicates, in the incident's order) */
  nodes: Record<MarkRole, string[]>;
  /** ids of graph edges joining consecutive nodes of the causal path */
  pathEdges: string[];
  /** what the incident names that the graph does not hold (shown, never silently dropped) */
  unresolved: string[];
}

export interface Marks {
  incidents: IncidentMarks[];
  /** every role of every marked node */
  roles: Map<string, Set<Role>>;
  pathEdges: Set<string>;
}

export function markIncidents(graph: ExportGraph, incidents: ExportIncident[] = []): Marks {
  const roles = new Map<string, Set<Role>>();
  const pathEdges = new Set<string>();
  const result: IncidentMarks[] = [];
  for (const incident of incidents) {
    const m = markOne(graph, incident);
    result.push(m);
    for (const role of Object.keys(m.nodes) as MarkRole[]) {
      for (const id of m.nodes[role]) {
        const set = roles.get(id) ?? new Set<Role>();
        set.add(role);
        roles.set(id, set);
      }
    }
    for (const e of m.pathEdges) pathEdges.add(e);
  }
  return { incidents: result, roles, pathEdges };
}

/** The first role in ROLE_ORDER a node has, if any. */
export function primaryRole(marks: Marks, id: string): Role | undefined {
  const set = marks.roles.get(id);
  return set ? ROLE_ORDER.find((r) => set.has(r)) : undefined;
}

function markOne(graph: ExportGraph, incident: ExportIncident): IncidentMarks {
  const nodes: Record<MarkRole, string[]> = { planter: [], victim: [], container: [], artifact: [], sink: [], path: [] };
  const unresolved: string[] = [];
  const add = (role: MarkRole, id: string | undefined, what: string) => {
    if (id === undefined || !graph.byId.has(id)) {
      unresolved.push(what);
      return;
    }
    if (!nodes[role].includes(id)) nodes[role].push(id);
  };
  if (incident.planter) add('planter', nodeIds.activation(incident.planter.activation), `planter activation ${incident.planter.activation}`);
  for (const v of incident.victims ?? []) add('victim', nodeIds.activation(v.activation), `victim activation ${v.activation}`);
  const container = incident.container !== undefined ? findContainer(graph, incident.container) : undefined;
  if (incident.container !== undefined) add('container', container, `container ${incident.container}`);
  if (incident.artifact) add('artifact', findThing(graph, incident.artifact, container), `artifact ${describeThing(incident.artifact)}`);
  if (incident.sink) add('sink', findThing(graph, incident.sink, container), `sink ${describeThing(incident.sink)}`);
  for (const id of incident.path ?? []) add('path', id, `path node ${id}`);
  return { incident, nodes, pathEdges: edgesAlong(graph, nodes.path), unresolved };
}

/** An incident's container is a node id ("ctr:inv0/c1") or a bare container id ("c1"). */
function findContainer(graph: ExportGraph, container: string): string | undefined {
  if (graph.byId.has(container)) return container;
  const match = graph.nodes.find((n) => n.node?.kind === 'container' && n.node.containerId === container);
  return match?.id;
}

/** The node an artifact or sink names; inside the incident's container first (files are per container). */
export function findThing(graph: ExportGraph, thing: IncidentThing, container?: string): string | undefined {
  if (thing.node !== undefined && graph.byId.has(thing.node)) return thing.node;
  const candidates = graph.nodes.filter((v) => matches(v, thing));
  const inContainer = candidates.find((v) => v.node?.kind === 'file' && v.node.container === container);
  return (inContainer ?? candidates[0])?.id;
}

function matches(v: ViewNode, thing: IncidentThing): boolean {
  const n = v.node;
  if (!n) return false;
  switch (n.kind) {
    case 'file':
      return thing.path !== undefined && n.path === thing.path;
    case 'socket':
      return thing.address !== undefined && n.address === thing.address && (thing.port === undefined || n.port === Number(thing.port));
    case 'item':
      if (thing.table === undefined || n.table !== thing.table) return false;
      return thing.key === undefined ? n.key === undefined : n.key !== undefined && stableJson(n.key) === stableJson(thing.key);
    case 'process':
      return thing.kind === 'process' && thing.path !== undefined && n.exe === thing.path;
    default:
      return false;
  }
}

export function describeThing(thing: IncidentThing): string {
  if (thing.path !== undefined) return `${thing.kind} ${thing.path}`;
  if (thing.address !== undefined) return `${thing.kind} ${thing.address}${thing.port !== undefined ? `:${thing.port}` : ''}`;
  if (thing.table !== undefined) return `${thing.kind} ${thing.table}${thing.key !== undefined ? ` ${stableJson(thing.key)}` : ''}`;
  return thing.node ?? thing.kind;
}

/** For each consecutive pair of path nodes, the graph edges joining them (either direction). */
function edgesAlong(graph: ExportGraph, path: string[]): string[] {
  const out: string[] = [];
  const pairs = new Set<string>();
  for (let i = 1; i < path.length; i++) pairs.add(`${path[i - 1]}\u0000${path[i]}`).add(`${path[i]}\u0000${path[i - 1]}`);
  for (const e of graph.edges) if (pairs.has(`${e.from}\u0000${e.to}`) && !out.includes(e.id)) out.push(e.id);
  return out;
}

/** The edges of the graph joining consecutive nodes of one path, in path order (for a readable causal chain). */
export function stepEdges(graph: ExportGraph, a: string, b: string): UpgEdge[] {
  return graph.edges.filter((e) => (e.from === a && e.to === b) || (e.from === b && e.to === a));
}
