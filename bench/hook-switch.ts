// Drives kmod/out/sp_hook_switch (kmod/bench/sp_hook_switch.c) for the dd microbenchmarks
// (bench/capture.ts, bench/pipe-floor.ts): the helper holds the programs they compare loaded and
// attaches one at a time when told, over its stdin and stdout, one command and one answer a line.
// Also reads back the batches it kept for the decoder.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kmodPaths } from '../kmod/paths';

/** What sp_hook_switch can attach: nothing, the empty program, or one of its probes. */
export type Hook = 'none' | 'empty' | 'probe' | 'capture' | 'durations';
/** The probes whose kernel counters sp_hook_switch reports. */
export type SwitchProbe = Exclude<Hook, 'none' | 'empty'>;

/** kmod/out/sp_hook_switch driven from here: see that file's header for what each command does. */
export interface HookSwitch {
  /** attach only this program (none: nothing) */
  use(h: Hook): Promise<void>;
  /** the probe's kernel counters, since it was loaded */
  stats(p: SwitchProbe): Promise<{ events: number; drops: number; bytes: number }>;
  /** from now on, append capture's drained batches to file; without a file, drain the rest into it and close it */
  keep(file?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The probe (capturing `cgroup`: another one than the measured process's for its idle cost, so
 * that its filter is live) and the empty program on its hook (kmod/bench/sp_empty.bpf.c), and,
 * given `captured`, two more probes capturing that cgroup (by default and with durations), all
 * loaded once by kmod/out/sp_hook_switch, which attaches at most one of them at a time on
 * request: switching takes milliseconds where loading a probe takes seconds, so the
 * configurations can take turns round by round. A string says why it could not start. `tool`: a
 * switch built against another probe (kmod/bench/probe-variants.sh).
 */
export async function openHookSwitch(
  cgroup: bigint,
  tool = path.join(kmodPaths().out, 'sp_hook_switch'),
  captured?: bigint,
): Promise<HookSwitch | string> {
  const out = kmodPaths().out;
  const object = path.join(out, 'sp_empty.bpf.o');
  if (!fs.existsSync(tool) || !fs.existsSync(object)) return `${tool} is not built: run scripts/kmod-build.sh probe`;
  const args = [object, String(cgroup), ...(captured === undefined ? [] : [String(captured)])];
  const p = spawn(tool, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => p.once('close', () => resolve()));
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let pending = '';
  p.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  p.once('close', () => waiters.splice(0).forEach((w) => w(undefined)));
  p.once('error', () => waiters.splice(0).forEach((w) => w(undefined)));
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise<string | undefined>((resolve) => waiters.push(resolve)));
  const why = () => {
    const first = stderr.trim().split('\n')[0];
    // a switch built before it took a captured cgroup answers three arguments with its usage
    if (first?.startsWith('usage:') && captured !== undefined) return `${tool} is older than bench/capture.ts: rebuild it with scripts/kmod-build.sh probe`;
    return first || 'sp_hook_switch stopped';
  };
  const ask = async (command: string): Promise<string> => {
    p.stdin.write(`${command}\n`);
    const answer = await next();
    if (answer === undefined) throw new Error(`sp_hook_switch: ${command}: ${why()}`);
    return answer;
  };
  if ((await next()) !== 'ready') {
    p.kill();
    await exited;
    return why();
  }
  return {
    async use(h: Hook) {
      if ((await ask(h)) !== `ok ${h}`) throw new Error(`cannot attach ${h}: ${why()}`);
    },
    async stats(probe: SwitchProbe) {
      const m = /^stats (\d+) (\d+) (\d+)$/.exec(await ask(`stats ${probe}`));
      if (!m) throw new Error(`no counters for the ${probe} probe: ${why()}`);
      return { events: Number(m[1]), drops: Number(m[2]), bytes: Number(m[3]) };
    },
    async keep(file?: string) {
      if ((await ask(file ? `keep ${file}` : 'keep')) !== 'ok keep') throw new Error(`cannot keep the capture's batches: ${why()}`);
    },
    async close() {
      p.stdin.end();
      await exited;
    },
  };
}

/** Batches kept by HookSwitch.keep: each a 4-byte little-endian length, then the records back to back. */
export function readKeptBatches(data: Buffer): Buffer[] {
  const batches: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    if (at + 4 > data.length) throw new Error(`kept batches: ${data.length - at} stray bytes at ${at}: the file was cut short`);
    const len = data.readUInt32LE(at);
    if (at + 4 + len > data.length) throw new Error(`kept batches: a batch of ${len} bytes at ${at} runs past the end (${data.length}): the file was cut short`);
    batches.push(Buffer.from(data.subarray(at + 4, at + 4 + len)));
    at += 4 + len;
  }
  return batches;
}
