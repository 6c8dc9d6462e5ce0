// Feeds generated inputs to a fuzz target and counts what happened: accepted, rejected (by
// reason), crashed (threw, or broke an invariant: first examples kept), hung (took longer than the
// limit every time it is run: a one-off stall is the machine, not the parser). Inputs are generated
// in chunks from consecutive seeds, so any run is repeatable.
import fc from 'fast-check';
import type { FuzzOutcome } from './fuzz-targets';

export interface FuzzReport {
  target: string;
  inputs: number;
  accepted: number;
  rejected: Map<string, number>;
  crashes: number;
  /** crashes by kind (the message with its numbers blanked), so that every one is accounted for, not only the first examples */
  crashKinds: Map<string, number>;
  hangs: number;
  /** first crashes and hangs, with the input that caused them */
  examples: string[];
  /** slowest input, ms */
  slowestMs: number;
  ms: number;
}

export function newReport(target: string): FuzzReport {
  return { target, inputs: 0, accepted: 0, rejected: new Map(), crashes: 0, crashKinds: new Map(), hangs: 0, examples: [], slowestMs: 0, ms: 0 };
}

const CHUNK = 2000;

function show(input: unknown): string {
  let s: string;
  try {
    s = fc.stringify(input);
  } catch {
    s = String(input);
  }
  return s.length > 400 ? s.slice(0, 400) + '…' : s;
}

export function record(report: FuzzReport, input: unknown, outcome: FuzzOutcome | Error, ms: number, hangMs: number): void {
  report.inputs++;
  if (ms > report.slowestMs) report.slowestMs = ms;
  if (ms > hangMs) {
    report.hangs++;
    if (report.examples.length < 5) report.examples.push(`hang (${ms.toFixed(0)} ms): ${show(input)}`);
  }
  if (outcome instanceof Error) {
    report.crashes++;
    const kind = `${outcome.name}: ${outcome.message.replace(/\d+/g, 'N').slice(0, 120)}`;
    report.crashKinds.set(kind, (report.crashKinds.get(kind) ?? 0) + 1);
    if (report.examples.length < 5) report.examples.push(`crash: ${outcome.name}: ${outcome.message.slice(0, 300)}\n      input: ${show(input)}`);
  } else if ('accepted' in outcome) report.accepted++;
  else report.rejected.set(outcome.rejected, (report.rejected.get(outcome.rejected) ?? 0) + 1);
}

/** Run a synchronous target on `runs` generated inputs. */
export function runSync<T>(target: { name: string; arbitrary: fc.Arbitrary<T>; run(input: T): FuzzOutcome }, runs: number, seed: number, hangMs = 1000): FuzzReport {
  const report = newReport(target.name);
  const t0 = performance.now();
  for (let done = 0, chunk = 0; done < runs; chunk++) {
    const n = Math.min(CHUNK, runs - done);
    for (const input of fc.sample(target.arbitrary, { numRuns: n, seed: seed + chunk })) {
      const s = performance.now();
      let outcome: FuzzOutcome | Error;
      try {
        outcome = target.run(input);
      } catch (e) {
        outcome = e instanceof Error ? e : new Error(String(e));
      }
      let ms = performance.now() - s;
      // on a shared machine a slow input may only have waited for a core: it hangs if it is slow every time
      for (let again = 0; ms > hangMs && again < 2; again++) {
        const s2 = performance.now();
        try {
          target.run(input);
        } catch {
          // the outcome was recorded from the first run
        }
        ms = Math.min(ms, performance.now() - s2);
      }
      record(report, input, outcome, ms, hangMs);
    }
    done += n;
  }
  report.ms = performance.now() - t0;
  return report;
}

export function formatReport(r: FuzzReport): string {
  const lines = [`${r.target}: ${r.inputs} inputs in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.inputs / (r.ms / 1000))}/s): ${r.accepted} accepted, ${r.inputs - r.accepted - r.crashes} rejected, ${r.crashes} crashes, ${r.hangs} hangs (slowest ${r.slowestMs.toFixed(1)} ms)`];
  for (const [reason, n] of [...r.rejected].sort((a, b) => b[1] - a[1])) lines.push(`  rejected ${String(n).padStart(8)}  ${reason}`);
  for (const [kind, n] of [...r.crashKinds].sort((a, b) => b[1] - a[1])) lines.push(`  crashed  ${String(n).padStart(8)}  ${kind}`);
  for (const e of r.examples) lines.push(`  ${e}`);
  return lines.join('\n');
}
