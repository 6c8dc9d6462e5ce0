// Capture overhead on a syscall-heavy microbenchmark: `dd bs=64` (many small reads and writes,
// the writes on fd 1) run in a cgroup, without capture, with the eBPF probe capturing that
// cgroup (ring drained and decoded meanwhile, as the agent does), and under `strace -f`.
// Also: events per second decoded by one core. One run, ratios against the baseline.
//   npx tsx bench/capture.ts [count]   (as root, after scripts/kmod-build.sh)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch } from '../kmod/decode';

const CGROUP2 = '/sys/fs/cgroup/unified';
const count = Number(process.argv[2] ?? 200_000);

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

async function main() {
  const cg = path.join(CGROUP2, 'serverless-provenance-bench', String(process.pid));
  fs.mkdirSync(cg, { recursive: true });
  const id = BigInt(fs.statSync(cg).ino);
  const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64', `count=${count}`];
  const syscalls = count * 2;
  const rows: Array<[string, number, string]> = [];
  try {
    const base = await median(5, () => run(dd, cg));
    rows.push(['baseline (no capture)', base, '']);

    const cap: Capture = openCapture({ backend: 'bpf', batchBytes: 8 << 20 });
    const batches: Buffer[] = [];
    let draining = true;
    const drain = (async () => {
      while (draining) {
        const b = await cap.pollAsync(50);
        if (b) batches.push(b);
      }
    })();
    // probe loaded but this cgroup not selected: the cost every other process on the node pays
    const idle = await median(5, () => run(dd, cg));
    rows.push(['probe loaded, cgroup not captured', idle, '']);
    cap.addCgroup(id);
    const captured = await median(5, () => run(dd, cg));
    draining = false;
    await drain;
    for (;;) {
      const b = cap.poll(0);
      if (!b) break;
      batches.push(b);
    }
    const st = cap.stats();
    cap.close();
    rows.push(['eBPF capture (records to user space)', captured, `${st.events} records, ${st.drops} dropped`]);

    const t0 = process.hrtime.bigint();
    let decoded = 0;
    for (const b of batches) decoded += decodeBatch(b).events.length;
    const decodeS = Number(process.hrtime.bigint() - t0) / 1e9;

    const strace = await median(3, () => run(['strace', '-f', '-o', '/dev/null', ...dd], cg));
    rows.push(['strace -f', strace, '']);

    console.log(`microbenchmark: dd bs=64 count=${count} (${syscalls} read/write syscalls), median of runs`);
    console.log(`${'configuration'.padEnd(40)} ${'ms'.padStart(9)} ${'ratio'.padStart(7)}  note`);
    for (const [name, ms, note] of rows)
      console.log(`${name.padEnd(40)} ${ms.toFixed(1).padStart(9)} ${(ms / base).toFixed(2).padStart(6)}x  ${note}`);
    console.log(`decoder: ${decoded} records in ${(decodeS * 1000).toFixed(0)} ms = ${Math.round(decoded / decodeS).toLocaleString('en-US')} records/s on one core`);
  } finally {
    try {
      fs.rmdirSync(cg);
    } catch {
      // a process still in it: harmless, named after this run
    }
  }
}

main().catch((e) => {
  console.error(`bench/capture: ${(e as Error).message}`);
  process.exit(1);
});
