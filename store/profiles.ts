// LMS profiles in the store, pure: the item one profile is kept as (keyed by its content
// hash, body gzip + base64 so even a large action's profile fits one item), and rebuilding the text
// of log lines that the correlator stored as template + values.
import { gunzipSync, gzipSync } from 'node:zlib';
import { createMatcher, type LmsMatcher } from '../lms/matcher';
import type { LmsProfile } from '../lms/types';
import type { GraphWarning, RequestGraph } from '../upg/types';
import type { ItemKey } from './keys';

export const profileKey = (hash: string): ItemKey => ({ pk: `PROFILE#${hash}`, sk: 'PROFILE' });

/** DynamoDB's item limit is 400 KB; leave room for the key and attribute names. */
const MAX_BODY_BYTES = 390 * 1024;

export function profileItem(hash: string, profile: LmsProfile): Record<string, unknown> {
  const body = gzipSync(Buffer.from(JSON.stringify(profile), 'utf8')).toString('base64');
  if (body.length > MAX_BODY_BYTES) {
    throw new Error(`LMS profile ${hash} of ${profile.entry} is ${body.length} bytes compressed, over DynamoDB's item size: split the action`);
  }
  return { ...profileKey(hash), hash, body };
}

export function itemToProfile(item: Record<string, unknown>): LmsProfile {
  return JSON.parse(gunzipSync(Buffer.from(String(item.body), 'base64')).toString('utf8')) as LmsProfile;
}

/** Profile hashes a graph's log lines need to be rebuilt (from their activations). */
export function profilesNeeded(graph: RequestGraph): string[] {
  const out = new Set<string>();
  for (const n of graph.nodes) if (n.kind === 'activation' && n.profile) out.add(n.profile);
  return [...out].sort();
}

export const LOG_TEXT_LOST = 'log-text-lost';

/**
 * Sets `text` of every log node stored as template + values, rendered by its activation's profile.
 * A line whose profile is gone keeps an empty text and the graph says so (one warning per activation).
 */
export function restoreLogTexts(graph: RequestGraph, profiles: ReadonlyMap<string, LmsProfile>): void {
  const profileOf = new Map<string, string>();
  for (const n of graph.nodes) if (n.kind === 'activation' && n.profile) profileOf.set(n.activationId, n.profile);
  const matchers = new Map<string, LmsMatcher>();
  const lost = new Map<string, number>();
  for (const n of graph.nodes) {
    if (n.kind !== 'log' || n.template === undefined || n.values === undefined || (typeof n.text === 'string' && n.text !== '')) continue;
    const hash = profileOf.get(n.activationId);
    const profile = hash !== undefined ? profiles.get(hash) : undefined;
    let text: string | undefined;
    if (profile && hash !== undefined) {
      let m = matchers.get(hash);
      if (!m) matchers.set(hash, (m = createMatcher(profile)));
      try {
        text = m.render(n.template, n.values, n.envelope);
      } catch {
        text = undefined;
      }
    }
    if (text === undefined) lost.set(n.activationId, (lost.get(n.activationId) ?? 0) + 1);
    n.text = text ?? '';
  }
  if (lost.size === 0) return;
  const warnings: GraphWarning[] = graph.warnings ?? [];
  for (const [activationId, count] of lost) {
    warnings.push({
      code: LOG_TEXT_LOST,
      message: `${count} log line(s) stored as LMS template + values cannot be rebuilt: the action's profile ${profileOf.get(activationId) ?? '(unnamed)'} is not in the store (redeploy the service with serverless-provenance)`,
      activationId,
      count,
    });
  }
  graph.warnings = warnings;
}
