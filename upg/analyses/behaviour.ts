// A small behaviour model per action, in the spirit of Winnower: abstract instance-specific details
// out of what an activation did to files (digits, hex ids), and count how many distinct activations
// of the action show each abstract behaviour. "Normal" means shown by at least `minSupport` of them. Pure.
import type { CrossGraph, RequestEdge } from './cross-graph';
import { actingActivation } from './cross-graph';
import type { ActivationNode, FileNode, UpgEdge } from '../types';

/** `/tmp/cache-4711.json` and `/tmp/cache-4712.json` are one behaviour: `/tmp/cache-#.json`. */
export function abstractPath(path: string): string {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '*')
    .replace(/(?<![a-z])[0-9a-f]{12,}(?![a-z])/gi, '*')
    .replace(/\d+/g, '#');
}

export type FileEventKind = 'write' | 'use' | 'gone';

/** What one edge did to a file, and the activation behind it. */
export interface FileEvent {
  kind: FileEventKind;
  op: string;
  time?: number;
  edge: RequestEdge;
  file: FileNode;
  activation: ActivationNode;
  /** the process that did it, when it was not the activation's own runtime (kernel capture, spawned helpers) */
  process?: string;
}

/** Loading a file as code (the wrapper's `load`) or executing it (kernel `exec`). */
export const CODE_OPS = new Set(['load', 'exec', 'execve']);

/** The file events of one file node, time order (the activation's start stands in for an unknown time). */
export function fileEvents(g: CrossGraph, file: FileNode): FileEvent[] {
  const out: FileEvent[] = [];
  const add = (kind: FileEventKind, edge: RequestEdge, actorId: string) => {
    const activation = actingActivation(g, actorId, edge);
    if (!activation) return;
    const actor = g.byId.get(actorId);
    out.push({
      kind,
      op: edge.op ?? edge.kind,
      time: edge.time ?? activation.start,
      edge,
      file,
      activation,
      ...(actor?.kind === 'process' ? { process: actorId } : {}),
    });
  };
  for (const e of g.out.get(file.id) ?? []) {
    if (e.kind === 'wasGeneratedBy') add('write', e, e.to);
    else if (e.kind === 'wasInvalidatedBy') add('gone', e, e.to);
  }
  for (const e of g.in.get(file.id) ?? []) {
    if (e.kind === 'used') add('use', e, e.from);
  }
  // A program spawned from the file's path executes it (the wrapper sees the spawn, not the exec).
  for (const n of g.byId.values()) {
    if (n.kind !== 'process' || n.container !== file.container || n.exe !== file.path) continue;
    for (const e of g.out.get(n.id) ?? []) {
      if (e.kind !== 'wasStartedBy') continue;
      const activation = actingActivation(g, e.to, e);
      if (activation) out.push({ kind: 'use', op: 'exec', time: e.time ?? activation.start, edge: e, file, activation, process: n.id });
    }
  }
  return out.sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || order(a.kind) - order(b.kind) || (a.edge.id < b.edge.id ? -1 : 1));
}

// At one instant a write comes before a use of what it wrote, and a deletion after both.
const order = (k: FileEventKind) => (k === 'write' ? 0 : k === 'use' ? 1 : 2);

export const patternOf = (kind: FileEventKind, op: string, path: string): string => `${kind}:${op}:${abstractPath(path)}`;

/** action -> abstract file behaviour -> the activations that showed it */
export interface BehaviourModel {
  support(action: string, pattern: string): number;
  /** activations of the action the model has seen (with or without file behaviour) */
  observed(action: string): number;
}

export function buildBehaviourModel(g: CrossGraph): BehaviourModel {
  const table = new Map<string, Map<string, Set<string>>>();
  const observed = new Map<string, number>();
  for (const a of g.activations.values()) if (g.observed.has(a.activationId)) observed.set(a.action, (observed.get(a.action) ?? 0) + 1);
  for (const n of g.byId.values()) {
    if (n.kind !== 'file') continue;
    for (const ev of fileEvents(g, n)) {
      const byPattern = table.get(ev.activation.action) ?? new Map<string, Set<string>>();
      table.set(ev.activation.action, byPattern);
      const p = patternOf(ev.kind, ev.op, n.path);
      const set = byPattern.get(p) ?? new Set<string>();
      byPattern.set(p, set);
      set.add(ev.activation.activationId);
    }
  }
  return {
    support: (action, pattern) => table.get(action)?.get(pattern)?.size ?? 0,
    observed: (action) => observed.get(action) ?? 0,
  };
}

/** Whether an edge's time is known to be before another's (unknown times never prove an order). */
export function before(a: UpgEdge | { time?: number }, b: { time?: number }): boolean {
  return a.time === undefined || b.time === undefined || a.time <= b.time;
}
