// Fuzzes every parser of hostile input with generated, structured near-valid inputs and prints,
// per target: inputs, accepted, rejections by reason, crashes, hangs (with the first examples).
// Exit code 1 when any target crashed or hung.
// Run: npx tsx bench/fuzz.ts [--runs N (default 1000000)] [--target NAME]... [--seed S]
//   targets: kernel-decode, wrapper-record, batch, lms-matcher, rest-api
// At a million inputs a target takes minutes (rest-api: hours, it is HTTP on loopback): on a shared
// machine run it with `nice -n 19` and fewer --runs.
import { formatReport, runSync } from './fuzz-run';
import { runRestFuzz } from './fuzz-rest';
import { SYNC_TARGETS } from './fuzz-targets';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runs = Number(opt('--runs') ?? 1_000_000);
const seed = Number(opt('--seed') ?? 1);
const only = argv.flatMap((a, i) => (a === '--target' ? [argv[i + 1]!] : []));
const names = [...SYNC_TARGETS.map((t) => t.name), 'rest-api'];
for (const n of only) if (!names.includes(n)) {
  console.error(`fuzz: no target "${n}"; targets: ${names.join(', ')}`);
  process.exit(2);
}
if (!Number.isInteger(runs) || runs <= 0) {
  console.error(`fuzz: --runs must be a positive integer (got ${opt('--runs')})`);
  process.exit(2);
}

async function main(): Promise<void> {
  let bad = 0;
  for (const t of SYNC_TARGETS) {
    if (only.length && !only.includes(t.name)) continue;
    const r = runSync(t, runs, seed);
    console.log(formatReport(r));
    bad += r.crashes + r.hangs;
  }
  if (!only.length || only.includes('rest-api')) {
    const r = await runRestFuzz(runs, seed);
    console.log(formatReport(r));
    bad += r.crashes + r.hangs;
  }
  process.exitCode = bad ? 1 : 0;
}

void main();
