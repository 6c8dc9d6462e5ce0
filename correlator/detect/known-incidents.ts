// The incidents a long-lived correlator (the agent's sink) last stored, and whether each was alerted,
// so that a detection run that finds one again unchanged neither reads nor writes the store for it.
// Only that correlator writes its incidents' items between its runs (an operator's `report --detect`
// may too: a memory then merely costs one extra write the next time the incident changes).
import type { StoredIncident } from '../../store/types';

/** incidents remembered; past this the memory starts again (each read from the store once more) */
const KEPT = 20_000;

export interface KnownIncidents {
  get(id: string): StoredIncident | undefined;
  set(id: string, stored: StoredIncident): void;
  forget(): void;
}

export function knownIncidents(kept = KEPT): KnownIncidents {
  const map = new Map<string, StoredIncident>();
  return {
    get: (id) => map.get(id),
    set(id, stored) {
      if (map.size >= kept && !map.has(id)) map.clear();
      map.set(id, stored);
    },
    forget: () => map.clear(),
  };
}
