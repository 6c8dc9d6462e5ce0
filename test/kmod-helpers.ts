// Shared by the kernel capture integration tests: build on demand, find out whether this
// machine can run them, make and remove test cgroups.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kmodPaths } from '../kmod/paths';

export const paths = kmodPaths();
export const CGROUP2 = '/sys/fs/cgroup/unified';

/** Why the real-kernel probe tests cannot run here, or null when they can. */
export function probeUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no BTF in this kernel';
  if (!fs.existsSync(path.join(CGROUP2, 'cgroup.procs'))) return `no cgroup v2 at ${CGROUP2}`;
  return null;
}

/** Build what a test needs when it is missing (the test command builds first; this is for running one file). */
export function ensureBuilt(what: 'probe' | 'addon' | 'lkm'): void {
  const target = { probe: paths.probeObject, addon: paths.addon, lkm: paths.module }[what];
  if (!fs.existsSync(target)) execFileSync('bash', [paths.buildScript, what], { stdio: 'inherit' });
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
