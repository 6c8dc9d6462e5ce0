import { describe, expect, it } from 'vitest';
import { beyondNoise, mean, medianCiRanks, quantile, ratioSummary, roundBootstrapCi, roundOrder, seededRandom } from './interleave';

describe('roundOrder', () => {
  it.each([
    [0, ['N', 'A', 'W', 'K']],
    [1, ['A', 'W', 'K', 'N']],
    [3, ['K', 'N', 'A', 'W']],
    [4, ['N', 'A', 'W', 'K']],
    [6, ['W', 'K', 'N', 'A']],
  ])('round %i runs %j', (round, order) => {
    expect(roundOrder(['N', 'A', 'W', 'K'], round)).toEqual(order);
  });

  it('puts every configuration in every position once over as many rounds as configurations', () => {
    const items = ['N', 'A', 'W', 'K'];
    for (let pos = 0; pos < items.length; pos++) {
      const seen = [0, 1, 2, 3].map((r) => roundOrder(items, r)[pos]).sort();
      expect(seen).toEqual([...items].sort());
    }
  });

  it('refuses a negative round', () => {
    expect(() => roundOrder(['a'], -1)).toThrow(/non-negative/);
  });
});

describe('quantile', () => {
  it.each([
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[4, 1, 3, 2], 0.25, 1.75],
    [[1, 2, 3, 4], 0.75, 3.25],
    [[10, 0], 0, 0],
    [[10, 0], 1, 10],
  ])('quantile(%j, %d) = %d', (xs, q, want) => {
    expect(quantile(xs, q)).toBeCloseTo(want, 12);
  });

  it('mean averages and refuses an empty list', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(() => mean([])).toThrow(/empty/);
  });

  it('refuses an empty list and q outside 0..1', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty/);
    expect(() => quantile([1], 1.5)).toThrow(/0\.\.1/);
  });
});

describe('medianCiRanks', () => {
  // ranks from the binomial tables of distribution-free confidence intervals for the median
  it.each([
    [5, undefined],
    [6, [1, 6]],
    [10, [2, 9]],
    [20, [6, 15]],
    [24, [7, 18]],
    [50, [18, 33]],
  ])('n = %i gives %j', (n, want) => {
    expect(medianCiRanks(n)).toEqual(want);
  });

  it('refuses n < 1', () => {
    expect(() => medianCiRanks(0)).toThrow(/positive/);
  });
});

describe('ratioSummary', () => {
  it('takes each round on its own, so drift between rounds cancels', () => {
    // the machine gets twice as slow in round 2; the numerator is 10 % slower in every round
    const den = [[10, 10, 10], [20, 20, 20], [10, 11, 9]];
    const num = [[11, 11, 11], [22, 22, 22], [11, 12.1, 9.9]];
    const s = ratioSummary(num, den);
    expect(s.perRound.map((x) => Number(x.toFixed(6)))).toEqual([1.1, 1.1, 1.1]);
    expect(s.median).toBeCloseTo(1.1, 9);
    expect(s.q1).toBeCloseTo(1.1, 9);
    expect(s.q3).toBeCloseTo(1.1, 9);
    expect(beyondNoise({ low: s.ciLow, high: s.ciHigh })).toBe('above');
  });

  it('pools all samples for the overall ratio', () => {
    const s = ratioSummary([[2, 4]], [[1, 3]]);
    expect(s.pooled).toBeCloseTo(3 / 2, 12);
  });

  it('says a confidence interval straddling 1 is within noise', () => {
    const s = ratioSummary([[9], [11], [10], [10.5]], [[10], [10], [10], [10]]);
    expect(s.q1).toBeLessThan(1);
    expect(s.q3).toBeGreaterThan(1);
    expect(beyondNoise({ low: s.ciLow, high: s.ciHigh })).toBe('within noise');
    const b = ratioSummary([[8], [9]], [[10], [10]]);
    expect(beyondNoise({ low: b.ciLow, high: b.ciHigh })).toBe('below');
  });

  it('bounds the median with order statistics once there are enough rounds', () => {
    // 10 rounds: ranks 2 and 9 of the sorted per-round ratios
    const num = [1.0, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09].map((x) => [x]);
    const s = ratioSummary(num, num.map(() => [1]));
    expect(s.ciLow).toBeCloseTo(1.01, 12);
    expect(s.ciHigh).toBeCloseTo(1.08, 12);
    expect(beyondNoise({ low: s.ciLow, high: s.ciHigh })).toBe('above');
    // one round far below does not move the interval of the median much
    const t = ratioSummary([[0.5], ...num.slice(1)], num.map(() => [1]));
    expect(beyondNoise({ low: t.ciLow, high: t.ciHigh })).toBe('above');
  });

  it('refuses rounds that do not line up', () => {
    expect(() => ratioSummary([[1]], [[1], [2]])).toThrow(/same rounds/);
    expect(() => ratioSummary([[1], []], [[1], [2]])).toThrow(/round 1/);
    expect(() => ratioSummary([], [])).toThrow(/no rounds/);
  });
});

describe('roundBootstrapCi', () => {
  it('collapses onto the ratio when every round says the same', () => {
    const ci = roundBootstrapCi([[11, 11], [11, 11], [11, 11]], [[10, 10], [10, 10], [10, 10]]);
    expect(ci.low).toBeCloseTo(1.1, 12);
    expect(ci.high).toBeCloseTo(1.1, 12);
  });

  it('keeps the sides of a round together, so drift between rounds does not widen it', () => {
    // the machine's speed changes tenfold between rounds; the numerator is always 5 % slower
    const den = [1, 10, 3, 7, 2, 5].map((x) => [x, x * 1.01, x * 0.99]);
    const num = den.map((xs) => xs.map((x) => x * 1.05));
    const ci = roundBootstrapCi(num, den, { resamples: 300 });
    expect(ci.low).toBeCloseTo(1.05, 9);
    expect(ci.high).toBeCloseTo(1.05, 9);
  });

  it('widens with disagreement between rounds and contains the pooled ratio', () => {
    const den = [[10], [10], [10], [10], [10], [10], [10], [10]];
    const num = [[9], [12], [10], [11], [9.5], [10.5], [12], [9]];
    const ci = roundBootstrapCi(num, den, { resamples: 500 });
    expect(ci.low).toBeLessThan(1.02);
    expect(ci.high).toBeGreaterThan(1.03);
    expect(ci.low).toBeLessThanOrEqual(ci.high);
  });

  it('gives the same interval for the same seed', () => {
    const den = [[10, 12], [9, 11], [10, 13]];
    const num = [[11, 12], [10, 10], [12, 13]];
    expect(roundBootstrapCi(num, den, { seed: 7 })).toEqual(roundBootstrapCi(num, den, { seed: 7 }));
    expect(seededRandom(3)()).toBe(seededRandom(3)());
  });

  it('refuses rounds that do not line up', () => {
    expect(() => roundBootstrapCi([[1]], [])).toThrow(/same/);
  });
});
