// False-deviation rate of the LMS analysis on code nobody attacked. Each entry (every exported
// function of a few well-known installed packages, and the OpenWhisk-shaped actions of
// lms/openwhisk-shaped-fixtures.ts) is analysed as if it were an action's handler, then *run* in a
// child process with representative inputs; what it printed is matched to its templates and checked
// against its LMS-CFG exactly as the correlator does at the end of an activation. Any deviation here
// is a false alarm, so the rate must be 0. Lines no template matches (printed by code outside the
// analysed package) are counted apart: they are not deviations.
// Run: npx tsx bench/lms-false-deviations.ts [--package NAME]... [--max-exports N] [--verbose]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeAction } from '../lms/analyze';
import { judgeRun } from '../lms/judge-run';
import { createMatcher } from '../lms/matcher';
import { observeRun } from '../lms/observe-run';
import { OPENWHISK_SHAPED } from '../lms/openwhisk-shaped-fixtures';
import type { Deviation } from '../lms/types';

const PACKAGES = ['express', 'winston', 'commander', 'openwhisk', 'adm-zip', 'depd', 'debug'];
/** What an exported function is called with: nothing, a string, a message-like object. */
const GENERIC_INPUTS: unknown[][] = [[], ['hello'], [{ message: 'hello', level: 'info' }], ['hello %s', 'world']];

interface Row {
  group: string;
  entries: number;
  runs: number;
  /** runs that printed at least one line a template matched */
  logged: number;
  lines: number;
  matched: number;
  unmatched: number;
  deviating: number;
  timedOut: number;
  analysisFailed: number;
}

const argv = process.argv.slice(2);
const only = argv.flatMap((a, i) => (a === '--package' ? [argv[i + 1]!] : []));
const maxExports = Number(argv[argv.indexOf('--max-exports') + 1] ?? 0) || 40;
const verbose = argv.includes('--verbose');
const root = path.resolve(__dirname, '..');
const examples: string[] = [];

function emptyRow(group: string): Row {
  return { group, entries: 0, runs: 0, logged: 0, lines: 0, matched: 0, unmatched: 0, deviating: 0, timedOut: 0, analysisFailed: 0 };
}

/** Analyse `file` for `handler`, run it with each input, and add the outcome to `row`. */
function measure(row: Row, label: string, file: string, handler: string, inputs: unknown[][]): void {
  row.entries++;
  let profile;
  try {
    profile = analyzeAction(file, { handler });
  } catch (e) {
    row.analysisFailed++;
    if (verbose) console.log(`  ${label}: analysis failed: ${(e as Error).message}`);
    return;
  }
  const matcher = createMatcher(profile);
  for (const args of inputs) {
    const run = observeRun({ file, exportName: handler, args, timeoutMs: 3000 });
    const v = judgeRun(profile, matcher, run.lines, { failed: run.failed, complete: !run.timedOut });
    row.runs++;
    row.lines += v.lines;
    row.matched += v.matched;
    row.unmatched += v.unmatched.length;
    if (run.timedOut) row.timedOut++;
    if (v.matched > 0) row.logged++;
    if (v.deviations.length) {
      row.deviating++;
      if (examples.length < 20) examples.push(`${label}(${JSON.stringify(args).slice(1, -1)}): ${v.deviations.map((d: Deviation) => d.message).join('; ')}\n    printed: ${run.lines.slice(0, 6).join(' | ')}`);
    }
  }
}

function packageEntries(name: string): { file: string; exports: string[] } | undefined {
  let file: string;
  try {
    file = require.resolve(name, { paths: [root] });
  } catch {
    console.log(`  ${name}: not installed (npm ci installs it); skipped`);
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as unknown;
  const names: string[] = [];
  if (typeof mod === 'function') names.push('.');
  if (mod && (typeof mod === 'object' || typeof mod === 'function')) {
    for (const k of Object.keys(mod as object)) {
      try {
        if (typeof (mod as Record<string, unknown>)[k] === 'function') names.push(k);
      } catch {
        // a getter that throws is no entry
      }
    }
  }
  return { file, exports: names.slice(0, maxExports) };
}

function main(): void {
  const t0 = performance.now();
  const rows: Row[] = [];
  for (const name of only.length ? only : PACKAGES) {
    const found = packageEntries(name);
    if (!found) continue;
    const row = emptyRow(name);
    for (const exp of found.exports) measure(row, `${name}${exp === '.' ? '' : '.' + exp}`, found.file, exp, GENERIC_INPUTS);
    rows.push(row);
    if (verbose) console.log(`  ${name}: ${row.entries} exports, ${row.runs} runs`);
  }
  if (!only.length) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-false-dev-'));
    const row = emptyRow('openwhisk-shaped actions');
    OPENWHISK_SHAPED.forEach((f, i) => {
      const pkg = path.join(dir, `a${i}`);
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"action"}');
      for (const [n, text] of Object.entries(f.files)) {
        fs.mkdirSync(path.dirname(path.join(pkg, n)), { recursive: true });
        fs.writeFileSync(path.join(pkg, n), text);
      }
      measure(row, f.name, path.join(pkg, f.entry), f.handler, f.inputs);
    });
    rows.push(row);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const total = rows.reduce((t, r) => {
    for (const k of Object.keys(t) as Array<keyof Row>) if (k !== 'group') (t[k] as number) += r[k] as number;
    return t;
  }, emptyRow('total'));
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  console.log(`${'group'.padEnd(26)}${pad('entries', 8)}${pad('runs', 6)}${pad('logged', 8)}${pad('lines', 7)}${pad('matched', 9)}${pad('unmatched', 10)}${pad('timeouts', 9)}${pad('deviating', 10)}`);
  for (const r of [...rows, total]) {
    console.log(`${r.group.padEnd(26)}${pad(r.entries, 8)}${pad(r.runs, 6)}${pad(r.logged, 8)}${pad(r.lines, 7)}${pad(r.matched, 9)}${pad(r.unmatched, 10)}${pad(r.timedOut, 9)}${pad(r.deviating, 10)}`);
  }
  const rate = total.runs ? total.deviating / total.runs : 0;
  const loggedRate = total.logged ? total.deviating / total.logged : 0;
  console.log(`false-deviation rate: ${(rate * 100).toFixed(2)}% of ${total.runs} runs, ${(loggedRate * 100).toFixed(2)}% of the ${total.logged} runs whose lines matched templates (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  for (const e of examples) console.log(`deviation: ${e}`);
  if (total.analysisFailed) console.log(`${total.analysisFailed} entries could not be analysed (--verbose names them)`);
  process.exitCode = total.deviating ? 1 : 0;
}

main();
