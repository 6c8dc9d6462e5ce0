// Shared by the kernel capture integration tests: build on demand, find out whether this
// machine can run them, make and remove test cgroups.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openCapture, type Capture, type CaptureOptions } from '../kmod/binding';
import { decodeBatch, type KernelEvent } from '../kmod/decode';
import { kmodPaths } from '../kmod/paths';
import { EventType } from '../kmod/schema';

export const paths = kmodPaths();
/** Where cgroup v2 is mounted: /sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a unified one. */
export const CGROUP2 = cgroup2Mount() ?? '/sys/fs/cgroup/unified';

function cgroup2Mount(): string | undefined {
  try {
    const line = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[2] === 'cgroup2');
    return line?.split(' ')[1];
  } catch {
    return undefined;
  }
}

/** Why the real-kernel probe tests cannot run here (what is missing and how to get it), or null when they can. */
export function probeUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'it needs root (loading an eBPF probe): run the tests as root';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'this kernel has no BTF (/sys/kernel/btf/vmlinux), which the CO-RE probe needs';
  if (!fs.existsSync(path.join(CGROUP2, 'cgroup.procs'))) return `no cgroup v2 mounted (looked at ${CGROUP2})`;
  return null;
}

/** Commands a suite runs that scripts/install-system-deps.sh installs: what is missing, or null. */
export function missingCommands(commands: Record<string, string>): string | null {
  const missing = Object.entries(commands).filter(([cmd]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!missing.length) return null;
  return `${missing.map(([cmd, pkg]) => `${cmd} (Debian package ${pkg})`).join(', ')} missing: run \`bash scripts/install-system-deps.sh\` as root`;
}

/**
 * Builds what a test needs when it is missing or older than its sources (the test command builds
 * the addon first; the module is built only here, and a checkout that moved on must not test an
 * older probe or module).
 */
export function ensureBuilt(what: 'probe' | 'addon' | 'lkm'): void {
  execFileSync('bash', [paths.buildScript, '--if-stale', what], { stdio: 'inherit' });
}

export function makeCgroup(name: string): { dir: string; id: bigint; remove(): void } {
  const dir = path.join(CGROUP2, 'serverless-provenance-test', `${name}-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return {
    dir,
    id: BigInt(fs.statSync(dir).ino),
    remove() {
      try {
        fs.rmdirSync(dir);
      } catch {
        // still has a process (a failed test): leave it, it is harmless and named
      }
    },
  };
}

/**
 * `cat` the file `name` (written first, in `dir`) from a process moved into `cgDir`, then drain the
 * capture until it has been quiet twice: returns the names of the files in `dir` that it saw opened.
 */
export async function catInCgroup(cap: Capture, cgDir: string, dir: string, name: string): Promise<string[]> {
  fs.writeFileSync(path.join(dir, name), name);
  const r = spawnSync('/bin/sh', ['-c', `echo $$ > ${cgDir}/cgroup.procs && exec cat ${dir}/${name}`], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`cat ${name} in ${cgDir} exited ${r.status}`);
  const opened: string[] = [];
  for (let quiet = 0; quiet < 2; ) {
    const b = await cap.pollAsync(150);
    if (!b) {
      quiet++;
      continue;
    }
    for (const e of decodeBatch(b).events) if (e.type === EventType.OPEN && String(e.params.path).startsWith(dir)) opened.push(path.basename(String(e.params.path)));
  }
  return opened;
}

/** The events of pid from its (last) exec on: the shell's own writes into cgroup.procs come before. */
export function afterExec(events: KernelEvent[], pid: number): KernelEvent[] {
  const mine = events.filter((e) => e.tgid === pid);
  const execs = mine.map((e, i) => (e.type === EventType.EXECVE ? i : -1)).filter((i) => i >= 0);
  return mine.slice((execs.pop() ?? -1) + 1);
}

/**
 * Runs a shell command inside the cgroup under a fresh probe capture, its stdout into a pipe (as a
 * container's is); its records (undecoded chunks as they came), and the shell's pid.
 */
export async function capturedIn(cg: { dir: string; id: bigint }, script: string, opts: CaptureOptions = {}, exitCode = 0): Promise<{ events: KernelEvent[]; pid: number }> {
  ensureBuilt('addon');
  const cap = openCapture({ backend: 'bpf', ...opts });
  try {
    cap.addCgroup(cg.id);
    const child = spawn('/bin/sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && ${script}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    const code = await new Promise((r) => child.on('exit', r));
    if (code !== exitCode) throw new Error(`${script}: exited ${code}, expected ${exitCode}`);
    const events: KernelEvent[] = [];
    for (let quiet = 0; quiet < 2; ) {
      const b = await cap.pollAsync(150);
      if (b) events.push(...decodeBatch(b).events);
      else quiet++;
    }
    return { events, pid: child.pid! };
  } finally {
    cap.close();
  }
}
