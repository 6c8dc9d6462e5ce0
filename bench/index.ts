// `npm run bench`: one command, one run, one table of ratios against the same work without
// provenance (issue 3 "Measure", issue 5's LMS numbers):
//   (a) hello-retail-like activation latency: not wrapped / wrapper / wrapper + hooks / wrapper + kernel
//       capture, interleaved in rounds (bench/kernel-activations.ts)
//   (b) dd microbenchmark: no capture / probe loaded not capturing / capturing / strace -f / auditd
//   (c) records decoded per second on one core
//   (d) LMS on hello-retail (bench/lms-hello-retail.ts, one round), when it finishes in time
// What cannot run here (not root, no BTF, addon not built, no auditd) is printed as skipped, with why.
//   npm run bench [-- --requests N (per configuration and round) --rounds N --count N --no-lms]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelCapturePrerequisites } from '../invokers/agent/kernel-tap';
import { benchMicro, printMicro, type MicroBench } from './capture';
import { ACTIVATION_DEFAULTS, benchActivations, formatActivationBench, type ActivationBench } from './kernel-activations';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

function printActivations(a: ActivationBench): void {
  const [title, ...rest] = formatActivationBench(a);
  console.log(`(a) ${title}`);
  for (const line of rest) console.log(line);
}

function printMicroSection(m: MicroBench): void {
  console.log('(b) and (c):');
  printMicro(m);
}

function runLms(): void {
  console.log('(d) LMS on hello-retail (bench/lms-hello-retail.ts, 1 round)');
  const script = path.join(__dirname, 'lms-hello-retail.ts');
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [script, '1'], { encoding: 'utf8', timeout: 240_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-1)[0]}`;
    console.log(`    skipped: ${why}`);
    return;
  }
  for (const line of r.stdout.trim().split('\n')) console.log(`    ${line}`);
}

async function main(): Promise<void> {
  const requests = arg('requests', ACTIVATION_DEFAULTS.requests);
  const rounds = arg('rounds', ACTIVATION_DEFAULTS.rounds);
  const count = arg('count', 100_000);
  const skipped: string[] = [];
  const kernel = kernelCapturePrerequisites();
  if (kernel && !kernel.on) skipped.push(`kernel capture rows: ${kernel.reason} (${kernel.step})`);
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'wrapper', 'bundle.js'))) {
    throw new Error('dist/wrapper/bundle.js is missing: run `npm run build` first');
  }

  const acts = await benchActivations({
    rounds,
    requests,
    warmup: ACTIVATION_DEFAULTS.warmup,
    untimedPerTurn: ACTIVATION_DEFAULTS.untimedPerTurn,
    withKernel: !kernel,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  let micro: MicroBench | undefined;
  if (!kernel) micro = await benchMicro(count);
  else skipped.push('(b) dd microbenchmark and (c) decoder: they need the eBPF probe');

  console.log('');
  console.log('serverless-provenance overhead, one run, ratios against the same work without provenance');
  printActivations(acts);
  console.log('');
  if (micro) printMicroSection(micro);
  console.log('');
  if (process.argv.includes('--no-lms')) skipped.push('(d) LMS: --no-lms');
  else runLms();
  for (const s of skipped) console.log(`skipped: ${s}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
