// Whether the process that wrote platform.json still runs (a stale file is ignored).

/** True when `pid` is a live process, ours or someone else's (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
