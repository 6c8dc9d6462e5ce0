import { describe, expect, it } from 'vitest';
import { afterStart, coldSampleOf, sampleOrder } from './cold-start';

describe('sampleOrder', () => {
  it.each([[2], [3], [4]])('runs each two of %i kinds in either order equally often over two full rotations', (k) => {
    const kinds = Array.from({ length: k }, (_, i) => i);
    for (const a of kinds) {
      for (const b of kinds) {
        if (a === b) continue;
        let aFirst = 0;
        for (let i = 0; i < 2 * k; i++) {
          const order = sampleOrder(kinds, i);
          expect([...order].sort()).toEqual(kinds);
          if (order.indexOf(a) < order.indexOf(b)) aFirst += 1;
        }
        expect(aFirst).toBe(k);
      }
    }
  });
});

describe('coldSampleOf', () => {
  const note = (key: string, value: unknown) => ({ key, value });
  it.each([
    ['splits a cold activation', { duration: 30, annotations: [note('waitTime', 100), note('initTime', 20)] }, { total: 140, start: 100, init: 20, run: 10 }],
    ['counts a missing waitTime as no wait', { duration: 12, annotations: [note('initTime', 2)] }, { total: 140, start: 0, init: 2, run: 10 }],
  ])('%s', (_name, record, expected) => {
    expect(coldSampleOf(140, record)).toEqual(expected);
  });

  it('counts from /init to the answer what follows the container start, log collection included', () => {
    expect(afterStart(coldSampleOf(140, { duration: 30, annotations: [note('waitTime', 100), note('initTime', 20)] }))).toBe(40);
  });

  it.each([
    ['a warm activation (no initTime)', { duration: 3, annotations: [note('waitTime', 1)] }],
    ['a record without duration', { annotations: [note('initTime', 2)] }],
  ])('refuses %s: the container was not fresh', (_name, record) => {
    expect(() => coldSampleOf(10, record)).toThrow(/initTime or duration.*not fresh/);
  });
});
