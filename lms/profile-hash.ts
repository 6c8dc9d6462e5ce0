// The content hash that names an LMS profile everywhere (the artifact, the begin record's `lp`, the
// store's profile item). The analysis time is left out, so packaging unchanged code twice gives the
// same hash and the store keeps one item.
import { createHash } from 'node:crypto';
import type { LmsProfile } from './types';

export function profileHash(profile: LmsProfile): string {
  const { stats, ...rest } = profile;
  const { ms: _ms, ...counts } = stats;
  return 'lp' + createHash('sha256').update(JSON.stringify({ ...rest, stats: counts })).digest('hex').slice(0, 24);
}
