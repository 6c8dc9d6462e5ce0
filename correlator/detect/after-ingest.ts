// Detection after ingest: over the requests a batch touched (the deployed correlator action, once per
// invocation), or over every request touched since the last run (the embedded platform's sink, which
// coalesces: one analysis for many small batches). A failure here never undoes or fails the ingest (the
// graph is written and the agent must not resend it forever); it is reported, and the next batches of
// those containers detect again.
import type { ProvenanceStore } from '../../store/types';
import { detectIncidents, type DetectionOptions } from './detect-incidents';
import { serviceSettingsOf } from './service-settings-cache';
import type { IngestResult } from '../../protocol/batch';
import type { DetectionMemory } from './warm-memory';

export interface DetectionOutcome {
  /** incident ids stored for the first time */
  created: string[];
  error?: string;
}

export async function detectForRequests(store: ProvenanceStore, requests: readonly string[], options: DetectionOptions): Promise<DetectionOutcome> {
  try {
    // The deployed services' settings (custom.provenance) apply unless the caller turned them off.
    const services = options.services ?? serviceSettingsOf(store, options.log ? { log: options.log } : {});
    const detected = await detectIncidents(store, requests, { ...options, services });
    return { created: detected.created };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(`correlator: incident detection failed for requests ${requests.join(', ')}: ${error}`);
    return { created: [], error };
  }
}

/** Detection over `requests` with what earlier runs read and stored: told what changed first, forgotten when the run fails. */
export async function detectRemembering(store: ProvenanceStore, requests: readonly string[], options: DetectionOptions, memory: DetectionMemory): Promise<DetectionOutcome> {
  memory.source.changed(requests);
  const outcome = await detectForRequests(store, requests, { ...options, source: memory.source, known: options.known ?? memory.known });
  // a run that failed part way may not have folded in a graph it ingested
  if (outcome.error !== undefined) memory.forget();
  return outcome;
}

/**
 * Detection after one batch. With `memory` (the warm process's, warm-memory.ts), a run reads only what
 * is new since the last, unless the caller gave its own source.
 */
export async function detectAfterIngest(store: ProvenanceStore, result: IngestResult, options: DetectionOptions, memory?: DetectionMemory): Promise<void> {
  const warm = options.source === undefined ? memory : undefined;
  const outcome = warm ? await detectRemembering(store, result.requests, options, warm) : await detectForRequests(store, result.requests, options);
  if (outcome.created.length) result.incidents = outcome.created;
  if (outcome.error !== undefined) result.detectionError = outcome.error;
}
