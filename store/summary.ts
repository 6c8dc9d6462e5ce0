// The request summary item (pure): one per request, what `provenance requests` lists, indexed by
// day bucket and start time (byTime). Fragments of one request arrive separately and possibly
// concurrently, so the summary is built from per-fragment contributions that merge without reading:
// sets of activation ids and actions are unioned, start/end are kept as min/max, and the entry
// action is the one with the best "rank" (an explicit `entry` on the request node beats the action
// of the earliest root activation).
import { createHash } from 'node:crypto';
import type { ActivationNode, GraphFragment, RequestNode, RequestSummary } from '../upg/types';
import { bucketMarkerKey, dayBucket, summaryKey, timeSortKey, timeSortPart } from './keys';
import type { MergeUpdate } from './items';

export function summaryUpdate(fragment: GraphFragment): MergeUpdate {
  const request = fragment.request;
  const requestNodes = fragment.nodes.filter((n): n is RequestNode => n.kind === 'request');
  const activations = fragment.nodes.filter((n): n is ActivationNode => n.kind === 'activation');

  const starts = [...requestNodes.map((n) => n.start), ...activations.map((a) => a.start)].filter(isTime);
  const ends = [...requestNodes.map((n) => n.end), ...activations.map((a) => a.end)].filter(isTime);
  // With no start known yet, any time the fragment carries still places the request in time.
  const fallbackTimes = [
    ...fragment.nodes.flatMap((n) => [n.firstSeen, n.lastSeen]),
    ...fragment.edges.map((e) => e.time),
  ].filter(isTime);
  const start = min(starts);
  // Where the request sits in the byTime index: its start once known, else the earliest time seen.
  // As a rank ("a" + start beats "b" + hint), so a real start always wins over a hint, whatever the order.
  const place = start !== undefined ? { rank: `a${timeSortPart(start)}`, time: start } : placeFromHint(min(fallbackTimes));
  const end = max(ends);

  const update: MergeUpdate = {
    key: summaryKey(request),
    set: { req: request },
    // Until some fragment knows a time, the request sits in the "unknown day" bucket.
    setIfMissing: { tpk: dayBucket(undefined), tsk: timeSortKey(undefined, request) },
    addToSet: {},
    monotone: [],
  };
  const ids = unique(activations.map((a) => activationDigest(a.activationId)));
  const actions = unique(activations.map((a) => a.action));
  if (ids.length > 0) update.addToSet.activationIds = ids;
  if (actions.length > 0) update.addToSet.actions = actions;
  if (start !== undefined) update.monotone.push({ attr: 'start', keep: 'min', value: start });
  if (place !== undefined) {
    update.monotone.push({
      attr: 'placeRank',
      keep: 'min',
      value: place.rank,
      companions: { tpk: dayBucket(place.time), tsk: timeSortKey(place.time, request) },
    });
  }
  if (end !== undefined) update.monotone.push({ attr: 'end', keep: 'max', value: end });
  const entry = entryCandidate(requestNodes, activations);
  if (entry) update.monotone.push({ attr: 'entryRank', keep: 'min', value: entry.rank, companions: { entry: entry.action } });
  return update;
}

/**
 * What the summary keeps of an activation id: a reader needs only how many activations a request
 * has, and fragments must union them (one activation is described by several), so each id is kept
 * as a 48-bit digest instead of whole (a third of the size). Two of a thousand activations of one
 * request share a digest about once in 500 million such requests, and then it counts one too few.
 */
export const activationDigest = (activationId: string): string => createHash('sha256').update(activationId).digest('base64url').slice(0, 8);

/** the bucket marker items a summary update may point its byTime key at (written before it) */
export function bucketMarkers(update: MergeUpdate): Array<Record<string, unknown>> {
  const buckets = new Set<string>();
  for (const source of [update.set, update.setIfMissing, ...update.monotone.map((m) => m.companions ?? {})]) {
    if (typeof source.tpk === 'string') buckets.add(source.tpk);
  }
  return [...buckets].map((b) => ({ ...bucketMarkerKey(b), bucket: b }));
}

function placeFromHint(time: number | undefined): { rank: string; time: number } | undefined {
  return time === undefined ? undefined : { rank: `b${timeSortPart(time)}`, time };
}

function entryCandidate(
  requestNodes: RequestNode[],
  activations: ActivationNode[],
): { rank: string; action: string } | undefined {
  const explicit = requestNodes.find((n) => n.entry !== undefined);
  if (explicit?.entry !== undefined) return { rank: `0#${timeSortPart(explicit.start)}`, action: explicit.entry };
  // The root activation (no parent) that started first is where the request entered.
  const roots = activations
    .filter((a) => a.parent === undefined)
    .sort((a, b) => timeSortKey(a.start, a.activationId).localeCompare(timeSortKey(b.start, b.activationId)));
  const root = roots[0];
  if (!root) return undefined;
  return { rank: `1#${timeSortPart(root.start)}#${root.activationId}`, action: root.action };
}

/** The RequestSummary a stored summary item stands for. */
export function itemToSummary(item: Record<string, unknown>): RequestSummary {
  const summary: RequestSummary = {
    request: String(item.req),
    activations: setValues(item.activationIds).length,
    actions: setValues(item.actions),
  };
  if (typeof item.start === 'number') summary.start = item.start;
  if (typeof item.end === 'number') summary.end = item.end;
  if (typeof item.entry === 'string') summary.entry = item.entry;
  return summary;
}

function setValues(value: unknown): string[] {
  if (value instanceof Set) return [...(value as Set<string>)].sort();
  if (Array.isArray(value)) return [...(value as string[])].sort();
  return [];
}

const isTime = (t: number | undefined): t is number => typeof t === 'number' && Number.isFinite(t) && t >= 0;
const min = (xs: number[]): number | undefined => (xs.length ? xs.reduce((a, b) => (b < a ? b : a)) : undefined);
const max = (xs: number[]): number | undefined => (xs.length ? xs.reduce((a, b) => (b > a ? b : a)) : undefined);
const unique = (xs: string[]): string[] => [...new Set(xs.filter((x) => typeof x === 'string' && x !== ''))].sort();
