// Pure: the analyses over gathered graphs, each incident judged by the settings of the services it
// involves (incident-settings.ts). A first pass with the widest settings finds every candidate (every
// source some service deems sensitive, only sinks every service allows); each incident is then
// judged again with its own services' settings and kept only if it is found under them. With no
// deployed service in play this is exactly one analysis with the correlator's settings.
import { findIncidents, type IncidentSearchInput } from '../../upg/analyses/incidents';
import type { AnalysisConfig, Incident } from '../../upg/analyses/types';
import { incidentConfig, servicesInvolved, servicesPresent, settingsKey, widestConfig, type FixedSetting, type ResolvedService } from './incident-settings';

export function findIncidentsPerService(input: IncidentSearchInput, base: AnalysisConfig, fixed: readonly FixedSetting[], services: readonly ResolvedService[], now: number): Incident[] {
  if (services.length === 0) return findIncidents(input, base, now);
  const { present, unclaimed } = servicesPresent(actionsOf(input), services);
  if (present.length === 0) return findIncidents(input, base, now);
  const widest = widestConfig(base, fixed, present, unclaimed);
  const candidates = findIncidents(input, widest, now);

  // Group the candidates by the settings that judge them: one analysis per distinct setting.
  const groups = new Map<string, { config: AnalysisConfig; ids: Set<string> }>();
  for (const incident of candidates) {
    const config = incidentConfig(base, fixed, servicesInvolved(incident, services));
    const key = settingsKey(config);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { config, ids: new Set() }));
    group.ids.add(incident.id);
  }
  const kept: Incident[] = [];
  const widestKey = settingsKey(widest);
  for (const [key, { config, ids }] of groups) {
    const judged = key === widestKey ? candidates : findIncidents(input, config, now);
    kept.push(...judged.filter((i) => ids.has(i.id)));
  }
  return kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function actionsOf(input: IncidentSearchInput): Set<string> {
  const out = new Set<string>();
  for (const g of input.graphs) for (const n of g.nodes) if (n.kind === 'activation' && n.action) out.add(n.action);
  for (const a of input.activations ?? []) if (a.action) out.add(a.action);
  return out;
}
