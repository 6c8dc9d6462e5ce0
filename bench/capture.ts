// Capture overhead on a syscall-heavy microbenchmark: `dd bs=64` (many small reads and writes,
// the writes on fd 1) run in a cgroup: without capture; with the eBPF probe loaded while another
// cgroup is captured (the cost every process on the node that is not in a container pays); with
// the probe capturing that cgroup (ring drained and decoded meanwhile, as the agent does); under
// `strace -f`; and under auditd with rules for the same syscalls. Also: records per second decoded
// by one core. One run, ratios against the baseline. bench/index.ts runs it in `npm run bench`.
//   npx tsx bench/capture.ts [count]   (as root, after scripts/kmod-build.sh)
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch } from '../kmod/decode';

const CGROUP2 = '/sys/fs/cgroup/unified';
const RUNS = 7;

export interface MicroRow {
  name: string;
  /** median wall time, ms; undefined when the configuration could not run */
  ms?: number;
  note: string;
}

export interface MicroBench {
  count: number;
  syscalls: number;
  base: number;
  rows: MicroRow[];
  decode: { records: number; seconds: number };
}

function run(cmd: string[], cgDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const shell = `echo $$ > ${cgDir}/cgroup.procs && exec "$@"`;
    const p = spawn('/bin/sh', ['-c', shell, 'sh', ...cmd], { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd.join(' ')} exited ${code}`)),
    );
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

export async function benchMicro(count: number): Promise<MicroBench> {
  const root = path.join(CGROUP2, 'serverless-provenance-bench');
  const cg = path.join(root, String(process.pid));
  const other = path.join(root, `${process.pid}-other`);
  fs.mkdirSync(cg, { recursive: true });
  fs.mkdirSync(other, { recursive: true });
  const id = BigInt(fs.statSync(cg).ino);
  const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${count}`];
  const rows: MicroRow[] = [];
  try {
    const base = await median(RUNS, () => run(dd, cg));
    rows.push({ name: 'baseline (no capture)', ms: base, note: '' });

    const cap: Capture = openCapture({ backend: 'bpf', batchBytes: 8 << 20 });
    const batches: Buffer[] = [];
    let draining = true;
    const drain = (async () => {
      while (draining) {
        const b = await cap.pollAsync(50);
        if (b) batches.push(b);
      }
    })();
    // probe loaded, another (empty) cgroup captured so the filter is live: dd's cgroup is not in it
    cap.addCgroup(BigInt(fs.statSync(other).ino));
    const idle = await median(RUNS, () => run(dd, cg));
    rows.push({ name: 'probe loaded, cgroup not captured', ms: idle, note: 'another cgroup captured' });
    cap.addCgroup(id);
    const captured = await median(RUNS, () => run(dd, cg));
    draining = false;
    await drain;
    for (;;) {
      const b = cap.poll(0);
      if (!b) break;
      batches.push(b);
    }
    const st = cap.stats();
    cap.close();
    rows.push({ name: 'eBPF capture (records to user space)', ms: captured, note: `${st.events} records, ${st.drops} dropped` });

    const t0 = process.hrtime.bigint();
    let decoded = 0;
    for (const b of batches) decoded += decodeBatch(b).events.length;
    const decodeS = Number(process.hrtime.bigint() - t0) / 1e9;

    const strace = await median(3, () => run(['strace', '-f', '-o', '/dev/null', ...dd], cg));
    rows.push({ name: 'strace -f', ms: strace, note: '' });
    rows.push(await underAudit(dd, cg));
    return { count, syscalls: count * 2, base, rows, decode: { records: decoded, seconds: decodeS } };
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
  console.log(`microbenchmark: dd bs=64 count=${m.count} (${m.syscalls} read/write syscalls), median of runs`);
  console.log(`${'configuration'.padEnd(40)} ${'ms'.padStart(9)} ${'ratio'.padStart(7)}  note`);
  for (const r of m.rows) {
    const ms = r.ms === undefined ? '-'.padStart(9) : r.ms.toFixed(1).padStart(9);
    const ratio = r.ms === undefined ? '-'.padStart(7) : `${(r.ms / m.base).toFixed(2).padStart(6)}x`;
    console.log(`${r.name.padEnd(40)} ${ms} ${ratio}  ${r.note}`);
  }
  const { records, seconds } = m.decode;
  console.log(`decoder: ${records} records in ${(seconds * 1000).toFixed(0)} ms = ${Math.round(records / seconds).toLocaleString('en-US')} records/s on one core`);
}

if (require.main === module) {
  benchMicro(Number(process.argv[2] ?? 200_000))
    .then(printMicro)
    .catch((e) => {
      console.error(`bench/capture: ${(e as Error).message}`);
      process.exit(1);
    });
}
