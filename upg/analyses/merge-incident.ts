// Detection runs again as data arrives, each time over the graphs it loaded then; the stored incident
// is the union of what every run found (victims, timeline, path, requests, evidence), its first
// detection time, and the strongest verdict any run reached. Pure.
import type { Incident, Verdict } from './types';

const STRENGTH: Record<Verdict, number> = { 'benign-shared-state': 0, suspicious: 1, attack: 2 };

export function mergeIncident(stored: Incident, fresh: Incident): Incident {
  if (stored.id !== fresh.id) throw new Error(`cannot merge incident ${fresh.id} into ${stored.id}`);
  const strongest = STRENGTH[fresh.verdict] >= STRENGTH[stored.verdict] ? fresh : stored;
  const byKey = <T>(list: T[], key: (x: T) => string) => [...new Map(list.map((x) => [key(x), x])).values()];
  const timeline = byKey([...stored.timeline, ...fresh.timeline], (t) => [t.role, t.activation, t.op ?? '', t.node, t.time ?? ''].join('\u0000'));
  timeline.sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity));
  const path = [...stored.path];
  for (const id of fresh.path) if (!path.includes(id)) path.push(id);
  return {
    ...fresh,
    verdict: strongest.verdict,
    reason: strongest.reason,
    sink: fresh.sink ?? stored.sink,
    victims: byKey([...stored.victims, ...fresh.victims], (v) => v.activation),
    timeline,
    path,
    requests: [...new Set([...stored.requests, ...fresh.requests])].sort(),
    evidence: [...new Set([...strongest.evidence, ...stored.evidence, ...fresh.evidence])],
    detectedAt: stored.detectedAt < fresh.detectedAt ? stored.detectedAt : fresh.detectedAt,
  };
}
