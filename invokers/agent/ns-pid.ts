// A process's pid as its own pid namespace numbers it (side effect: reads /proc while it lives).
// In a Docker container the wrapper sees pids in the container's namespace, the kernel reports the
// host's; the last field of `NSpid:` in /proc/<pid>/status is the innermost one (for a process in
// the host's namespace it is the host pid itself). Undefined once the process is gone: the caller
// keeps the host pid then.
import * as fs from 'node:fs';

export function readNsPid(hostPid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${hostPid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return nsPidFromStatus(status);
}

/** The innermost pid of a /proc/<pid>/status text (pure). */
export function nsPidFromStatus(status: string): number | undefined {
  const m = /^NSpid:\s*([\d\s]+)$/m.exec(status);
  if (!m) return undefined;
  const pids = m[1].trim().split(/\s+/).map(Number);
  const last = pids[pids.length - 1];
  return Number.isInteger(last) && last > 0 ? last : undefined;
}
