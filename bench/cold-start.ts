// Cold start added by the wrapper: the first activation of a fresh container, wrapped against not
// wrapped, same action (get-price: reads a file, logs a line). Each sample creates one action of
// each kind and invokes it once (its container starts, /init loads the code, /run runs it), the
// kinds in an order balanced over the samples (sampleOrder), each once the previous container is
// gone, on one platform without kernel capture (the wrapper's hooks as with capture:
// PROVENANCE_KERNEL_CAPTURE=1, so what is measured is the wrapper alone; --hooks measures the
// wrapper with its own fs/net/child_process hooks, as where no kernel capture runs). The figure is
// the median of the paired differences (the kinds of one sample run back to back, so drift
// cancels), with a 95 % interval from resampling pairs; the actions are deleted after their
// sample, so their containers retire.
//
// What is timed is what the user sees: the blocking invoke, from the request to the answer. The
// activation record splits it: the container's start before /init (a node process starting, the
// same for both kinds: the action's code, the wrapper with it, is sent only with /init), /init
// (unpacking and loading the code: the wrapper bundle is required here) and /run (the first
// activation). The figure is the part from /init to the answer (the whole minus the container's
// start): on a loaded machine the process start varies by tens of milliseconds and would drown the
// difference. The whole is printed too.
//
//   npx tsx bench/cold-start.ts [samples] [--hooks] [--bundle a.js,b.js]   (after npm run build)
// --bundle compares several builds of the wrapper in the same samples (each against the same
// not-wrapped activation); the first one's figure is the result.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { startPlatform } from '../invokers/local/index';
import { median, quantile, roundOrder, seededRandom } from './interleave';
import { GET_PRICE, unwrapped, wrapped } from './kernel-activations';

export const COLD_DEFAULTS = { samples: 100 };

/** One first activation, as the client saw it and as the platform's activation record splits it (ms). */
export interface ColdSample {
  total: number;
  /** from the request to /init: the container's start (the platform's waitTime) */
  start: number;
  /** /init: unpack and load the action's code */
  init: number;
  /** /run: the first activation */
  run: number;
}

/** What follows the container's start: /init, /run, and the platform's answer with the logs, as the client saw it. */
export const afterStart = (s: ColdSample): number => s.total - s.start;

export interface ColdStartBench {
  samples: number;
  /** wrapper's own syscall hooks on (no kernel capture) rather than off */
  hooks: boolean;
  /** first-activation samples of the not-wrapped action */
  plain: ColdSample[];
  /** per wrapper bundle measured, its samples (same rounds as plain) */
  wrappers: Array<{ bundle: string; samples: ColdSample[]; ranFirst: boolean[] }>;
  /** the first bundle's: median of wrapped - plain over the pairs (afterStart), and its 95 % interval */
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

/** The split of one blocking invoke's time from its activation record (annotations waitTime, initTime; duration). */
export function coldSampleOf(totalMs: number, record: { duration?: unknown; annotations?: unknown }): ColdSample {
  const notes = Array.isArray(record.annotations) ? (record.annotations as Array<{ key?: unknown; value?: unknown }>) : [];
  const note = (key: string): number | undefined => {
    const v = notes.find((a) => a.key === key)?.value;
    return typeof v === 'number' ? v : undefined;
  };
  const init = note('initTime');
  const duration = typeof record.duration === 'number' ? record.duration : undefined;
  if (init === undefined || duration === undefined) throw new Error('cold start: the activation record has no initTime or duration: was the container not fresh?');
  return { total: totalMs, start: note('waitTime') ?? 0, init, run: duration - init };
}

export interface ColdStartOptions {
  /** wrapper bundles to compare (default: PROVENANCE_BENCH_WRAPPER, else dist/wrapper/bundle.js) */
  bundles?: string[];
  hooks?: boolean;
  progress?: (line: string) => void;
}

export async function benchColdStart(samples: number, options: ColdStartOptions = {}): Promise<ColdStartBench> {
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`benchColdStart: samples must be a positive integer, got ${samples}`);
  const bundles = options.bundles?.length ? options.bundles : [undefined];
  const hooks = options.hooks === true;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const t0 = Date.now();
  const containerEnv: Record<string, string> = hooks ? {} : { PROVENANCE_KERNEL_CAPTURE: '1' };
  const platform = await startPlatform({ storeDir: dir, kernelCapture: false, containerEnv, log: () => undefined });
  try {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    // kind -1 is the not-wrapped action; kind i >= 0 the action wrapped with bundles[i]
    const kinds = [-1, ...bundles.map((_, i) => i)];
    const zips = new Map<number, Buffer>([[-1, unwrapped(GET_PRICE)], ...bundles.map((b, i): [number, Buffer] => [i, wrapped(GET_PRICE, b)])]);
    const first = async (kind: number, i: number): Promise<ColdSample> => {
      const name = `cold-${kind < 0 ? 'plain' : `wrapped${kind}`}-${i}`;
      await ow.actions.create({ name, action: zips.get(kind), kind: 'nodejs:20' } as never);
      const s = process.hrtime.bigint();
      const record = (await ow.actions.invoke({ name, params: { id: 'p1' }, blocking: true })) as { response?: { result?: { price?: unknown } }; duration?: unknown; annotations?: unknown };
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (typeof record.response?.result?.price !== 'number') throw new Error(`cold start ${name}: unexpected result ${JSON.stringify(record.response?.result)}`);
      await ow.actions.delete({ name });
      // the deleted action's container is destroyed in the background: the next sample starts
      // only once it is gone, or its teardown would share the CPU with the next one's start
      for (let waited = 0; platform.containers().length > 0 && waited < 3000; waited += 10) await sleep(10);
      return coldSampleOf(ms, record);
    };
    // one untimed round: the platform's own first containers (page cache, its code paths) are not samples
    for (const kind of kinds) await first(kind, -1);
    const plain: ColdSample[] = [];
    const wrappers = bundles.map((b) => ({ bundle: b ?? wrapperBundleName(), samples: [] as ColdSample[], ranFirst: [] as boolean[] }));
    for (let i = 0; i < samples; i++) {
      const order = sampleOrder(kinds, i);
      for (const kind of order) {
        const sample = await first(kind, i);
        if (kind < 0) plain.push(sample);
        else {
          wrappers[kind].samples.push(sample);
          wrappers[kind].ranFirst.push(order.indexOf(kind) < order.indexOf(-1));
        }
      }
      if ((i + 1) % 10 === 0) options.progress?.(`cold start: ${i + 1}/${samples} samples`);
    }
    const d = pairedDifference(wrappers[0].samples.map(afterStart), plain.map(afterStart));
    return { samples, hooks, plain, wrappers, addedMs: d.median, ci95: { low: d.low, high: d.high }, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await platform.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The order of the kinds in sample i: rotated by one place per sample, and every other full
 * rotation reversed, so that each two kinds run in either order equally often (rotations alone
 * put one of three kinds before another in two samples of three).
 */
export function sampleOrder<T>(kinds: readonly T[], i: number): T[] {
  const order = roundOrder(kinds, i);
  return Math.floor(i / Math.max(1, kinds.length)) % 2 === 1 ? order.reverse() : order;
}

function wrapperBundleName(): string {
  return process.env.PROVENANCE_BENCH_WRAPPER || 'dist/wrapper/bundle.js';
}

const fmt = (x: number): string => x.toFixed(1);

/** "median ms [low .. high]" of a paired difference. */
function diffText(a: readonly number[], b: readonly number[]): string {
  const d = pairedDifference(a, b);
  return `${fmt(d.median)} ms [${fmt(d.low)} .. ${fmt(d.high)}]`;
}

function split(xs: readonly ColdSample[]): string {
  const m = (f: (s: ColdSample) => number) => fmt(median(xs.map(f)));
  return `median ${m((s) => s.total)} ms: container start ${m((s) => s.start)}, then ${m(afterStart)} (/init ${m((s) => s.init)}, /run ${m((s) => s.run)})`;
}

export function formatColdStart(c: ColdStartBench): string[] {
  const lines = [
    `cold start: first activation of a fresh container (get-price), ${c.samples} samples of each kind in balanced order, wrapper ${c.hooks ? 'with its own fs/net/child_process hooks' : 'as with kernel capture (its syscall hooks off)'} (${c.seconds.toFixed(0)} s)`,
    `    not wrapped: ${split(c.plain)}`,
  ];
  c.wrappers.forEach((w, i) => {
    const of = (f: (s: ColdSample) => number) => [w.samples.map(f), c.plain.map(f)] as const;
    const [after, plainAfter] = of(afterStart);
    const d = i === 0 ? { median: c.addedMs, low: c.ci95.low, high: c.ci95.high } : pairedDifference(after, plainAfter);
    const firstDiffs = after.map((x, j) => x - plainAfter[j]);
    const whenFirst = firstDiffs.filter((_, j) => w.ranFirst[j]);
    const whenSecond = firstDiffs.filter((_, j) => !w.ranFirst[j]);
    lines.push(
      `    wrapped${c.wrappers.length > 1 ? ` (${w.bundle})` : ''}: ${split(w.samples)}`,
      `    added by the wrapper, from /init to the answer: ${fmt(d.median)} ms, 95 % interval ${fmt(d.low)} .. ${fmt(d.high)} (median of the pairs' differences; goal: at most 10 ms)`,
      `      /init ${diffText(...of((s) => s.init))}, /run ${diffText(...of((s) => s.run))}; with the container's start (the same for both, the wrapper not loaded yet) ${diffText(...of((s) => s.total))}`,
      `      order: median difference ${whenFirst.length ? fmt(median(whenFirst)) : '-'} ms when wrapped ran first (${whenFirst.length}), ${whenSecond.length ? fmt(median(whenSecond)) : '-'} ms when second (${whenSecond.length})`,
    );
  });
  return lines;
}

export function coldStartResults(c: ColdStartBench): Record<string, number> {
  return { 'coldStart.addedMs': c.addedMs };
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const samples = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--bundle')) ?? COLD_DEFAULTS.samples);
  const bundles = flag('bundle')
    ?.split(',')
    .map((b) => path.resolve(b));
  for (const b of bundles ?? []) if (!fs.existsSync(b)) {
    console.error(`bench/cold-start: no wrapper bundle at ${b}: give built bundle files to --bundle (npm run build makes dist/wrapper/bundle.js)`);
    process.exit(2);
  }
  benchColdStart(samples, { bundles, hooks: argv.includes('--hooks'), progress: (l) => process.stderr.write(`${l}\n`) })
    .then((c) => {
      for (const line of formatColdStart(c)) console.log(line);
    })
    .catch((e) => {
      console.error(`bench/cold-start: ${(e as Error).message}`);
      process.exit(1);
    });
}
