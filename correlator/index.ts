// The correlator's side-effect stage: load the activation state a batch needs, assemble (pure),
// write the fragments and the new state. Idempotent: fragments have deterministic ids and the
// store merges, so a retried or duplicated batch changes nothing.
import type { ActivationMeta, CorrelatorStateStore, ProvenanceStore } from '../store/types';
import { assemble, type AssembleOutput } from './assemble';
import { classifyLine } from './classify';
import type { Batch, IngestResult } from '../protocol/batch';
import { validateBatch } from './validate';
import { detectAfterIngest } from './detect-after-ingest';
import type { DetectionOptions } from './detect';
import type { LmsProfile } from '../lms/types';
import { profilesNamed, type ProfileSource } from './lms-profiles';
import { kernelActivationIds } from './kernel-join';

export { assemble } from './assemble';
export type { AssembleOutput, UnattributedLine } from './assemble';
export { validateBatch, BatchError } from './validate';
export { detectIncidents, type DetectionOptions, type DetectionResult } from './detect';

/** Activation ids a batch mentions (records and log-line ids): the state to load before assembling. */
export function referencedActivationIds(batch: Batch): string[] {
  const ids = new Set<string>();
  for (const { line } of batch.lines) {
    const cls = classifyLine(line);
    if (cls.kind === 'log') ids.add(cls.activationId);
    else if (cls.kind === 'record') {
      if ('record' in cls.parsed) ids.add(cls.parsed.record.a);
    }
  }
  for (const a of kernelActivationIds(batch)) ids.add(a);
  return [...ids].sort();
}

/** Loads state, assembles, and returns what to write. Split from ingestBatch so tests can look at it. */
export async function assembleWithState(batch: Batch, state: CorrelatorStateStore & Partial<ProfileSource>): Promise<AssembleOutput> {
  const ids = referencedActivationIds(batch);
  const known: Map<string, ActivationMeta> = ids.length ? await state.getActivationMeta(ids) : new Map();
  const hashes = profilesNamed(batch, known);
  const profiles = hashes.length && state.getProfiles ? await state.getProfiles(hashes) : new Map<string, LmsProfile>();
  return assemble(batch, known, profiles);
}

export interface IngestOptions {
  /** automatic incident detection after the write (default: on, with the default analysis config); false: off */
  detection?: DetectionOptions | false;
}

export async function ingestBatch(batch: Batch, store: ProvenanceStore, options: IngestOptions = {}): Promise<IngestResult> {
  validateBatch(batch);
  const out = await assembleWithState(batch, store);
  // Either order of these writes is safe to retry: a begin whose state was already stored is
  // recognised as the same begin (same key), so a retry assembles exactly the same fragments.
  for (const fragment of out.fragments) await store.writeFragment(fragment);
  if (out.metas.length) await store.putActivationMeta(out.metas);
  if (options.detection !== false) await detectAfterIngest(store, out.result, options.detection ?? {});
  return out.result;
}
