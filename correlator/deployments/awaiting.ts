// Requests that ran with settings the correlator had not stored yet are judged again once they
// arrive. Each activation's begin record names the deployment it runs with (`dh`); a container sends
// that deployment before its first activation's other records, so normally it is stored first. When
// batches arrive out of order (a spooled batch retried late, two correlator instances at once), the
// requests are remembered against the deployment, and the batch that finally delivers it hands them
// back to be detected again.
import type { DeploymentLedger } from '../../store/types';
import { classifiedLines, type ClassifiedBatch } from '../ingest/classify-batch';

/** Pure: the deployments the batch's begin records name, with the requests that ran with each. */
export function deploymentsNamed(input: ClassifiedBatch): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const { cls } of classifiedLines(input)) {
    if (cls.kind !== 'record' || !('record' in cls.parsed)) continue;
    const r = cls.parsed.record;
    if (r.t !== 'begin' || !r.dh) continue;
    let requests = out.get(r.dh);
    if (!requests) out.set(r.dh, (requests = new Set()));
    requests.add(r.r);
  }
  return new Map([...out].map(([h, rs]) => [h, [...rs].sort()]));
}

// Deployments known to be stored, per store object: after the first sighting a deployment costs no read.
const knownByStore = new WeakMap<object, Set<string>>();

/**
 * Records what the batch delivered and what it is still waiting for; returns the requests to judge
 * again (those that waited for a deployment this batch delivered).
 */
export async function settleDeployments(ledger: DeploymentLedger, input: ClassifiedBatch, delivered: readonly string[]): Promise<string[]> {
  let known = knownByStore.get(ledger);
  if (!known) knownByStore.set(ledger, (known = new Set()));
  const rejudge = delivered.length ? await ledger.markDeploymentsKnown(delivered) : [];
  for (const h of delivered) known.add(h);

  const named = deploymentsNamed(input);
  const unknown = [...named.keys()].filter((h) => !known.has(h));
  if (unknown.length === 0) return rejudge;
  for (const h of await ledger.knownDeployments(unknown)) known.add(h);
  for (const h of unknown) {
    if (known.has(h)) continue;
    await ledger.awaitDeployment(h, named.get(h)!);
    // delivered meanwhile (by another batch): its settings are stored, and this batch is judged after this
    if ((await ledger.knownDeployments([h])).has(h)) known.add(h);
  }
  return rejudge;
}
