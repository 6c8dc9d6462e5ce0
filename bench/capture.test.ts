// The idle figures of bench/capture.ts (c): ratios taken within each round, then their median.
import { describe, expect, it } from 'vitest';
import { idleFigures, type IdleRounds } from './capture';

const rounds = (base: number[], empty: number[], idle: number[]): IdleRounds => ({ base, empty, idle, foreign: 0, seconds: 0 });

describe('idleFigures', () => {
  it.each([
    ['steady rounds', rounds([100, 100, 100], [120, 110, 130], [122, 111, 133]), { empty: 1.2, idle: 1.22, overFloor: 1.1 }],
    // a round where the machine ran at half speed scales all three alike: per-round ratios ignore it
    ['one round twice as slow', rounds([100, 200, 100], [120, 220, 130], [122, 222, 133]), { empty: 1.2, idle: 1.22, overFloor: 1.1 }],
    ['the idle probe at the floor', rounds([50, 50, 50], [60, 60, 60], [60, 60, 60]), { empty: 1.2, idle: 1.2, overFloor: 1 }],
  ])('%s', (_name, r, want) => {
    const f = idleFigures(r);
    expect(f.empty.median).toBeCloseTo(want.empty, 6);
    expect(f.idle.median).toBeCloseTo(want.idle, 6);
    expect(f.overFloor).toBeCloseTo(want.overFloor, 6);
  });

  it('gives an interval that holds the figure, narrower when the rounds agree', () => {
    const noisy = idleFigures(rounds([100, 100, 100, 100, 100, 100, 100, 100], [120, 125, 115, 130, 110, 120, 128, 112], [122, 130, 118, 127, 119, 121, 131, 115]));
    const steady = idleFigures(rounds([100, 100, 100, 100, 100, 100, 100, 100], [120, 120, 120, 120, 120, 120, 120, 120], [122, 122, 122, 122, 122, 122, 122, 122]));
    expect(noisy.overFloorCi!.low).toBeLessThanOrEqual(noisy.overFloor!);
    expect(noisy.overFloorCi!.high).toBeGreaterThanOrEqual(noisy.overFloor!);
    expect(steady.overFloorCi).toEqual({ low: expect.closeTo(1.1, 6), high: expect.closeTo(1.1, 6) });
    expect(noisy.overFloorCi!.high - noisy.overFloorCi!.low).toBeGreaterThan(0.1);
  });

  it('gives no ratio over the floor when the empty program did not measure above no program', () => {
    expect(idleFigures(rounds([100, 100, 100], [99, 100, 98], [101, 100, 102])).overFloor).toBeUndefined();
  });

  it('holds the idle probe at the floor whatever the drift between rounds', () => {
    // the machine twice as slow in the last two rounds: every configuration pays it alike
    const r = rounds([100, 100, 200, 200], [110, 110, 220, 220], [110, 110, 220, 220]);
    expect(idleFigures(r).overFloor).toBeCloseTo(1, 6);
  });
});
