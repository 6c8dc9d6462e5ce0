// A short seeded run of every fuzz target (bench/fuzz.ts runs a million inputs each): hostile
// input never crashes a parser, never hangs it, never passes for valid, and the generators really
// reach both sides of each parser's checks (some inputs accepted, several distinct rejections).
import { describe, expect, it } from 'vitest';
import { formatReport, runSync } from '../bench/fuzz-run';
import { SYNC_TARGETS } from '../bench/fuzz-targets';
import { runRestFuzz } from '../bench/fuzz-rest';

const RUNS = 2500;
const SEED = 20261203;

describe('fuzzing the parsers of hostile input (seeded short run)', () => {
  it.each(SYNC_TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    const r = runSync(target, RUNS, SEED);
    console.log(formatReport(r).split('\n').slice(0, 6).join('\n'));
    expect(r.examples, formatReport(r)).toEqual([]);
    expect(r.crashes).toBe(0);
    expect(r.hangs).toBe(0);
    expect(r.accepted).toBeGreaterThan(RUNS / 20);
    expect(r.rejected.size).toBeGreaterThanOrEqual(1);
    expect(r.inputs - r.accepted).toBeGreaterThan(RUNS / 20);
  }, 120_000);

  it('rest-api: the embedded platform on 127.0.0.1 answers every generated request without a crash, a hang or a 5xx other than 502', async () => {
    const r = await runRestFuzz(400, SEED);
    console.log(formatReport(r).split('\n').slice(0, 12).join('\n'));
    expect(r.examples, formatReport(r)).toEqual([]);
    expect(r.accepted).toBeGreaterThan(10);
    expect(r.rejected.size).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
