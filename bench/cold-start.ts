// Cold start added by the wrapper: the first activation of a fresh container, wrapped against not
// wrapped, same action (get-price: reads a file, logs a line). Each sample creates one action of
// each kind and invokes it once (its container starts, /init loads the code, /run runs it), in
// alternating order, on one platform without kernel capture (the wrapper's hooks as with capture:
// PROVENANCE_KERNEL_CAPTURE=1, so what is measured is the wrapper alone). The figure is the median
// of the paired differences (a pair runs back to back, so drift cancels), with a 95 % interval
// from resampling pairs; the actions are deleted after their sample, so their containers retire.
//   npx tsx bench/cold-start.ts [samples]   (after npm run build)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { startPlatform } from '../invokers/local/index';
import { median, quantile, seededRandom } from './interleave';
import { GET_PRICE, unwrapped, wrapped } from './kernel-activations';

export interface ColdStartBench {
  samples: number;
  /** first-activation latency (ms) of each sample */
  plain: number[];
  wrapped: number[];
  /** median of wrapped - plain over the pairs, and its 95 % interval */
  addedMs: number;
  ci95: { low: number; high: number };
  seconds: number;
}

/** Median of paired differences and a bootstrap interval over the pairs (seeded: same data, same interval). */
export function pairedDifference(a: readonly number[], b: readonly number[], resamples = 2000): { median: number; low: number; high: number } {
  if (a.length !== b.length || a.length === 0) throw new Error('pairedDifference: both sides need the same, non-empty samples');
  const d = a.map((x, i) => x - b[i]);
  const rand = seededRandom(1);
  const meds: number[] = [];
  for (let r = 0; r < resamples; r++) meds.push(median(d.map(() => d[Math.floor(rand() * d.length)])));
  return { median: median(d), low: quantile(meds, 0.025), high: quantile(meds, 0.975) };
}

export async function benchColdStart(samples: number, progress?: (line: string) => void): Promise<ColdStartBench> {
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`benchColdStart: samples must be a positive integer, got ${samples}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const t0 = Date.now();
  const platform = await startPlatform({ storeDir: dir, kernelCapture: false, containerEnv: { PROVENANCE_KERNEL_CAPTURE: '1' }, log: () => undefined });
  try {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const zips = { plain: unwrapped(GET_PRICE), wrapped: wrapped(GET_PRICE) };
    const times = { plain: [] as number[], wrapped: [] as number[] };
    const first = async (kind: 'plain' | 'wrapped', i: number): Promise<number> => {
      const name = `cold-${kind}-${i}`;
      await ow.actions.create({ name, action: zips[kind], kind: 'nodejs:20' } as never);
      const s = process.hrtime.bigint();
      const r = (await ow.actions.invoke({ name, params: { id: 'p1' }, blocking: true, result: true })) as { price?: number };
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (typeof r.price !== 'number') throw new Error(`cold start ${name}: unexpected result ${JSON.stringify(r)}`);
      await ow.actions.delete({ name });
      return ms;
    };
    // one untimed pair: the platform's own first container (page cache, its code paths) is not a sample
    await first('plain', -1);
    await first('wrapped', -1);
    for (let i = 0; i < samples; i++) {
      const order = i % 2 === 0 ? (['plain', 'wrapped'] as const) : (['wrapped', 'plain'] as const);
      for (const kind of order) times[kind].push(await first(kind, i));
      if ((i + 1) % 5 === 0) progress?.(`cold start: ${i + 1}/${samples} pairs`);
    }
    const d = pairedDifference(times.wrapped, times.plain);
    return { samples, plain: times.plain, wrapped: times.wrapped, addedMs: d.median, ci95: { low: d.low, high: d.high }, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await platform.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function formatColdStart(c: ColdStartBench): string[] {
  return [
    `cold start: first activation of a fresh container (get-price), ${c.samples} pairs wrapped / not wrapped in alternating order (${c.seconds.toFixed(0)} s)`,
    `    not wrapped: median ${median(c.plain).toFixed(1)} ms; wrapped: median ${median(c.wrapped).toFixed(1)} ms`,
    `    added by the wrapper: ${c.addedMs.toFixed(1)} ms (median of the pairs' differences; 95 % interval ${c.ci95.low.toFixed(1)} .. ${c.ci95.high.toFixed(1)} ms; goal: at most 10 ms)`,
  ];
}

export function coldStartResults(c: ColdStartBench): Record<string, number> {
  return { 'coldStart.addedMs': c.addedMs };
}

if (require.main === module) {
  const samples = Number(process.argv[2] ?? 20);
  benchColdStart(samples, (l) => process.stderr.write(`${l}\n`))
    .then((c) => {
      for (const line of formatColdStart(c)) console.log(line);
    })
    .catch((e) => {
      console.error(`bench/cold-start: ${(e as Error).message}`);
      process.exit(1);
    });
}
