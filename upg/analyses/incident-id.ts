// Incident ids are a hash of what identifies the incident, so detecting it again (a retried batch,
// a re-ingest, the next batch of the same container) lands on the same stored incident.
import { shortHash } from '../ids';
import type { IncidentKind } from './types';

const PREFIX: Record<IncidentKind, string> = { 'container-reuse': 'reuse', exfiltration: 'exfil' };

/** container reuse: (container, artifact node, planting activation); exfiltration: (sending activation, sink node). */
export function incidentId(kind: IncidentKind, parts: readonly string[]): string {
  return `inc-${PREFIX[kind]}-${shortHash([kind, ...parts].join('\u0000'), 16)}`;
}
