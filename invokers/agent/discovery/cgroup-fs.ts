// The cgroup facts the daemon reads from this machine: a process's cgroup v2 path and a cgroup's
// id (the inode number of its directory, what the kernel's records carry).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cgroup2MountOf, levelOf, v2PathOf } from './cgroup-path';

export interface CgroupRef {
  /** path below the v2 root, e.g. `/docker/<id>` */
  path: string;
  /** cgroup v2 id (inode number) */
  id: bigint;
  /** depth below the root */
  level: number;
}

let mount: string | undefined | null = null;

/** Where cgroup v2 is mounted here, or undefined (a pure v1 machine). */
export function cgroup2Mount(): string | undefined {
  if (mount === null) mount = cgroup2MountOf(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  return mount;
}

/** The cgroup of a cgroup v2 path, or undefined when it does not exist (any more). */
export function cgroupAt(cgPath: string): CgroupRef | undefined {
  const root = cgroup2Mount();
  if (!root) return undefined;
  try {
    const st = fs.statSync(path.join(root, cgPath), { bigint: true });
    return { path: cgPath, id: st.ino, level: levelOf(cgPath) };
  } catch {
    return undefined;
  }
}

/** The cgroup v2 of a running process, or undefined when it has exited or v2 is not there. */
export function cgroupOfPid(pid: number): CgroupRef | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return undefined;
  }
  const p = v2PathOf(text);
  return p === undefined ? undefined : cgroupAt(p);
}
