// Contradicted evidence feeds the verdicts. An incident involving an activation whose claims the
// kernel or the runtime contradicted (upg/trust.ts) is never called benign: it is at least
// suspicious, and a container-reuse incident the rules already found suspicious becomes an attack —
// a handler that lies about what it did is exactly the one whose left-over state is not trusted.
// Pure: incidents and graphs in, incidents out.
import type { RequestGraph } from '../types';
import { contradictions, type Contradiction } from '../trust';
import type { Incident } from './types';

export function weighContradictions(incidents: readonly Incident[], graphs: readonly RequestGraph[]): Incident[] {
  const byActivation = new Map<string, Contradiction>();
  for (const g of graphs) for (const c of contradictions(g)) if (!byActivation.has(c.activationId)) byActivation.set(c.activationId, c);
  if (byActivation.size === 0) return [...incidents];
  return incidents.map((incident) => {
    const parties = [incident.planter, ...incident.victims];
    const hit = parties.map((p) => byActivation.get(p.activation)).find((c): c is Contradiction => c !== undefined);
    if (!hit) return incident;
    const line = `activation ${hit.activationId} is contradicted by the kernel or the runtime (${hit.code}): ${hit.message}`;
    const evidence = incident.evidence.includes(line) ? incident.evidence : [line, ...incident.evidence];
    if (incident.verdict === 'benign-shared-state') return { ...incident, verdict: 'suspicious', reason: line, evidence };
    if (incident.verdict === 'suspicious' && incident.kind === 'container-reuse') return { ...incident, verdict: 'attack', reason: line, evidence };
    return { ...incident, evidence };
  });
}
