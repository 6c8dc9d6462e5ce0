// Pure: what `provenance collect` remembers between runs, and which listed activations are new.
// Activations are listed by start time, and OpenWhisk writes an activation's record only when it
// ends: one still running at the last run started before everything listed then. So each run lists
// again from a window before the newest start it has seen (which also absorbs clock skew between the
// platform's nodes), skips what it collected before, and relies on idempotent ingestion for the rest.

export interface CollectCheckpoint {
  /** list from this start time (ms, the platform's clock) on the next run */
  since: number;
  /** activations already collected that start at or after `since`: [activation id, start] */
  seen: Array<[string, number]>;
  /** newest activation start seen so far (ms) */
  newest: number;
}

/** How far back each run looks again (ms): longer than an action's usual time limit. */
export const DEFAULT_OVERLAP_MS = 10 * 60_000;
/** Most ids kept (the checkpoint is one store item); beyond, older ones are collected again, harmlessly. */
export const MAX_SEEN = 5_000;

export function firstCheckpoint(since: number): CollectCheckpoint {
  return { since, seen: [], newest: since };
}

/** The checkpoint after a run that collected `collected` (every activation it ingested). */
export function advance(prev: CollectCheckpoint, collected: ReadonlyArray<{ activationId: string; start: number }>, overlapMs = DEFAULT_OVERLAP_MS): CollectCheckpoint {
  const newest = collected.reduce((t, a) => Math.max(t, a.start), prev.newest);
  const since = Math.max(prev.since, newest - overlapMs);
  const starts = new Map<string, number>(prev.seen);
  for (const a of collected) starts.set(a.activationId, a.start);
  const seen = [...starts.entries()]
    .filter(([, start]) => start >= since)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, MAX_SEEN);
  return { since, seen, newest };
}

/** Whether a listed activation was collected by an earlier run. */
export function seenBefore(checkpoint: CollectCheckpoint): (activationId: string) => boolean {
  const ids = new Set(checkpoint.seen.map(([id]) => id));
  return (id) => ids.has(id);
}
