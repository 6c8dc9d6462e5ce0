// Which nodes a drawn export (HTML, DOT) shows. A report's requests hold hundreds of nodes (a cold
// start reads hundreds of files), so the picture is chosen rather than dumped:
// - attack view (incidents given): the nodes each attack names (planter, victims, container,
//   artifact, sink, causal path, timeline) plus `context` hops around them; a group of similar
//   neighbours of one node (same relation, same kind) larger than `foldAbove` becomes one
//   "+N more" node. Benign shared state (a cache) is not expanded: its artifact alone is drawn.
// - request view (no incidents): the whole request graph, but large groups of similar leaves
//   (the files a cold start reads) are folded the same way.
// - full: everything (log lines are still folded into their activation by picture.ts).
// Pure: takes the candidate nodes and edges (log lines already folded away) and returns ids.
import type { EdgeKind, NodeKind, UpgEdge } from '../types';
import { byTimeThenId } from '../graph';

export type ScopeMode = 'attack' | 'request' | 'full';

export interface ScopeOptions {
  /** draw every node (default false) */
  full?: boolean;
  /** hops of context around the attack nodes (default 1; 0: the attack nodes only) */
  context?: number;
  /** a group of similar neighbours larger than this is folded into one "+N more" node (default: 3 around attacks, 8 in a request) */
  foldAbove?: number;
}

export interface ScopeNode {
  id: string;
  kind?: NodeKind;
  /** first time seen, to keep what is drawn and folded in time order */
  time?: number;
}

/** Similar neighbours of one drawn node, folded into one node. */
export interface FoldedGroup {
  /** deterministic: "more:" + anchor + relation + kind */
  id: string;
  /** the drawn node they are neighbours of */
  anchor: string;
  /** the relation joining them to the anchor (the first one, in time order, for each member) */
  relation: EdgeKind;
  /** true when the members are the relation's `from` end (they depend on the anchor) */
  membersAreFrom: boolean;
  kind?: NodeKind;
  /** folded node ids, in time order */
  members: string[];
}

export interface Scope {
  mode: ScopeMode;
  /** ids of the graph nodes drawn as themselves */
  drawn: Set<string>;
  folded: FoldedGroup[];
  /** the nodes the attacks name (empty outside the attack view) */
  core: Set<string>;
  /** how many candidate nodes there were */
  total: number;
}

export interface ScopeInput {
  nodes: ScopeNode[];
  edges: UpgEdge[];
  /** nodes the attacks (not benign shared state) name; undefined: no incidents (request view) */
  core?: string[];
  /** artifacts of benign shared state, drawn alone */
  shared?: string[];
  /**
   * How a context neighbour of `anchor` may appear (attack view): `show` (drawn, or folded when
   * its group is large), `fold` (only ever inside a "+N more" node), `omit` (not drawn at all;
   * still counted in what was left out). `hop` counts from 1 (a neighbour of an attack node).
   * Default: show.
   */
  relevance?: (id: string, anchor: string, hop: number) => Relevance;
}

export type Relevance = 'show' | 'fold' | 'omit';

export const DEFAULT_CONTEXT = 1;
export const DEFAULT_FOLD_ATTACK = 3;
export const DEFAULT_FOLD_REQUEST = 8;

export function chooseScope(input: ScopeInput, options: ScopeOptions = {}): Scope {
  const all = new Set(input.nodes.map((n) => n.id));
  if (options.context !== undefined && (!Number.isInteger(options.context) || options.context < 0)) {
    throw new Error(`context must be a whole number of hops (0 or more), got ${JSON.stringify(options.context)}`);
  }
  if (options.foldAbove !== undefined && (!Number.isInteger(options.foldAbove) || options.foldAbove < 1)) {
    throw new Error(`foldAbove must be a whole number of nodes (1 or more), got ${JSON.stringify(options.foldAbove)}`);
  }
  if (options.full) return { mode: 'full', drawn: all, folded: [], core: new Set(), total: all.size };
  const graph = new Neighbourhood(input.nodes, input.edges);
  if (input.core === undefined) {
    return { ...foldLeaves(graph, options.foldAbove ?? DEFAULT_FOLD_REQUEST), mode: 'request', core: new Set(), total: all.size };
  }
  const core = new Set(input.core.filter((id) => all.has(id)));
  const drawn = new Set([...core, ...(input.shared ?? []).filter((id) => all.has(id))]);
  const foldAbove = options.foldAbove ?? DEFAULT_FOLD_ATTACK;
  const relevance = input.relevance ?? (() => 'show');
  const groups = new Map<string, FoldedGroup>();
  const foldOnly = new Set<string>();
  let frontier = graph.sorted([...core]);
  for (let hop = 0; hop < (options.context ?? DEFAULT_CONTEXT) && frontier.length; hop++) {
    const next: string[] = [];
    const judged = (id: string, anchor: string) => {
      const r = relevance(id, anchor, hop + 1);
      if (r === 'fold') foldOnly.add(id);
      return r !== 'omit';
    };
    for (const group of graph.groupsAround(frontier, drawn, judged)) {
      if (group.members.length > foldAbove) {
        groups.set(group.id, group);
        continue;
      }
      const folded = group.members.filter((id) => foldOnly.has(id));
      if (folded.length) groups.set(group.id, { ...group, members: folded });
      for (const id of group.members.filter((m) => !foldOnly.has(m))) {
        if (drawn.has(id)) continue;
        drawn.add(id);
        next.push(id);
      }
    }
    frontier = graph.sorted(next);
  }
  return { mode: 'attack', drawn, folded: settle(groups, drawn, foldOnly), core, total: all.size };
}

/** The request view: every node, except groups of similar leaves (one neighbour only) larger than foldAbove. */
function foldLeaves(graph: Neighbourhood, foldAbove: number): { drawn: Set<string>; folded: FoldedGroup[] } {
  const leaves = new Set(graph.ids.filter((id) => graph.neighbours(id).length === 1));
  const anchors = graph.sorted(graph.ids.filter((id) => !leaves.has(id)));
  const groups = new Map<string, FoldedGroup>();
  for (const group of graph.groupsAround(anchors, new Set(), (id) => leaves.has(id))) {
    if (group.members.length > foldAbove) groups.set(group.id, group);
  }
  const hidden = new Set([...groups.values()].flatMap((g) => g.members));
  const drawn = new Set(graph.ids.filter((id) => !hidden.has(id)));
  return { drawn, folded: settle(groups, drawn) };
}

/**
 * Members drawn anyway (another anchor showed them) leave their fold; a fold left with one member
 * draws that member instead (a "+1 more" node hides nothing), unless it may only appear folded.
 * Repeated until nothing changes.
 */
function settle(groups: Map<string, FoldedGroup>, drawn: Set<string>, foldOnly: Set<string> = new Set()): FoldedGroup[] {
  let list = [...groups.values()];
  for (let changed = true; changed; ) {
    changed = false;
    const kept: FoldedGroup[] = [];
    for (const g of list) {
      const members = g.members.filter((id) => !drawn.has(id));
      if (members.length === 1 && !foldOnly.has(members[0])) {
        drawn.add(members[0]);
        changed = true;
      } else if (members.length > 1 || (members.length === 1 && foldOnly.has(members[0]))) kept.push({ ...g, members });
    }
    list = kept;
  }
  // A node can sit in the folds of two anchors: count it once, in the first fold (by anchor id).
  const seen = new Set<string>();
  return list
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((g) => ({ ...g, members: g.members.filter((id) => !seen.has(id) && (seen.add(id), true)) }))
    .filter((g) => g.members.length > 0);
}

/** Adjacency of the candidate graph, in time order. */
class Neighbourhood {
  readonly ids: string[];
  private readonly kind = new Map<string, NodeKind | undefined>();
  private readonly rank = new Map<string, number>();
  private readonly touching = new Map<string, UpgEdge[]>();

  constructor(nodes: ScopeNode[], edges: UpgEdge[]) {
    const ordered = [...nodes].sort(byTimeThenId);
    this.ids = ordered.map((n) => n.id);
    ordered.forEach((n, i) => {
      this.kind.set(n.id, n.kind);
      this.rank.set(n.id, i);
    });
    for (const e of [...edges].sort(byTimeThenId)) {
      if (e.from === e.to || !this.rank.has(e.from) || !this.rank.has(e.to)) continue;
      push(this.touching, e.from, e);
      push(this.touching, e.to, e);
    }
  }

  sorted(ids: string[]): string[] {
    return [...new Set(ids)].sort((a, b) => this.rank.get(a)! - this.rank.get(b)!);
  }

  neighbours(id: string): string[] {
    return [...new Set((this.touching.get(id) ?? []).map((e) => (e.from === id ? e.to : e.from)))];
  }

  /**
   * For each anchor, its neighbours not yet drawn, grouped by (first relation with the anchor,
   * direction, kind). Each neighbour joins one group per anchor.
   */
  groupsAround(anchors: string[], drawn: Set<string>, accept: (id: string, anchor: string) => boolean = () => true): FoldedGroup[] {
    const out: FoldedGroup[] = [];
    for (const anchor of anchors) {
      const byKey = new Map<string, FoldedGroup>();
      const placed = new Set<string>();
      for (const e of this.touching.get(anchor) ?? []) {
        const other = e.from === anchor ? e.to : e.from;
        if (drawn.has(other) || placed.has(other) || !accept(other, anchor)) continue;
        placed.add(other);
        const membersAreFrom = e.from === other;
        const kind = this.kind.get(other);
        const id = `more:${anchor}:${membersAreFrom ? '<-' : '->'}${e.kind}:${kind ?? 'node'}`;
        let g = byKey.get(id);
        if (!g) {
          g = { id, anchor, relation: e.kind, membersAreFrom, kind, members: [] };
          byKey.set(id, g);
          out.push(g);
        }
        g.members.push(other);
      }
    }
    for (const g of out) g.members = this.sorted(g.members);
    return out;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
