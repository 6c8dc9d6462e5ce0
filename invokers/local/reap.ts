// Containers never outlive their platform for long: each process container leaves a record in its
// directory, and a platform starting on a store first kills whatever an earlier run of that store
// left there (a platform that was SIGKILLed, crashed, or had its process group killed never ran
// its stop()). Found by the record's cgroup and by the container's environment, never by name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_DIR_ENV } from '../../protocol/action-runtime';
import { cgroupPids, killCgroup } from './cgroup';

export interface ContainerRecord {
  id: string;
  /** the launcher's pid (setpriv/sh/unshare: the same process) */
  pid?: number;
  cgroupDir?: string;
  platformPid: number;
  /** ms since the epoch */
  started: number;
}

const RECORD_FILE = 'container.json';

export function writeContainerRecord(containerDir: string, record: ContainerRecord): void {
  fs.writeFileSync(path.join(containerDir, RECORD_FILE), `${JSON.stringify(record)}\n`);
}

function readRecord(containerDir: string): ContainerRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(containerDir, RECORD_FILE), 'utf8')) as ContainerRecord;
  } catch {
    return undefined;
  }
}

/** Pids whose environment says they run in a container directory under `containersDir` (pure on its input). */
export function pidsInContainersDir(environs: Array<{ pid: number; environ: string }>, containersDir: string): number[] {
  const prefix = `${CODE_DIR_ENV}=${containersDir}/`;
  return environs.filter((e) => e.environ.split('\0').some((kv) => kv.startsWith(prefix))).map((e) => e.pid);
}

function readEnvirons(): Array<{ pid: number; environ: string }> {
  const out: Array<{ pid: number; environ: string }> = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      out.push({ pid, environ: fs.readFileSync(`/proc/${pid}/environ`, 'latin1') });
    } catch {
      // gone, or a kernel thread
    }
  }
  return out;
}

function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], cgroupDirs: string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const left = pids.filter(running).length + cgroupDirs.reduce((n, dir) => n + cgroupPids({ dir, id: '' }).length, 0);
    if (left === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Kill and remove what an earlier platform on this store left in `containersDir`: the processes in
 * the recorded cgroups (and the cgroups), and every process still running with a container
 * directory of this store as its code directory. Returns how many containers and processes it found.
 */
export async function reapProcessContainers(containersDir: string): Promise<{ containers: number; processes: number }> {
  let entries: string[];
  try {
    entries = fs.readdirSync(containersDir);
  } catch {
    return { containers: 0, processes: 0 };
  }
  const real = fs.realpathSync(containersDir);
  const cgroupDirs: string[] = [];
  for (const e of entries) {
    const record = readRecord(path.join(containersDir, e));
    if (record?.cgroupDir && fs.existsSync(record.cgroupDir)) {
      cgroupDirs.push(record.cgroupDir);
      killCgroup({ dir: record.cgroupDir, id: '' });
    }
  }
  const pids = pidsInContainersDir(readEnvirons(), real);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitGone(pids, cgroupDirs, 5_000);
  for (const dir of cgroupDirs) {
    try {
      fs.rmdirSync(dir);
      // a container laid out as a pod sits in its pod's cgroup, which goes with it
      if (path.basename(path.dirname(dir)).startsWith('pod')) fs.rmdirSync(path.dirname(dir));
    } catch {
      // still busy: removeStaleCgroups takes it later
    }
  }
  return { containers: entries.length, processes: pids.length };
}
