// Capture overhead on a syscall-heavy microbenchmark: `dd bs=64` (many small reads and writes,
// the writes on fd 1) run in a cgroup: without capture; with the eBPF probe loaded while another
// cgroup is captured (the cost every process on the node that is not in a container pays); with
// the probe capturing that cgroup (ring drained meanwhile, as the agent does), by default and with
// per-syscall durations; with dd's stdout into a pipe, as a container's is (then every write may
// be a log line and is kept whole); under `strace -f`; and under auditd with rules for the same
// syscalls; and with an empty program on the same hook (kmod/bench/sp_empty.bpf.c), the floor the
// probe's idle cost is held against. Also: records per second decoded by one core (the batches
// of the capturing rows, decoded again and again for half a second after one untimed pass).
// One run, ratios against the baseline, of the CPU time the measured processes used (the cgroup's
// cpu.stat): a probe's cost is spent in the traced process's own system calls, and CPU time does
// not move when other work shares the machine, as wall time does.
// bench/index.ts runs it in `npm run bench`.
//   npx tsx bench/capture.ts [count]   (as root, after scripts/kmod-build.sh)
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch } from '../kmod/decode';
import { kmodPaths } from '../kmod/paths';

const CGROUP2 = '/sys/fs/cgroup/unified';
const RUNS = 9;

export interface MicroRow {
  name: string;
  /** median CPU time of the command's processes, ms; undefined when the configuration could not run */
  ms?: number;
  /** the median of the same work without capture, when it is not the plain baseline */
  base?: number;
  note: string;
}

export interface MicroBench {
  count: number;
  syscalls: number;
  base: number;
  rows: MicroRow[];
  decode: { records: number; seconds: number };
  /** medians (ms) of the rows the headline ratios come from */
  medians: { base: number; idle: number; empty?: number; pipeBase: number; pipeCaptured: number };
}

/**
 * The empty program on the probe's hook (kmod/bench/sp_empty.bpf.c), attached by its loader for
 * as long as the returned handle is open. Undefined, with why, when it was not built.
 */
async function attachEmptyProgram(): Promise<{ detach(): Promise<void> } | string> {
  const out = kmodPaths().out;
  const loader = path.join(out, 'sp_empty_load');
  const object = path.join(out, 'sp_empty.bpf.o');
  if (!fs.existsSync(loader) || !fs.existsSync(object)) return `${loader} is not built: run scripts/kmod-build.sh probe`;
  const p = spawn(loader, [object], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => p.once('close', () => resolve()));
  const ready = await new Promise<boolean>((resolve) => {
    p.stdout.on('data', (d: Buffer) => d.toString().includes('attached') && resolve(true));
    p.once('close', () => resolve(false));
    p.once('error', () => resolve(false));
  });
  if (!ready) return stderr.trim().split('\n')[0] || 'the empty program did not attach';
  return {
    async detach() {
      p.stdin.end();
      await exited;
    },
  };
}

/**
 * Decodes the batches repeatedly (after one untimed pass, for the JIT) for at least minSeconds of
 * this process's CPU time: the decoder runs on one thread, so that is the time of one core, and
 * other load on the machine does not count against it.
 */
function timeDecoder(batches: Buffer[], minSeconds = 0.5): { records: number; seconds: number } {
  if (!batches.length) return { records: 0, seconds: 0 };
  for (const b of batches) decodeBatch(b);
  let records = 0;
  const t0 = process.cpuUsage();
  let seconds = 0;
  while (seconds < minSeconds) {
    for (const b of batches) records += decodeBatch(b).events.length;
    const used = process.cpuUsage(t0);
    seconds = (used.user + used.system) / 1e6;
  }
  return { records, seconds };
}

/** CPU time (µs) every process of the cgroup has used so far (cgroup v2 cpu.stat, kept even without the cpu controller). */
function cgroupCpuUs(cgDir: string): number {
  const m = /^usage_usec (\d+)$/m.exec(fs.readFileSync(path.join(cgDir, 'cpu.stat'), 'utf8'));
  if (!m) throw new Error(`${cgDir}/cpu.stat has no usage_usec: this bench needs cgroup v2`);
  return Number(m[1]);
}

/**
 * Runs cmd inside cgDir and returns the CPU time (ms) its processes used: what the probe costs a
 * process lands in that process's own system calls, and CPU time, unlike wall time, does not
 * grow when other work shares the machine's cores.
 */
function run(cmd: string[], cgDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const before = cgroupCpuUs(cgDir);
    const shell = `echo $$ > ${cgDir}/cgroup.procs && exec "$@"`;
    const p = spawn('/bin/sh', ['-c', shell, 'sh', ...cmd], { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve((cgroupCpuUs(cgDir) - before) / 1000) : reject(new Error(`${cmd.join(' ')} exited ${code}`))));
  });
}

async function median(n: number, f: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await f());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(n / 2)];
}

/** Why auditd cannot be measured here, or undefined when it can. */
function auditUnavailable(): string | undefined {
  try {
    execFileSync('auditctl', ['-s'], { stdio: 'pipe' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') return 'auditctl not installed (apt-get install auditd)';
    return `the audit subsystem is not usable here: ${String(err.stderr ?? err.message).trim().split('\n')[0]}`;
  }
  if (!fs.existsSync('/sbin/auditd') && !fs.existsSync('/usr/sbin/auditd')) return 'auditd not installed (apt-get install auditd)';
  return undefined;
}

/**
 * dd under auditd: the daemon started for this run (and stopped after, by its pid), one rule
 * for the syscalls the probe captures, limited to the dd executable (audit has no cgroup filter).
 */
async function underAudit(dd: string[], cg: string): Promise<MicroRow> {
  const why = auditUnavailable();
  if (why) return { name: 'auditd (same syscalls)', note: `skipped: ${why}` };
  const pidFile = '/var/run/auditd.pid';
  const syscalls = ['read', 'write', 'openat', 'close', 'execve', 'clone', 'exit_group'];
  const rule = ['-a', 'always,exit', '-F', 'arch=b64', ...syscalls.flatMap((s) => ['-S', s]), '-F', `exe=${execFileSync('readlink', ['-f', '/bin/dd']).toString().trim()}`];
  let started = false;
  try {
    if (!fs.existsSync(pidFile)) {
      execFileSync('auditd', [], { stdio: 'pipe' });
      started = true;
    }
    execFileSync('auditctl', ['-e', '1'], { stdio: 'pipe' });
    execFileSync('auditctl', rule, { stdio: 'pipe' });
    const ms = await median(3, () => run(dd, cg));
    const st = execFileSync('auditctl', ['-s']).toString();
    const lost = /lost (\d+)/.exec(st)?.[1] ?? '?';
    return { name: 'auditd (same syscalls, to disk)', ms, note: `rule: ${syscalls.join(',')} exe=dd; kernel lost ${lost}` };
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    return { name: 'auditd (same syscalls)', note: `skipped: ${String(err.stderr ?? '').trim() || err.message.split('\n')[0]}` };
  } finally {
    try {
      execFileSync('auditctl', ['-d', ...rule.slice(1)], { stdio: 'pipe' });
    } catch {
      // the rule was not added
    }
    if (started) {
      try {
        execFileSync('auditctl', ['-e', '0'], { stdio: 'pipe' });
        const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
        if (pid > 0) process.kill(pid, 'SIGTERM');
      } catch {
        // auditd already gone
      }
    }
  }
}

/** A capture whose ring is drained (and kept) meanwhile, as the agent does. */
function drained(opts: { durations?: boolean }): { cap: Capture; stop(): Promise<Buffer[]> } {
  const cap = openCapture({ backend: 'bpf', batchBytes: 8 << 20, ...opts });
  const batches: Buffer[] = [];
  let draining = true;
  const loop = (async () => {
    while (draining) {
      const b = await cap.pollAsync(50);
      if (b) batches.push(b);
    }
  })();
  return {
    cap,
    async stop() {
      draining = false;
      await loop;
      for (let b = cap.poll(0); b; b = cap.poll(0)) batches.push(b);
      return batches;
    },
  };
}

/**
 * Rounds: each runs every configuration once, so that drift (other load, CPU frequency) hits all of
 * them alike; each configuration's figure is its median over the rounds.
 */
export async function benchMicro(count: number): Promise<MicroBench> {
  const root = path.join(CGROUP2, 'serverless-provenance-bench');
  const cg = path.join(root, String(process.pid));
  const other = path.join(root, `${process.pid}-other`);
  fs.mkdirSync(cg, { recursive: true });
  fs.mkdirSync(other, { recursive: true });
  const id = BigInt(fs.statSync(cg).ino);
  const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${count}`];
  // stdout into a pipe, as a container's is: every write may carry log lines, so each is kept whole
  const ddPipe = ['/bin/sh', '-c', `dd if=/dev/zero bs=64 count=${count} 2>/dev/null | cat > /dev/null`];
  const times: Record<string, number[]> = {};
  const time = async (name: string, cmd: string[]) => (times[name] ??= []).push(await run(cmd, cg));
  const notes: Record<string, string> = {};
  let decodeBatches: Buffer[] = [];
  let emptyUnavailable: string | undefined;
  try {
    await run(dd, cg); // warm-up: page cache, dd's first exec
    const withoutProbe = async () => {
      await time('base', dd);
      await time('pipeBase', ddPipe);
    };
    const withProbe = async () => {
      const fast = drained({});
      // the probe loaded, another (empty) cgroup captured so the filter is live: dd's cgroup is not in it
      fast.cap.addCgroup(BigInt(fs.statSync(other).ino));
      await time('idle', dd);
      fast.cap.addCgroup(id);
      await time('captured', dd);
      const before = fast.cap.stats().events;
      await time('pipeCaptured', ddPipe);
      const st = fast.cap.stats();
      const batches = await fast.stop();
      fast.cap.close();
      notes.captured = `${before} records per round, ${st.drops} dropped`;
      notes.pipeCaptured = `${st.events - before} records per round, ${st.drops} dropped`;
      if (!decodeBatches.length) decodeBatches = batches;
    };
    // the floor: an empty program on the same hook, in the same rounds
    const withEmptyProgram = async () => {
      if (emptyUnavailable) return;
      const empty = await attachEmptyProgram();
      if (typeof empty === 'string') {
        emptyUnavailable = empty;
        return;
      }
      try {
        await time('empty', dd);
      } finally {
        await empty.detach();
      }
    };
    const withDurations = async () => {
      const slow = drained({ durations: true });
      slow.cap.addCgroup(id);
      await time('durations', dd);
      const st2 = slow.cap.stats();
      await slow.stop();
      slow.cap.close();
      notes.durations = `${st2.events} records per round, ${st2.drops} dropped`;
    };
    // the three groups take turns at going first, so that whatever the previous one leaves
    // behind (a probe just unloaded, caches) falls on each alike
    const groups = [withoutProbe, withProbe, withEmptyProgram, withDurations];
    for (let round = 0; round < RUNS; round++) {
      for (let g = 0; g < groups.length; g++) await groups[(round + g) % groups.length]();
    }

    const decode = timeDecoder(decodeBatches);

    const med = (name: string) => {
      const xs = [...times[name]].sort((a, b) => a - b);
      return xs[Math.floor(xs.length / 2)];
    };
    const base = med('base');
    const rows: MicroRow[] = [
      { name: 'baseline (no capture)', ms: base, note: '' },
      { name: 'empty program on sys_exit', ms: times.empty ? med('empty') : undefined, note: emptyUnavailable ? `skipped: ${emptyUnavailable}` : 'the floor: what any program on the hook costs every syscall' },
      { name: 'probe loaded, cgroup not captured', ms: med('idle'), note: 'what every other process on the node pays' },
      { name: 'eBPF capture (default)', ms: med('captured'), note: `sys_exit only, repeats summed in the kernel; ${notes.captured}` },
      { name: 'eBPF capture with durations', ms: med('durations'), note: `+ sys_enter on every syscall; ${notes.durations}` },
      { name: 'baseline, stdout into a pipe', ms: med('pipeBase'), note: 'dd | cat' },
      { name: 'eBPF capture, stdout into a pipe', ms: med('pipeCaptured'), base: med('pipeBase'), note: `every write kept whole (log path); ${notes.pipeCaptured}` },
    ];
    const strace = await median(3, () => run(['strace', '-f', '-o', '/dev/null', ...dd], cg));
    rows.push({ name: 'strace -f', ms: strace, note: '' });
    rows.push(await underAudit(dd, cg));
    const medians = { base, idle: med('idle'), empty: times.empty ? med('empty') : undefined, pipeBase: med('pipeBase'), pipeCaptured: med('pipeCaptured') };
    return { count, syscalls: count * 2, base, rows, decode, medians };
  } finally {
    for (const d of [cg, other]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // a process still in it: harmless, named after this run
      }
    }
  }
}

export function printMicro(m: MicroBench): void {
  console.log(`microbenchmark: dd bs=64 count=${m.count} (${m.syscalls} read/write syscalls) in a cgroup, median of ${RUNS} interleaved rounds in rotating order, CPU time of the cgroup's processes`);
  console.log(`${'configuration'.padEnd(36)} ${'CPU ms'.padStart(9)} ${'ratio'.padStart(7)}  note`);
  for (const r of m.rows) {
    const ms = r.ms === undefined ? '-'.padStart(9) : r.ms.toFixed(1).padStart(9);
    const ratio = r.ms === undefined ? '-'.padStart(7) : `${(r.ms / (r.base ?? m.base)).toFixed(2).padStart(6)}x`;
    console.log(`${r.name.padEnd(36)} ${ms} ${ratio}  ${r.note}${r.base !== undefined ? ' (ratio against the row above)' : ''}`);
  }
  const { base, idle, empty } = m.medians;
  if (empty !== undefined) {
    const costs = `probe's idle cost above the baseline: ${(idle - base).toFixed(1)} ms, the empty program's ${(empty - base).toFixed(1)} ms`;
    // a floor at or under the baseline is noise (a loaded machine): there is no ratio to give
    if (empty - base <= 0) console.log(`${costs}: the floor did not measure above the baseline in this run (noise), no ratio`);
    else console.log(`${costs}: ${((idle - base) / (empty - base)).toFixed(2)}x the floor (goal: at most 1.1x)`);
  }
  const { records, seconds } = m.decode;
  console.log(`decoder: ${records} records in ${(seconds * 1000).toFixed(0)} ms of CPU = ${Math.round(records / seconds).toLocaleString('en-US')} records/s on one core`);
}

/** The probe and decoder figures for bench/results.json. */
export function microResults(m: MicroBench): Record<string, number> {
  const out: Record<string, number> = {
    'probe.idleRatio': m.medians.idle / m.medians.base,
    'probe.pipeCaptureRatio': m.medians.pipeCaptured / m.medians.pipeBase,
  };
  if (m.medians.empty !== undefined) out['probe.emptyProgramRatio'] = m.medians.empty / m.medians.base;
  if (m.decode.seconds > 0) out['decoder.recordsPerSecond'] = m.decode.records / m.decode.seconds;
  return out;
}

if (require.main === module) {
  benchMicro(Number(process.argv[2] ?? 200_000))
    .then(printMicro)
    .catch((e) => {
      console.error(`bench/capture: ${(e as Error).message}`);
      process.exit(1);
    });
}
