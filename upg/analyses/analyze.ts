// Every analysis over a set of request graphs: container reuse and exfiltration. Pure: the caller
// loads the graphs (gather.ts for the correlator and `provenance report --analyze`).
import type { ActivationNode, RequestGraph } from '../types';
import { crossGraph } from './cross-graph';
import { findContainerReuse } from './container-reuse';
import { findExfiltration } from './exfiltration';
import type { AnalysisConfig, Incident } from './types';

export interface AnalyzeInput {
  graphs: readonly RequestGraph[];
  /** activations known from the container index without their graphs (who ran first in a container) */
  activations?: readonly ActivationNode[];
}

/** Incidents found in the graphs, sorted by id; `now` stamps detectedAt (the store keeps the first one). */
export function analyze(input: AnalyzeInput, config: AnalysisConfig, now: number = Date.now()): Incident[] {
  const g = crossGraph(input.graphs, input.activations ?? []);
  const detectedAt = new Date(now).toISOString();
  return [...findContainerReuse(g, config, detectedAt), ...findExfiltration(g, config, detectedAt)].sort((a, b) => (a.id < b.id ? -1 : 1));
}
