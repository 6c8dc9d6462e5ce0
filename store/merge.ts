// Merging writes into stored items.
//
// Why UpdateItem with "SET the fields this fragment knows" rather than read-merge-write: fragments of
// one request are written by independent correlator runs (one per batch, possibly in parallel), and
// a read-merge-write would lose whatever another writer stored between the read and the write
// (DynamoDB Local and dynalite have no transactions to guard it). An UpdateItem that only SETs the
// attributes present in the fragment leaves every other attribute alone, so the item converges to
// the union of all fragments in any order, with one request per item and no read.
//
// A few attributes are not "facts that every writer agrees on" but aggregates: firstSeen (min),
// lastSeen (max), a request's start/end and entry. They are written with if_not_exists in the same
// UpdateItem; the item it returns (ALL_NEW) shows whether a better value was already stored, and only
// when ours is better do we send one conditional update ("set it if the stored one is still worse"),
// which is safe under concurrency: the condition fails harmlessly if someone stored a better value.
import type { MergeUpdate, MonotoneField } from './items';

export interface Correction {
  key: MergeUpdate['key'];
  set: Record<string, unknown>;
  /** apply only while the stored value is at least as bad as ours */
  condition: { attr: string; gte?: number | string; lte?: number | string };
}

/** The attributes the first UpdateItem writes: SETs, placeholders and monotone fields via if_not_exists. */
export function firstPass(update: MergeUpdate): {
  set: Record<string, unknown>;
  setIfMissing: Record<string, unknown>;
  addToSet: Record<string, string[]>;
} {
  const setIfMissing: Record<string, unknown> = { ...update.setIfMissing };
  for (const m of update.monotone) {
    Object.assign(setIfMissing, m.companions ?? {});
    setIfMissing[m.attr] = m.value;
  }
  // An attribute in both lists would be written twice by one expression (DynamoDB refuses that); SET wins.
  for (const attr of Object.keys(update.set)) delete setIfMissing[attr];
  return { set: update.set, setIfMissing, addToSet: update.addToSet };
}

/** Given the item as stored after the first pass, the conditional updates still needed (usually none). */
export function corrections(update: MergeUpdate, stored: Record<string, unknown>): Correction[] {
  return update.monotone.filter((m) => needsCorrection(m, stored)).map((m) => ({
    key: update.key,
    set: { [m.attr]: m.value, ...(m.companions ?? {}) },
    condition: m.keep === 'min' ? { attr: m.attr, gte: m.value } : { attr: m.attr, lte: m.value },
  }));
}

function needsCorrection(m: MonotoneField, stored: Record<string, unknown>): boolean {
  const current = stored[m.attr] as number | string | undefined;
  if (current === undefined) return true;
  const oursIsBetter = m.keep === 'min' ? m.value < current : m.value > current;
  if (oursIsBetter) return true;
  if (current !== m.value) return false;
  // Same value, but its companions may still hold placeholders set before the value was known.
  return Object.entries(m.companions ?? {}).some(([attr, value]) => stored[attr] !== value);
}
