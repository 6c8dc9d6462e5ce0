// Every analysis over a set of request graphs: container reuse and exfiltration. Pure: the caller
// loads the graphs (gather.ts for the correlator and `provenance report --detect`).
import type { ActivationNode, RequestGraph } from '../types';
import { crossGraph } from './cross-graph';
import { findContainerReuse } from './container-reuse';
import { findExfiltration } from './exfiltration';
import { weighContradictions } from './contradicted';
import type { AnalysisConfig, Incident } from './types';

export interface IncidentSearchInput {
  graphs: readonly RequestGraph[];
  /** activations known from the container index without their graphs (who ran first in a container) */
  activations?: readonly ActivationNode[];
  /**
   * For files whose writers were not all loaded (a pipe the runtime made during start-up, which nearly
   * every activation writes: gather.ts), the time of every write the store knows, so that a use is not
   * charged to an older planter when a write in between was left unloaded.
   */
  writeTimes?: ReadonlyMap<string, readonly number[]>;
}

/** Incidents found in the graphs, sorted by id; `now` stamps detectedAt (the store keeps the first one). */
export function findIncidents(input: IncidentSearchInput, config: AnalysisConfig, now: number = Date.now()): Incident[] {
  const g = crossGraph(input.graphs, input.activations ?? []);
  const detectedAt = new Date(now).toISOString();
  const found = [...findContainerReuse(g, config, detectedAt, input.writeTimes), ...findExfiltration(g, config, detectedAt)];
  return weighContradictions(found, input.graphs).sort((a, b) => (a.id < b.id ? -1 : 1));
}
