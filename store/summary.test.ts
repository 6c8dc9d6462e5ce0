import { describe, expect, it } from 'vitest';
import type { GraphFragment } from '../upg/types';
import { activationDigest, bucketMarkers, itemToSummary, summaryUpdate } from './summary';

const T = Date.UTC(2026, 10, 3, 12);
const act = (id: string, action: string, start?: number, end?: number, parent?: string) => ({
  id: `act:${id}`,
  kind: 'activation' as const,
  activationId: id,
  requestId: 'r',
  action,
  container: 'ctr:c',
  ...(start !== undefined ? { start } : {}),
  ...(end !== undefined ? { end } : {}),
  ...(parent ? { parent } : {}),
});

describe('summaryUpdate', () => {
  it('collects activations and actions, start/end as min/max, the entry from the first root activation', () => {
    const fragment: GraphFragment = {
      request: 'r',
      nodes: [act('b', '/_/get-price', T + 10, T + 20, 'a'), act('a', '/_/purchase', T, T + 50), act('c', '/_/authorize-cc', T + 30, T + 40, 'a')],
      edges: [],
    };
    const u = summaryUpdate(fragment);
    expect(u.addToSet).toEqual({ activationIds: ['a', 'b', 'c'].map(activationDigest).sort(), actions: ['/_/authorize-cc', '/_/get-price', '/_/purchase'] });
    // the same activation named by another fragment unions into the same digest
    expect(summaryUpdate({ request: 'r', nodes: [act('a', '/_/purchase', T)], edges: [] }).addToSet.activationIds).toEqual([activationDigest('a')]);
    expect(new Set(['a', 'b', 'c'].map(activationDigest)).size).toBe(3);
    expect(u.monotone).toEqual([
      { attr: 'start', keep: 'min', value: T },
      { attr: 'placeRank', keep: 'min', value: `a00${T}`, companions: { tpk: 'DAY#2026-11-03', tsk: `00${T}#r` } },
      { attr: 'end', keep: 'max', value: T + 50 },
      { attr: 'entryRank', keep: 'min', value: `1#00${T}#a`, companions: { entry: '/_/purchase' } },
    ]);
    expect(bucketMarkers(u).map((m) => m.sk).sort()).toEqual(['DAY#2026-11-03', 'DAY#unknown']);
  });

  it('prefers an explicit entry on the request node', () => {
    const u = summaryUpdate({
      request: 'r',
      nodes: [{ id: 'req:r', kind: 'request', requestId: 'r', entry: '/_/checkout', start: T }, act('a', '/_/purchase', T)],
      edges: [],
    });
    expect(u.monotone.find((m) => m.attr === 'entryRank')).toEqual({ attr: 'entryRank', keep: 'min', value: `0#00${T}`, companions: { entry: '/_/checkout' } });
  });

  it('places a request without a start by any time in the fragment (ranked below real starts), else in the unknown bucket', () => {
    const withEdgeTime = summaryUpdate({ request: 'r', nodes: [], edges: [{ id: 'e', from: 'a', to: 'b', kind: 'used', time: T + 7 }] });
    expect(withEdgeTime.monotone).toEqual([
      { attr: 'placeRank', keep: 'min', value: `b00${T + 7}`, companions: { tpk: 'DAY#2026-11-03', tsk: `00${T + 7}#r` } },
    ]);
    expect(`a00${T + 9}` < `b00${T + 7}`).toBe(true);
    const timeless = summaryUpdate({ request: 'r', nodes: [act('a', '/_/x')], edges: [] });
    expect(timeless.monotone.map((m) => m.attr)).toEqual(['entryRank']);
    expect(timeless.setIfMissing).toEqual({ tpk: 'DAY#unknown', tsk: '~#r' });
  });
});

describe('itemToSummary', () => {
  it('counts the activation set and sorts actions', () => {
    expect(
      itemToSummary({ req: 'r', start: T, end: T + 5, entry: '/_/p', activationIds: new Set(['x', 'y']), actions: new Set(['b', 'a']) }),
    ).toEqual({ request: 'r', start: T, end: T + 5, entry: '/_/p', activations: 2, actions: ['a', 'b'] });
    expect(itemToSummary({ req: 'r' })).toEqual({ request: 'r', activations: 0, actions: [] });
  });
});
