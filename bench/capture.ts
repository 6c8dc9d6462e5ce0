// Capture overhead on a syscall-heavy microbenchmark: `dd bs=64` (many small reads and writes,
// the writes on fd 1) run in a cgroup: without capture; with the eBPF probe loaded while another
// cgroup is captured (the cost every process on the node that is not in a container pays); with
// the probe capturing that cgroup (ring drained meanwhile, as the agent does), by default and with
// per-syscall durations; with dd's stdout into a pipe, as a container's is (a stdio write keeps its
// bytes only when it may carry an activation marker, kmod/include/sp_markers.h: dd's are summed
// like file writes); under `strace -f`; and under auditd with rules for the same
// syscalls. The probe's idle cost is measured in a block of its own, against its floor, an empty
// program on the same hook (kmod/bench/sp_empty.bpf.c), so that many short rounds fit and ratios
// are taken per round. Every program stays loaded for the whole run (kmod/bench/sp_hook_switch.c:
// the empty program, the idle probe, a capturing probe and one with durations) and only which one
// is attached changes: loading a probe takes seconds of verification, switching milliseconds.
// Also: records per second decoded by one core (one capture of a pipe whose every write is a marker
// line, so kept with its bytes as the log path kept every write before markers only, decoded again and
// again for half a second after one untimed pass).
// One run, ratios against the baseline, of the CPU time the measured processes used (the cgroup's
// cpu.stat): a probe's cost is spent in the traced process's own system calls, and CPU time does
// not move when other work shares the machine, as wall time does.
// bench/index.ts runs it in `npm run bench`.
//   npx tsx bench/capture.ts [count] [idle rounds] [--idle-only] [--switch=PATH]   (as root, after scripts/kmod-build.sh)
// --switch: another build of kmod/out/sp_hook_switch (a copy kept from before a change of the
// probe), to measure before and after in the same conditions.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeBatch } from '../kmod/decode';
import { RECORD_LINE_START } from '../protocol/wrapper-records';
import { openHookSwitch, readKeptBatches, type HookSwitch, type SwitchProbe } from './hook-switch';
import { median, quantile, ratioSummary, roundOrder, seededRandom, type RatioSummary } from './interleave';

export const CGROUP2 = '/sys/fs/cgroup/unified';
const RUNS = 9;
/**
 * Rounds of the idle block: the three runs of a round take well under a second together, and the
 * per-round ratio of a difference this small (tens of ns per syscall) moves by several per cent
 * from round to round on a loaded 2-core VM. With 31 rounds the idle figure moved between 1.04x and
 * 1.26x the floor from run to run; with 61, between 1.06x and 1.13x (bench/README.md).
 */
const IDLE_ROUNDS = 61;
/**
 * `strace -f` runs this share of dd's count, against the same smaller dd without it. Its CPU time
 * for the same dd swung from 4.3 s to 17.3 s within one series of five runs, and three runs once took
 * 132 s of a whole bench (ptrace stops dd twice per system call, and on this VM each stop's cross-CPU
 * wake-up costs what other load makes it cost): the ratio is as noisy either way, the time is not.
 */
const STRACE_SHARE = 10;

export interface MicroRow {
  name: string;
  /** median CPU time of the command's processes, ms; undefined when the configuration could not run */
  ms?: number;
  /** the median of the same work without capture, when it is not the plain baseline */
  base?: number;
  /** what `base` is, for the note (default: the row above) */
  against?: string;
  note: string;
}

export interface MicroBench {
  count: number;
  syscalls: number;
  base: number;
  rows: MicroRow[];
  decode: { records: number; seconds: number };
  /** medians (ms) of the rows the pipe ratio comes from */
  medians: { base: number; pipeBase: number; pipeCaptured: number };
  /** the idle probe and its floor (idleBlock), or why they could not be measured */
  idle: { rounds: IdleRounds; figures: IdleFigures } | string;
}

/**
 * Programs on the syscall tracepoints that this run did not attach (another capture running on
 * the node): each one adds its own cost to every configuration, so rounds that saw one are named.
 */
function syscallHookLinks(): number {
  try {
    const links = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as { tp_name?: string }[];
    return links.filter((l) => l.tp_name === 'sys_exit' || l.tp_name === 'sys_enter').length;
  } catch {
    return 0; // bpftool missing: nothing to say
  }
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
export function run(cmd: string[], cgDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const before = cgroupCpuUs(cgDir);
    const shell = `echo $$ > ${cgDir}/cgroup.procs && exec "$@"`;
    const p = spawn('/bin/sh', ['-c', shell, 'sh', ...cmd], { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve((cgroupCpuUs(cgDir) - before) / 1000) : reject(new Error(`${cmd.join(' ')} exited ${code}`))));
  });
}

async function medianOf(n: number, f: () => Promise<number>): Promise<number> {
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
    const ms = await medianOf(3, () => run(dd, cg));
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

/** The idle block's CPU times (ms) of dd, per round: no program, the empty program, the idle probe. */
export interface IdleRounds {
  base: number[];
  empty: number[];
  idle: number[];
  /** rounds during which a program this run did not attach was on a syscall tracepoint */
  foreign: number;
  /** wall time the block took, s (for the bench's time budget) */
  seconds: number;
}

export interface IdleFigures {
  /** dd with the idle probe over dd with no program, per round: median, quartiles, 95 % interval */
  idle: RatioSummary;
  /** dd with the empty program over no program, per round */
  empty: RatioSummary;
  /** (idle - 1) / (empty - 1) of the two medians: the probe's idle cost over the hook's own; undefined when the floor did not measure above 1 */
  overFloor?: number;
  /** the same per round: median and quartiles (wider: one round's floor is a small difference) */
  overFloorPerRound: { median: number; q1: number; q3: number };
  /** 95 % interval of overFloor, resampling whole rounds (seeded: the same rounds give the same interval) */
  overFloorCi?: { low: number; high: number };
}

/** (idle - 1) / (empty - 1) of the medians of per-round ratios; undefined when the floor is not above 1. */
function overFloorOf(r: IdleRounds, pick: readonly number[]): number | undefined {
  const idle = median(pick.map((k) => r.idle[k] / r.base[k]));
  const empty = median(pick.map((k) => r.empty[k] / r.base[k]));
  return empty > 1 ? (idle - 1) / (empty - 1) : undefined;
}

/**
 * Pure: the idle figures from rounds in which the three configurations ran back to back. Ratios
 * are taken within each round and their median over the rounds is the figure, so that the machine
 * getting slower or faster between rounds cancels out of every ratio.
 */
export function idleFigures(r: IdleRounds): IdleFigures {
  const one = (xs: number[]) => xs.map((x) => [x]);
  const idle = ratioSummary(one(r.idle), one(r.base));
  const empty = ratioSummary(one(r.empty), one(r.base));
  const perRound = r.base.map((b, k) => (r.idle[k] - b) / (r.empty[k] - b));
  const all = r.base.map((_, k) => k);
  const rand = seededRandom(1);
  const resampled: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const v = overFloorOf(r, all.map(() => Math.floor(rand() * all.length)));
    if (v !== undefined) resampled.push(v);
  }
  return {
    idle,
    empty,
    overFloor: overFloorOf(r, all),
    overFloorPerRound: { median: quantile(perRound, 0.5), q1: quantile(perRound, 0.25), q3: quantile(perRound, 0.75) },
    // most resamples without a floor above 1: no interval worth giving
    overFloorCi: resampled.length >= 950 ? { low: quantile(resampled, 0.025), high: quantile(resampled, 0.975) } : undefined,
  };
}

/**
 * The floor and the idle probe: each round runs dd with no program, with the empty program and
 * with the idle probe, back to back in an order rotated by one place per round, so that whatever
 * the previous configuration leaves behind (caches, a program just detached) falls on each alike.
 * Both programs stay loaded for the whole block (sp_hook_switch); only their attachment changes.
 */
async function idleBlock(dd: string[], cg: string, hooks: HookSwitch, rounds: number): Promise<IdleRounds> {
  const times: Record<'none' | 'empty' | 'probe', number[]> = { none: [], empty: [], probe: [] };
  const t0 = Date.now();
  let foreign = 0;
  for (let round = 0; round < rounds; round++) {
    await hooks.use('none');
    // ours are all detached here: whatever is left on the hooks belongs to someone else
    if (syscallHookLinks() > 0) foreign++;
    for (const h of roundOrder(['none', 'empty', 'probe'] as const, round)) {
      await hooks.use(h);
      times[h].push(await run(dd, cg));
    }
  }
  await hooks.use('none');
  return { base: times.none, empty: times.empty, idle: times.probe, foreign, seconds: (Date.now() - t0) / 1000 };
}

/** Only the idle block (`--idle-only`): the idle figure alone, for checking how much it moves between runs. */
export async function benchIdleOnly(count: number, idleRounds = IDLE_ROUNDS): Promise<MicroBench['idle']> {
  const root = path.join(CGROUP2, 'serverless-provenance-bench');
  const cg = path.join(root, String(process.pid));
  const other = path.join(root, `${process.pid}-other`);
  fs.mkdirSync(cg, { recursive: true });
  fs.mkdirSync(other, { recursive: true });
  const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${count}`];
  try {
    const hooks = await openHookSwitch(BigInt(fs.statSync(other).ino));
    if (typeof hooks === 'string') return hooks;
    try {
      await run(dd, cg); // warm-up
      const idle = await idleBlock(dd, cg, hooks, idleRounds);
      return { rounds: idle, figures: idleFigures(idle) };
    } finally {
      await hooks.close();
    }
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

/**
 * Rounds: each runs every configuration once, so that drift (other load, CPU frequency) hits all of
 * them alike; each configuration's figure is its median over the rounds. The idle probe and its
 * floor are measured apart, in a block of their own (idleBlock), where the three runs of a round
 * are back to back and many more rounds fit in the same time.
 */
export async function benchMicro(count: number, idleRounds = IDLE_ROUNDS, progress: (line: string) => void = () => {}, tool?: string): Promise<MicroBench> {
  // each stage's wall time on the bench's progress: what to cut when the bench runs too long
  let stageStart = Date.now();
  const stage = (name: string) => {
    progress(`bench (c): ${name} in ${((Date.now() - stageStart) / 1000).toFixed(1)} s`);
    stageStart = Date.now();
  };
  const root = path.join(CGROUP2, 'serverless-provenance-bench');
  const cg = path.join(root, String(process.pid));
  const other = path.join(root, `${process.pid}-other`);
  fs.mkdirSync(cg, { recursive: true });
  fs.mkdirSync(other, { recursive: true });
  const id = BigInt(fs.statSync(cg).ino);
  const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${count}`];
  // stdout into a pipe, as a container's is: no write carries a marker, so each is summed
  const ddPipe = ['/bin/sh', '-c', `dd if=/dev/zero bs=64 count=${count} 2>/dev/null | cat > /dev/null`];
  // the decoder's input, captured once and untimed: every 64-byte write is a line that starts like a
  // record, so each is kept with its bytes (what the log path kept of every write before markers only)
  const markerLine = `${RECORD_LINE_START}${'0'.repeat(64 - RECORD_LINE_START.length - 1)}`;
  const ddMarkers = ['/bin/sh', '-c', `yes '${markerLine}' | dd bs=64 count=${count} iflag=fullblock 2>/dev/null | cat > /dev/null`];
  const times: Record<string, number[]> = {};
  const time = async (name: string, cmd: string[]) => (times[name] ??= []).push(await run(cmd, cg));
  // records each captured run left in the ring, and drops, from the probe's own counters
  const records: Record<string, number[]> = {};
  const drops: Record<string, number> = {};
  const counted = async (probe: SwitchProbe, name: string, cmd: string[]) => {
    const before = await hooks.stats(probe);
    await time(name, cmd);
    const after = await hooks.stats(probe);
    (records[name] ??= []).push(after.events - before.events);
    drops[name] = (drops[name] ?? 0) + after.drops - before.drops;
  };
  const keptFile = path.join(os.tmpdir(), `sp-bench-batches-${process.pid}`);
  let kept = false;
  // every program of (c) is loaded once, here, and only attached in turn: a probe takes seconds to
  // load, which used to be paid twice a round
  const opened = await openHookSwitch(BigInt(fs.statSync(other).ino), tool, id);
  if (typeof opened === 'string') {
    for (const d of [cg, other]) fs.rmdirSync(d);
    throw new Error(`the dd microbenchmark cannot load its programs: ${opened}`);
  }
  const hooks: HookSwitch = opened;
  stage('programs loaded');
  try {
    await run(dd, cg); // warm-up: page cache, dd's first exec
    const idle = await idleBlock(dd, cg, hooks, idleRounds);
    stage(`probe idle and its floor, ${idleRounds} rounds`);

    const withoutProbe = async () => {
      await time('base', dd);
      await time('pipeBase', ddPipe);
    };
    const withProbe = async () => {
      await hooks.use('capture');
      if (!kept) {
        // the decoder's records, as they were drained
        await hooks.keep(keptFile);
        await run(ddMarkers, cg);
        await hooks.keep();
        kept = true;
      }
      await counted('capture', 'captured', dd);
      await counted('capture', 'pipeCaptured', ddPipe);
      await hooks.use('none');
    };
    const withDurations = async () => {
      await hooks.use('durations');
      await counted('durations', 'durations', dd);
      await hooks.use('none');
    };
    // the groups take turns at going first, so that whatever the previous one leaves
    // behind (a probe just detached, caches) falls on each alike
    const groups = [withoutProbe, withProbe, withDurations];
    for (let round = 0; round < RUNS; round++) {
      for (const g of roundOrder(groups, round)) await g();
    }
    stage(`capture rows, ${RUNS} rounds`);

    const decode = timeDecoder(readKeptBatches(fs.readFileSync(keptFile)));
    stage('decoder');
    const notes = (name: string) => `${Math.round(median(records[name]))} records per round, ${drops[name]} dropped in ${RUNS} rounds`;

    const med = (name: string) => median(times[name]);
    const base = med('base');
    const rows: MicroRow[] = [
      { name: 'baseline (no capture)', ms: base, note: '' },
      { name: 'eBPF capture (default)', ms: med('captured'), note: `sys_exit only, repeats summed in the kernel; ${notes('captured')}` },
      { name: 'eBPF capture with durations', ms: med('durations'), note: `+ sys_enter on every syscall; ${notes('durations')}` },
      { name: 'baseline, stdout into a pipe', ms: med('pipeBase'), note: 'dd | cat' },
      { name: 'eBPF capture, stdout into a pipe', ms: med('pipeCaptured'), base: med('pipeBase'), note: `markers only: writes without one summed (log path); ${notes('pipeCaptured')}` },
    ];
    const straceCount = Math.max(1, Math.round(count / STRACE_SHARE));
    const ddShort = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${straceCount}`];
    const short: Record<'plain' | 'strace', number[]> = { plain: [], strace: [] };
    for (let round = 0; round < 3; round++) {
      for (const c of roundOrder(['plain', 'strace'] as const, round)) {
        short[c].push(await run(c === 'strace' ? ['strace', '-f', '-o', '/dev/null', ...ddShort] : ddShort, cg));
      }
    }
    rows.push({
      name: `strace -f (count=${straceCount})`,
      ms: median(short.strace),
      base: median(short.plain),
      against: `dd count=${straceCount} without it, ${median(short.plain).toFixed(1)} ms; 3 rounds`,
      note: `1/${STRACE_SHARE} of the dd: strace's CPU time swings several-fold from run to run here`,
    });
    stage(`strace -f, 3 rounds of count=${straceCount}`);
    rows.push(await underAudit(dd, cg));
    stage('auditd');
    const medians = { base, pipeBase: med('pipeBase'), pipeCaptured: med('pipeCaptured') };
    return { count, syscalls: count * 2, base, rows, decode, medians, idle: { rounds: idle, figures: idleFigures(idle) } };
  } finally {
    await hooks.close();
    fs.rmSync(keptFile, { force: true });
    for (const d of [cg, other]) {
      try {
        fs.rmdirSync(d);
      } catch {
        // a process still in it: harmless, named after this run
      }
    }
  }
}

const x = (r: number) => `${r.toFixed(3)}x`;

export function printMicro(m: MicroBench): void {
  console.log(`microbenchmark: dd bs=64 count=${m.count} (${m.syscalls} read/write syscalls) in a cgroup, median of ${RUNS} interleaved rounds in rotating order, CPU time of the cgroup's processes`);
  console.log(`${'configuration'.padEnd(36)} ${'CPU ms'.padStart(9)} ${'ratio'.padStart(7)}  note`);
  for (const r of m.rows) {
    const ms = r.ms === undefined ? '-'.padStart(9) : r.ms.toFixed(1).padStart(9);
    const ratio = r.ms === undefined ? '-'.padStart(7) : `${(r.ms / (r.base ?? m.base)).toFixed(2).padStart(6)}x`;
    console.log(`${r.name.padEnd(36)} ${ms} ${ratio}  ${r.note}${r.base !== undefined ? ` (ratio against ${r.against ?? 'the row above'})` : ''}`);
  }
  printIdle(m.idle);
  const { records, seconds } = m.decode;
  console.log(`decoder: ${records} records in ${(seconds * 1000).toFixed(0)} ms of CPU = ${Math.round(records / seconds).toLocaleString('en-US')} records/s on one core`);
}

/** The idle block's lines of printMicro. */
export function printIdle(idle: MicroBench['idle']): void {
  if (typeof idle === 'string') console.log(`probe idle and its floor: skipped: ${idle}`);
  else {
    const { rounds: r, figures: f } = idle;
    console.log(`probe idle (${r.base.length} rounds of no program / empty program on sys_exit / probe loaded, cgroup not captured, back to back in rotating order, ${r.seconds.toFixed(0)} s; ratios per round, then their median [quartiles]):`);
    console.log(`  CPU ms medians: no program ${median(r.base).toFixed(1)}, empty program ${median(r.empty).toFixed(1)}, idle probe ${median(r.idle).toFixed(1)}`);
    console.log(`  empty program ${x(f.empty.median)} [${x(f.empty.q1)}..${x(f.empty.q3)}] (the floor: what any program on the hook costs every syscall)`);
    console.log(`  idle probe    ${x(f.idle.median)} [${x(f.idle.q1)}..${x(f.idle.q3)}] (what every other process on the node pays)`);
    const perRound = `per round ${f.overFloorPerRound.median.toFixed(2)}x [${f.overFloorPerRound.q1.toFixed(2)}..${f.overFloorPerRound.q3.toFixed(2)}]`;
    // a floor at or under 1 is noise (a loaded machine): there is no ratio to give
    if (f.overFloor === undefined) console.log(`  the floor did not measure above the baseline in this run (noise): no ratio (${perRound})`);
    else {
      const ci = f.overFloorCi ? `95 % interval ${f.overFloorCi.low.toFixed(2)}..${f.overFloorCi.high.toFixed(2)} resampling rounds; ` : '';
      console.log(`  idle cost above no program over the empty program's: ${f.overFloor.toFixed(2)}x the floor (goal: at most 1.1x; ${ci}${perRound})`);
    }
    if (r.foreign) console.log(`  note: in ${r.foreign} of ${r.base.length} rounds another program (not this run's) was on a syscall tracepoint, adding its cost to all three`);
  }
}

/** The probe and decoder figures for bench/results.json. */
export function microResults(m: MicroBench): Record<string, number> {
  const out: Record<string, number> = {
    'probe.pipeCaptureRatio': m.medians.pipeCaptured / m.medians.pipeBase,
  };
  if (typeof m.idle !== 'string') {
    out['probe.idleRatio'] = m.idle.figures.idle.median;
    out['probe.emptyProgramRatio'] = m.idle.figures.empty.median;
  }
  if (m.decode.seconds > 0) out['decoder.recordsPerSecond'] = m.decode.records / m.decode.seconds;
  return out;
}

if (require.main === module) {
  const [count, rounds] = [Number(process.argv[2] ?? 200_000), process.argv[3] ? Number(process.argv[3]) : undefined];
  const tool = process.argv.find((a) => a.startsWith('--switch='))?.slice('--switch='.length);
  (process.argv.includes('--idle-only') ? benchIdleOnly(count, rounds).then(printIdle) : benchMicro(count, rounds, (line) => process.stderr.write(`${line}\n`), tool).then(printMicro))
    .catch((e) => {
      console.error(`bench/capture: ${(e as Error).message}`);
      process.exit(1);
    });
}
