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

/**
 * Whether storing `fresh` would leave `stored` as it is (the merge adds nothing): detection finds most
 * incidents again at every run over a container, and rewriting each unchanged one cost a conditional
 * put, a read and a put per incident per run. Evidence is compared as a set (the merge may reorder it).
 */
export function incidentUnchanged(stored: Incident, fresh: Incident): boolean {
  const merged = mergeIncident(stored, fresh);
  const asSet = (list: readonly string[]) => JSON.stringify([...new Set(list)].sort());
  if (asSet(merged.evidence) !== asSet(stored.evidence)) return false;
  return canonical({ ...merged, evidence: [] }) === canonical({ ...stored, evidence: [] });
}

/** JSON with keys in one order and undefined fields left out, so equal incidents compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
