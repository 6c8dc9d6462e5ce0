// The stable `provenance trace --json` output: `{request, nodes, edges, warnings?, complete, missing,
// contradictions?}`
// (upg/types.ts, upg/completeness.ts).
// Deterministic: nodes by id, edges by time then id, warnings by code; within each object `id`
// and `kind` first and the other fields in alphabetical order, undefined fields left out.
import { byTimeThenId } from '../graph';
import type { GraphWarning, RequestGraph, UpgEdge, UpgNode } from '../types';
import { completeness, type Completeness, type MissingPiece } from '../completeness';
import { contradictions, type Contradiction } from '../trust';

export function toTraceJson(graph: RequestGraph): RequestGraph & Completeness {
  const out: RequestGraph & Partial<Completeness> = {
    request: graph.request,
    nodes: [...graph.nodes].sort((a, b) => cmp(a.id, b.id)).map((n) => ordered(n) as UpgNode),
    edges: [...graph.edges].sort(byTimeThenId).map((e) => ordered(e) as UpgEdge),
  };
  if (graph.warnings?.length) {
    out.warnings = [...graph.warnings]
      .sort((a, b) => cmp(a.code, b.code) || cmp(a.activationId ?? '', b.activationId ?? '') || cmp(a.message, b.message))
      .map((w) => ordered(w) as GraphWarning);
  }
  // Whether the picture is whole, and what is still missing: never a silently partial graph.
  const { complete, missing } = completeness(graph);
  out.complete = complete;
  out.missing = missing.map((m) => ordered(m) as MissingPiece);
  // Where the application's claims contradict what the kernel and the runtime saw (upg/trust.ts).
  const found = contradictions(graph);
  if (found.length) (out as { contradictions?: Contradiction[] }).contradictions = found.map((c) => ordered(c) as Contradiction);
  return out as RequestGraph & Completeness;
}

/** The text `trace --json` prints (with a trailing newline). */
export function renderJson(graph: RequestGraph, indent = 2): string {
  return `${JSON.stringify(toTraceJson(graph), null, indent)}\n`;
}

const LEADING = ['id', 'kind', 'from', 'to'];

function ordered(value: object): object {
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
  const lead = LEADING.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !LEADING.includes(k)).sort();
  const out: Record<string, unknown> = {};
  for (const k of [...lead, ...rest]) out[k] = sortKeysDeep(fields[k]);
  return out;
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  const fields = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) if (fields[k] !== undefined) out[k] = sortKeysDeep(fields[k]);
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
