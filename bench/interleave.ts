// Pure statistics for benchmarks that interleave configurations in rounds (kernel-activations.ts):
// the rotating order of each round, quantiles, and ratios between two configurations computed per
// round, so that drift (the machine getting slower or faster over the run) cancels within a round
// and the spread of the per-round ratios says how far a difference stands above noise.

/** The configurations in the order round `round` runs them: rotated by one place per round. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  if (!Number.isInteger(round) || round < 0) throw new Error(`roundOrder: round must be a non-negative integer, got ${round}`);
  const k = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The q-quantile (0..1) of xs, linear between order statistics (R type 7, numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be within 0..1, got ${q}`);
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of an empty list');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface RatioSummary {
  /** median of every numerator sample over median of every denominator sample */
  pooled: number;
  /** per round: median of the numerator's samples in that round over the denominator's */
  perRound: number[];
  /** median and interquartile range of perRound */
  median: number;
  q1: number;
  q3: number;
  /** distribution-free 95 % confidence interval of the median of perRound (order statistics) */
  ciLow: number;
  ciHigh: number;
}

/**
 * 1-based ranks [k, n+1-k] of the order statistics that bound a distribution-free confidence
 * interval of the median of n samples: the largest k with P(Binomial(n, 1/2) <= k-1) <= (1-level)/2.
 * Undefined when n is too small for that level (n < 6 at 95 %).
 */
export function medianCiRanks(n: number, level = 0.95): [number, number] | undefined {
  if (!Number.isInteger(n) || n < 1) throw new Error(`medianCiRanks: n must be a positive integer, got ${n}`);
  const tail = (1 - level) / 2;
  let pmf = Math.pow(0.5, n); // P(X = 0)
  let cdf = 0;
  let k = 0;
  for (let j = 0; j < n; j++) {
    cdf += pmf; // P(X <= j)
    if (cdf > tail) break;
    k = j + 1;
    pmf = (pmf * (n - j)) / (j + 1);
  }
  return k >= 1 ? [k, n + 1 - k] : undefined;
}

/**
 * Compares two configurations measured in the same rounds: `num[r]` and `den[r]` are the
 * samples (e.g. latencies) of round r. Rounds where either side has no sample are refused: a
 * missing round would silently weigh the others more.
 */
export function ratioSummary(num: readonly (readonly number[])[], den: readonly (readonly number[])[]): RatioSummary {
  if (num.length !== den.length) throw new Error(`ratioSummary: ${num.length} rounds against ${den.length}; both sides need the same rounds`);
  if (num.length === 0) throw new Error('ratioSummary: no rounds');
  num.forEach((xs, r) => {
    if (xs.length === 0 || den[r].length === 0) throw new Error(`ratioSummary: round ${r} has no samples on one side`);
  });
  const perRound = num.map((xs, r) => median(xs) / median(den[r]));
  const sorted = [...perRound].sort((a, b) => a - b);
  const ranks = medianCiRanks(sorted.length);
  return {
    pooled: median(num.flat()) / median(den.flat()),
    perRound,
    median: median(perRound),
    q1: quantile(perRound, 0.25),
    q3: quantile(perRound, 0.75),
    // too few rounds for a 95 % interval: the whole range, which says so by being wide
    ciLow: ranks ? sorted[ranks[0] - 1] : sorted[0],
    ciHigh: ranks ? sorted[ranks[1] - 1] : sorted[sorted.length - 1],
  };
}

/** Whether a confidence interval of a ratio lies wholly above or below 1 (a difference above noise). */
export function beyondNoise(ci: { low: number; high: number }): 'above' | 'below' | 'within noise' {
  if (ci.low > 1) return 'above';
  if (ci.high < 1) return 'below';
  return 'within noise';
}

/** A small seeded generator (mulberry32), so that a bootstrap gives the same interval for the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Confidence interval of the pooled ratio median(num) / median(den) by resampling whole rounds
 * with replacement (a round's two sides stay together, so drift between rounds still cancels).
 * Uses every sample, so it is tighter than the interval of the median of per-round ratios.
 */
export function roundBootstrapCi(
  num: readonly (readonly number[])[],
  den: readonly (readonly number[])[],
  opts: { resamples?: number; level?: number; seed?: number } = {},
): { low: number; high: number } {
  if (num.length !== den.length || num.length === 0) throw new Error('roundBootstrapCi: both sides need the same, non-empty rounds');
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const rand = seededRandom(opts.seed ?? 1);
  const n = num.length;
  const ratios: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const pickNum: number[] = [];
    const pickDen: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = Math.floor(rand() * n);
      pickNum.push(...num[r]);
      pickDen.push(...den[r]);
    }
    ratios.push(median(pickNum) / median(pickDen));
  }
  return { low: quantile(ratios, (1 - level) / 2), high: quantile(ratios, 1 - (1 - level) / 2) };
}
