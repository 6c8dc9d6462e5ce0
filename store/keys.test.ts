import { describe, expect, it } from 'vitest';
import { dayBucket, edgeKey, GRAPH_SK_UPPER_BOUND, nodeKey, summaryKey, timeSortKey, timeSortPart, touchKey, UNKNOWN_DAY, warningKey } from './keys';

describe('time sort keys', () => {
  it.each([
    [0, '000000000000000'],
    [1793707200000, '001793707200000'],
    [1793707200000.7, '001793707200000'],
    [undefined, '~'],
    [-5, '~'],
    [Number.NaN, '~'],
  ])('timeSortPart(%s) = %s', (time, expected) => {
    expect(timeSortPart(time)).toBe(expected);
  });

  it('orders by time as strings, unknown times last, ties by id', () => {
    const keys = [
      timeSortKey(undefined, 'a'),
      timeSortKey(10_000, 'b'),
      timeSortKey(9_999, 'z'),
      timeSortKey(10_000, 'a'),
      timeSortKey(1793707200000, 'c'),
    ];
    expect([...keys].sort()).toEqual([
      timeSortKey(9_999, 'z'),
      timeSortKey(10_000, 'a'),
      timeSortKey(10_000, 'b'),
      timeSortKey(1793707200000, 'c'),
      timeSortKey(undefined, 'a'),
    ]);
  });
});

describe('day buckets', () => {
  it.each([
    [Date.UTC(2026, 10, 3, 0, 0, 0), 'DAY#2026-11-03'],
    [Date.UTC(2026, 10, 3, 23, 59, 59, 999), 'DAY#2026-11-03'],
    [Date.UTC(2026, 10, 4), 'DAY#2026-11-04'],
    [undefined, UNKNOWN_DAY],
  ])('dayBucket(%s) = %s', (time, expected) => {
    expect(dayBucket(time)).toBe(expected);
  });

  it('sorts date buckets before the unknown bucket', () => {
    expect(dayBucket(Date.UTC(2999, 0, 1)) < UNKNOWN_DAY).toBe(true);
  });
});

describe('item keys', () => {
  it('puts every item of a request in one partition, graph items below the touch items', () => {
    const graphKeys = [nodeKey('r', 'n'), edgeKey('r', 'e'), summaryKey('r'), warningKey('r', { code: 'c', message: 'm' })];
    for (const k of graphKeys) {
      expect(k.pk).toBe('REQ#r');
      expect(k.sk < GRAPH_SK_UPPER_BOUND).toBe(true);
    }
    expect(touchKey('r', 'file:x', 'e').sk >= GRAPH_SK_UPPER_BOUND).toBe(true);
  });

  it('gives a warning the same key for the same warning, another for another', () => {
    const a = warningKey('r', { code: 'gap', message: 'm', activationId: 'a1' });
    expect(warningKey('r', { code: 'gap', message: 'm', activationId: 'a1' })).toEqual(a);
    expect(warningKey('r', { code: 'gap', message: 'm' })).not.toEqual(a);
    expect(warningKey('r', { code: 'gap', message: 'other', activationId: 'a1' })).not.toEqual(a);
  });
});
