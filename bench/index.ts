// `npm run bench`: one command, one run, one table of ratios against the same work without
// provenance, and bench/results.json beside it (bench/results.ts: each part merges its keys):
//   (a) hello-retail-like activation latency: not wrapped / wrapper / wrapper + hooks / wrapper + kernel
//       capture, interleaved in rounds (bench/kernel-activations.ts)
//   (b) cold start added by the wrapper: first activation of fresh containers (bench/cold-start.ts)
//   (c) dd microbenchmark: no capture / empty program on the hook / probe loaded not capturing /
//       capturing / strace -f / auditd, and records decoded per second on one core (bench/capture.ts)
//   (d) storage per activation, ingest rate, query time (bench/storage.ts, ingest.ts, query.ts)
//   (e) LMS on hello-retail (bench/lms-hello-retail.ts, one round), when it finishes in time
// What cannot run here (not root, no BTF, addon not built, no auditd) is printed as skipped, with why.
//   npm run bench [-- --requests N (per configuration and round) --rounds N --count N --cold N
//                     --query-activations N --no-lms --only a,b,c,d,e]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelCapturePrerequisites } from '../invokers/agent/kernel-tap';
import { benchMicro, microResults, printMicro } from './capture';
import { benchColdStart, COLD_DEFAULTS, coldStartResults, formatColdStart } from './cold-start';
import { benchIngest, formatIngest } from './ingest';
import { ACTIVATION_DEFAULTS, activationResults, benchActivations, formatActivationBench } from './kernel-activations';
import { benchQuery, formatQuery, QUERY_DEFAULTS } from './query';
import { missingResults, RESULTS_FILE, writeResults, type Results } from './results';
import { benchStorage, formatStorage, STORAGE_DEFAULTS } from './storage';
import { STORE_BACKENDS } from '../test/store-backends';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

/** One section of the bench: its lines (the first is its heading) and its figures for results.json; a throw says why it was skipped. */
interface Part {
  key: string;
  title: string;
  run(): Promise<{ lines: string[]; results: Results }>;
}

function runLms(): { lines: string[]; results: Results } {
  const script = path.join(__dirname, 'lms-hello-retail.ts');
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [script, '1'], { encoding: 'utf8', timeout: 240_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0]}`;
    throw new Error(why);
  }
  return { lines: ['LMS on hello-retail (bench/lms-hello-retail.ts, 1 round)', ...r.stdout.trim().split('\n').map((l) => `    ${l}`)], results: {} };
}

function captureLines(f: () => void): string[] {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  try {
    f();
  } finally {
    console.log = log;
  }
  return lines;
}

async function main(): Promise<void> {
  const requests = arg('requests', ACTIVATION_DEFAULTS.requests);
  const rounds = arg('rounds', ACTIVATION_DEFAULTS.rounds);
  const count = arg('count', 100_000);
  const coldSamples = arg('cold', COLD_DEFAULTS.samples);
  const queryActivations = arg('query-activations', QUERY_DEFAULTS.activations);
  const onlyArg = process.argv.indexOf('--only');
  const only = onlyArg >= 0 ? new Set(process.argv[onlyArg + 1].split(',')) : undefined;
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const started = Date.now();
  const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(0);
  /** f, with its wall time on the progress: where the bench's time goes, row by row */
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      progress(`bench: ${name} in ${seconds(t0)} s`);
    }
  };
  const partSeconds: string[] = [];
  progress(`bench: started ${new Date(started).toISOString()}, load average ${loadAverage()}`);
  const skipped: string[] = [];
  const kernel = kernelCapturePrerequisites();
  if (kernel && !kernel.on) skipped.push(`kernel capture rows: ${kernel.reason} (${kernel.step})`);
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'wrapper', 'bundle.js'))) {
    throw new Error('dist/wrapper/bundle.js is missing: run `npm run build` first');
  }

  const parts: Part[] = [
    {
      key: 'a',
      title: '(a)',
      async run() {
        const acts = await benchActivations({ rounds, requests, warmup: ACTIVATION_DEFAULTS.warmup, untimedPerTurn: ACTIVATION_DEFAULTS.untimedPerTurn, withKernel: !kernel, progress });
        return { lines: formatActivationBench(acts), results: activationResults(acts) };
      },
    },
    {
      key: 'b',
      title: '(b)',
      async run() {
        const c = await benchColdStart(coldSamples, { progress });
        return { lines: formatColdStart(c), results: coldStartResults(c) };
      },
    },
    {
      key: 'c',
      title: '(c)',
      async run() {
        if (kernel) throw new Error('the dd microbenchmark and the decoder need the eBPF probe');
        const m = await benchMicro(count, undefined, progress);
        return { lines: captureLines(() => printMicro(m)), results: microResults(m) };
      },
    },
    {
      key: 'd',
      title: '(d)',
      async run() {
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
        const s = await timed('(d) storage', () => benchStorage(STORAGE_DEFAULTS.requests));
        const i = await timed('(d) ingest', () => benchIngest());
        const q = await timed('(d) query', () => benchQuery(STORE_BACKENDS[0], { activations: queryActivations, onProgress: progress }));
        return {
          lines: [...formatStorage(s), formatIngest(i), ...formatQuery(q)],
          results: {
            'storage.itemsPerActivation': s.itemsPerActivation,
            'storage.bytesPerActivation': s.bytesPerActivation,
            'ingest.activationsPerSecond': i.activationsPerSecond,
            'query.traceP50Ms': q.traceP50Ms,
            'query.activations': q.activations,
          },
        };
      },
    },
    {
      key: 'e',
      title: '(e)',
      async run() {
        if (process.argv.includes('--no-lms')) throw new Error('--no-lms');
        return runLms();
      },
    },
  ];

  const output: string[] = [];
  for (const part of parts) {
    if (only && !only.has(part.key)) continue;
    const t0 = Date.now();
    try {
      const { lines, results } = await part.run();
      // written as each part ends: a part that fails later does not lose the figures before it
      if (Object.keys(results).length) writeResults(results);
      output.push('', `${part.title} ${lines[0] ?? ''}`, ...lines.slice(1));
      progress(`bench: part ${part.title} done in ${seconds(t0)} s`);
    } catch (e) {
      skipped.push(`${part.title}: ${(e as Error).message.split('\n')[0]}`);
      progress(`bench: part ${part.title} skipped after ${seconds(t0)} s`);
    }
    partSeconds.push(`${part.key} ${seconds(t0)} s`);
  }

  console.log('');
  console.log('serverless-provenance overhead, one run, ratios against the same work without provenance');
  for (const line of output) console.log(line);
  console.log('');
  for (const s of skipped) console.log(`skipped: ${s}`);
  const results = writeResults({});
  const missing = missingResults(results);
  console.log(`figures in ${path.relative(process.cwd(), RESULTS_FILE)}${missing.length ? `; not measured (yet): ${missing.join(', ')}` : ''}`);
  console.log(`bench took ${seconds(started)} s (${partSeconds.join(', ')}), load average ${loadAverage()}`);
}

/** The 1, 5 and 15 minute load averages: every timing above is of a machine this busy. */
function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
