// The LMS-CFG from per-function graphs, as pure set computations (no TypeScript in here).
// Each function's graph has event nodes (a log site or a unit boundary), call nodes (into another
// function's graph) and plain nodes. Summaries per function (FIRST: events that can come first,
// LAST: events that can come last, EPS in FIRST: it can finish without an event) are computed to a
// fixpoint across calls, so a callee's last event connects only to what follows *that* call.

export const EPS = '';

export type GNode =
  | { kind: 'event'; site: string; succ: number[] }
  | { kind: 'call'; callee: string; parallel?: boolean; /** the callee runs at a time nobody can know (a callback, an unawaited promise) */ deferred?: boolean; succ: number[] }
  | { kind: 'plain'; succ: number[] }
  | { kind: 'end'; succ: number[] };

export interface FnGraph {
  key: string;
  nodes: GNode[];
  start: number;
  end: number;
}

interface Summary {
  first: Set<string>;
  last: Set<string>;
  /** every event the function can produce, itself or in callees (for concurrent callbacks) */
  all: Set<string>;
  /** per node: events that can come first from it on (EPS: the function's end without one) */
  r: Set<string>[];
}

export interface CfgEdges {
  /** site (or ENTRY) -> sites (or EXIT) that can follow */
  edges: Map<string, Set<string>>;
  /** sites that may run at any later time: every event of a deferred call's callee, and of the escaped roots */
  deferred: Set<string>;
  summaries: Map<string, Summary>;
}

function union(into: Set<string>, from: Iterable<string>, skipEps = false): boolean {
  let changed = false;
  for (const x of from) {
    if (skipEps && x === EPS) continue;
    if (!into.has(x)) {
      into.add(x);
      changed = true;
    }
  }
  return changed;
}

const EMPTY_SUMMARY = (): Summary => ({ first: new Set([EPS]), last: new Set(), all: new Set(), r: [] });

/** Summaries of every function, iterated to a fixpoint (recursion converges: sets only grow). */
export function summarize(fns: ReadonlyMap<string, FnGraph>): Map<string, Summary> {
  const sums = new Map<string, Summary>();
  for (const [k, g] of fns) sums.set(k, { first: new Set(), last: new Set(), all: new Set(), r: g.nodes.map(() => new Set<string>()) });
  const get = (k: string): Summary => sums.get(k) ?? EMPTY_SUMMARY();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [k, g] of fns) {
      const s = sums.get(k)!;
      // backward dataflow inside the function until stable
      for (let inner = true; inner; ) {
        inner = false;
        for (let i = g.nodes.length - 1; i >= 0; i--) {
          const n = g.nodes[i]!;
          const r = s.r[i]!;
          if (n.kind === 'end') inner = union(r, [EPS]) || inner;
          else if (n.kind === 'event') inner = union(r, [n.site]) || inner;
          else {
            const after = new Set<string>();
            for (const j of n.succ) union(after, s.r[j]!);
            if (n.kind === 'plain') inner = union(r, after) || inner;
            else {
              const c = get(n.callee);
              const entry = n.parallel ? new Set([...c.all, EPS]) : c.first;
              inner = union(r, entry, true) || inner;
              if (entry.has(EPS)) inner = union(r, after) || inner;
            }
          }
        }
      }
      changed = union(s.first, s.r[g.start]!) || changed;
      const all = new Set<string>();
      const last = new Set<string>();
      g.nodes.forEach((n, i) => {
        const after = new Set<string>();
        for (const j of n.succ) union(after, s.r[j]!);
        if (n.kind === 'event') {
          all.add(n.site);
          if (after.has(EPS)) last.add(n.site);
        } else if (n.kind === 'call') {
          const c = get(n.callee);
          union(all, c.all);
          if (after.has(EPS)) union(last, n.parallel ? c.all : c.last);
        }
        void i;
      });
      changed = union(s.all, all) || changed;
      changed = union(s.last, last) || changed;
    }
  }
  return sums;
}

/** Site-to-site edges of every function, with ENTRY/EXIT wired to the roots. */
export function buildEdges(fns: ReadonlyMap<string, FnGraph>, roots: { handler: string[]; init?: string; escaped?: string[] }, entry: string, exit: string): CfgEdges {
  const sums = summarize(fns);
  const edges = new Map<string, Set<string>>();
  const add = (from: string, tos: Iterable<string>, exitOnEps = false): void => {
    let set = edges.get(from);
    if (!set) edges.set(from, (set = new Set()));
    for (const t of tos) {
      if (t === EPS) {
        if (exitOnEps) set.add(exit);
      } else set.add(t);
    }
  };
  const get = (k: string): Summary => sums.get(k) ?? EMPTY_SUMMARY();
  const deferred = new Set<string>();
  for (const k of roots.escaped ?? []) union(deferred, get(k).all);
  for (const [k, g] of fns) {
    const s = get(k);
    g.nodes.forEach((n) => {
      if (n.kind === 'call' && n.deferred) union(deferred, get(n.callee).all);
      const after = new Set<string>();
      for (const j of n.succ) union(after, s.r[j]!);
      if (n.kind === 'event') add(n.site, after);
      else if (n.kind === 'call') {
        const c = get(n.callee);
        if (n.parallel) {
          for (const x of c.all) {
            add(x, c.all);
            add(x, after);
          }
        } else for (const l of c.last) add(l, after);
      }
    });
  }
  // ENTRY -> handler (warm) and ENTRY -> module top level -> handler (cold)
  const handlerFirst = new Set<string>();
  for (const h of roots.handler) union(handlerFirst, get(h).first);
  if (roots.handler.length === 0) handlerFirst.add(EPS);
  add(entry, handlerFirst, true);
  for (const h of roots.handler) for (const l of get(h).last) add(l, [EPS], true);
  if (roots.init) {
    const init = get(roots.init);
    add(entry, init.first);
    for (const l of init.last) add(l, handlerFirst, true);
  }
  return { edges, deferred, summaries: sums };
}
