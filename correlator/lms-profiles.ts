// Which LMS profiles a batch needs (issue 5): those named by its begin records (`lp`) and by the
// stored state of the activations it continues. Pure; the store loads them.
import type { LmsProfile } from '../lms/types';
import type { ActivationMeta } from '../store/types';
import { parseRecordLine } from '../wrapper/records';
import { RECORD_PREFIX } from '../protocol/wrapper-records';
import type { Batch } from '../protocol/batch';

/** The part of the store the correlator reads profiles from. */
export interface ProfileSource {
  getProfiles(hashes: readonly string[]): Promise<Map<string, LmsProfile>>;
}

export function profilesNamed(batch: Batch, known: ReadonlyMap<string, ActivationMeta>): string[] {
  const out = new Set<string>();
  for (const meta of known.values()) if (meta.profile) out.add(meta.profile);
  for (const { line } of batch.lines) {
    if (!line.startsWith(RECORD_PREFIX) || !line.includes('"lp"')) continue;
    const parsed = parseRecordLine(line);
    if ('record' in parsed && parsed.record.t === 'begin' && parsed.record.lp) out.add(parsed.record.lp);
  }
  return [...out].sort();
}
