// `npm run bench`: one command, one run, one table of ratios against the same work without
// provenance (issue 3 "Measure", issue 5's LMS numbers):
//   (a) hello-retail-like activation latency: not wrapped / wrapper / wrapper + kernel capture
//   (b) dd microbenchmark: no capture / probe loaded not capturing / capturing / strace -f / auditd
//   (c) records decoded per second on one core
//   (d) LMS on hello-retail (bench/lms-hello-retail.ts, one round), when it finishes in time
// What cannot run here (not root, no BTF, addon not built, no auditd) is printed as skipped, with why.
//   npm run bench [-- --requests N --count N --no-lms]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelCapturePrerequisites } from '../invokers/agent/kernel-tap';
import { benchMicro, type MicroBench } from './capture';
import { benchActivations, median, p90, type ActivationBench } from './kernel-activations';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

const row = (cells: string[], widths: number[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

function printActivations(a: ActivationBench, requests: number): void {
  console.log(`(a) hello-retail-like purchase (purchase -> get-price, file, HTTP, logs), ${requests} blocking requests per configuration, one run`);
  const w = [34, 10, 8, 9, 9, 10];
  console.log(row(['configuration', 'median ms', 'p90 ms', 'x median', 'x p90', 'B stored/act'], w));
  const baseP90 = (p90(a.runs[0].latencies) + p90(a.runs[a.runs.length - 1].latencies)) / 2;
  for (const r of a.runs) {
    const m = median(r.latencies);
    const q = p90(r.latencies);
    console.log(row([r.name, m.toFixed(2), q.toFixed(2), `${(m / a.baseMedian).toFixed(3)}x`, `${(q / baseP90).toFixed(3)}x`, String(Math.round(r.bytesPerRequest / 2))], w));
    if (r.kernel) console.log(`    ${r.kernel}`);
  }
  console.log('    (B stored/act: JSON batches shipped to the correlator per activation; 2 activations per request)');
}

function printMicro(m: MicroBench): void {
  console.log(`(b) dd if=/dev/zero of=/dev/null bs=64 count=${m.count} (${m.syscalls} read/write syscalls) in a cgroup, median of runs`);
  const w = [38, 10, 8];
  console.log(row(['configuration', 'ms', 'ratio'], w) + '  note');
  for (const r of m.rows) {
    console.log(row([r.name, r.ms === undefined ? '-' : r.ms.toFixed(1), r.ms === undefined ? '-' : `${(r.ms / m.base).toFixed(2)}x`], w) + `  ${r.note}`);
  }
  const { records, seconds } = m.decode;
  console.log(`(c) decoder: ${records} records in ${(seconds * 1000).toFixed(0)} ms = ${Math.round(records / seconds).toLocaleString('en-US')} records/s on one core`);
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
  const requests = arg('requests', 60);
  const count = arg('count', 100_000);
  const skipped: string[] = [];
  const kernel = kernelCapturePrerequisites();
  if (kernel && !kernel.on) skipped.push(`kernel capture rows: ${kernel.reason} (${kernel.step})`);
  if (!fs.existsSync(path.join(__dirname, '..', 'dist', 'wrapper', 'bundle.js'))) {
    throw new Error('dist/wrapper/bundle.js is missing: run `npm run build` first');
  }

  const acts = await benchActivations(requests, !kernel);
  let micro: MicroBench | undefined;
  if (!kernel) micro = await benchMicro(count);
  else skipped.push('(b) dd microbenchmark and (c) decoder: they need the eBPF probe');

  console.log('');
  console.log('serverless-provenance overhead, one run, ratios against the same work without provenance');
  printActivations(acts, requests);
  console.log('');
  if (micro) printMicro(micro);
  console.log('');
  if (process.argv.includes('--no-lms')) skipped.push('(d) LMS: --no-lms');
  else runLms();
  for (const s of skipped) console.log(`skipped: ${s}`);
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
