// The correlator action's parameters and answer (correlator/handler.ts answers; the node agent's
// action sink, invokers/agent/daemon/sinks.ts, reads the answer). `refused` is the one fact the
// agent acts on: a batch refused as malformed would be refused again, so it is not retried; every
// other error (store down, settings wrong, a correlator older than the agent) leaves the batch in
// the agent's spool until the fault is fixed.
import type { Batch, IngestResult } from './batch';

export type CorrelatorActionParams = { batch: Batch } | { batches: Batch[] };

export type CorrelatorActionResult =
  | { ok: true; results: IngestResult[] }
  /** refused: the batch itself is malformed; retrying it cannot succeed */
  | { error: string; refused?: true };

/** Whether an answer (or the result carried by a rejected invoke) refuses the batch itself. */
export function isRefusal(answer: unknown): answer is { error: string; refused: true } {
  return typeof answer === 'object' && answer !== null && (answer as { refused?: unknown }).refused === true && typeof (answer as { error?: unknown }).error === 'string';
}
