// One cgroup v2 per container: created before the container's process starts, identified by its
// inode number (what bpf_get_current_cgroup_id() reports), killed and removed when it ends.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ContainerCgroup {
  dir: string;
  /** inode number of the cgroup directory, decimal */
  id: string;
}

export function createCgroup(base: string, containerId: string): ContainerCgroup {
  const dir = path.join(base, containerId);
  fs.mkdirSync(dir);
  return { dir, id: fs.statSync(dir, { bigint: true }).ino.toString() };
}

/** SIGKILL every process in the cgroup (cgroup.kill, Linux >= 5.14); false when not supported. */
export function killCgroup(cg: ContainerCgroup): boolean {
  try {
    fs.writeFileSync(path.join(cg.dir, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
}

export function cgroupPids(cg: ContainerCgroup): number[] {
  try {
    return fs
      .readFileSync(path.join(cg.dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Kill what is left, wait until the cgroup is empty, remove it. */
export async function removeCgroup(cg: ContainerCgroup, waitMs = 5_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pids = cgroupPids(cg);
    if (pids.length > 0 && !killCgroup(cg)) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    try {
      fs.rmdirSync(cg.dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) {
        throw new Error(`cannot remove the container cgroup ${cg.dir}: ${code ?? (err as Error).message}`);
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const KUBEPODS_PREFIX = 'kubepods-';

/**
 * The platform's own kubepods-like parent cgroup, `<base>/kubepods-<pid>`: its process containers'
 * pod cgroups go inside, and the node agent captures it whole. Named after the platform's pid, so
 * that no other platform's clean-up takes it while this one lives (see removeStaleCgroups).
 */
export function createKubepodsParent(base: string, pid = process.pid): string {
  const dir = path.join(base, `${KUBEPODS_PREFIX}${pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Remove the platform's kubepods parent and what is left empty inside it (best effort). */
export function removeKubepodsParent(dir: string): void {
  removeEmptyTree(dir);
}

function removeEmptyTree(dir: string): void {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeEmptyTree(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    // populated or not ours: leave it
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove empty leftovers of platforms that died without cleaning up. Populated cgroups are in use,
 * and young empty ones may be another platform's container about to start: both are left alone.
 */
export function removeStaleCgroups(base: string, olderThanMs = 60_000): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = path.join(base, e);
    if (e.startsWith(KUBEPODS_PREFIX)) {
      // a live platform's parent is never taken (its containers' cgroups are created in it at any time)
      const owner = Number(e.slice(KUBEPODS_PREFIX.length));
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) removeEmptyTree(dir);
      continue;
    }
    try {
      const st = fs.statSync(dir);
      if (st.isDirectory() && Date.now() - st.mtimeMs > olderThanMs) fs.rmdirSync(dir);
    } catch {
      // busy (another platform's live container) or not ours: leave it
    }
  }
}
