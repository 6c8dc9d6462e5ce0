// Which LMS profiles a batch needs: those named by its begin records (`lp`) and by the stored state
// of the activations it continues. Pure; the store loads them.
import type { LmsProfile } from '../../lms/types';
import type { ActivationMeta } from '../../store/types';
import { classifiedLines, type ClassifiedBatch } from '../ingest/classify-batch';

/** The part of the store the correlator reads profiles from. */
export interface ProfileSource {
  getProfiles(hashes: readonly string[]): Promise<Map<string, LmsProfile>>;
}

export function profilesNamed(input: ClassifiedBatch, known: ReadonlyMap<string, ActivationMeta>): string[] {
  const out = new Set<string>();
  for (const meta of known.values()) if (meta.profile) out.add(meta.profile);
  for (const { cls } of classifiedLines(input)) {
    if (cls.kind !== 'record' || !('record' in cls.parsed)) continue;
    const record = cls.parsed.record;
    if (record.t === 'begin' && record.lp) out.add(record.lp);
  }
  return [...out].sort();
}
