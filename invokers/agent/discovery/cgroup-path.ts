// Where a process sits in the cgroup v2 hierarchy, from the text of /proc/<pid>/cgroup and
// /proc/self/mountinfo. Pure: the daemon reads the files (cgroup-fs.ts), these functions read the text.

/**
 * The cgroup v2 path in a /proc/<pid>/cgroup text (the `0::<path>` line), e.g. `/docker/<id>`;
 * undefined when the process has no v2 line (a pure cgroup v1 machine).
 */
export function v2PathOf(procCgroup: string): string | undefined {
  for (const line of procCgroup.split('\n')) {
    if (!line.startsWith('0::')) continue;
    const path = line.slice(3).trim();
    // a process that has exited is shown in a "(deleted)" cgroup by some kernels
    return path.replace(/ \(deleted\)$/, '') || '/';
  }
  return undefined;
}

/** Depth of a cgroup path below the root: `/` is 0, `/docker` 1, `/docker/<id>` 2. */
export function levelOf(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/** The parent of a cgroup path (`/docker/<id>` -> `/docker`); the root's parent is undefined. */
export function parentOf(path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
  return `/${parts.slice(0, -1).join('/')}`;
}

/**
 * Where the cgroup v2 hierarchy is mounted, from a /proc/self/mountinfo text: `/sys/fs/cgroup` on a
 * unified machine, `/sys/fs/cgroup/unified` on a hybrid one.
 */
export function cgroup2MountOf(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fsType = line.slice(sep + 3).split(' ')[0];
    if (fsType !== 'cgroup2') continue;
    const fields = line.slice(0, sep).split(' ');
    // field 4 is the mount's root inside the hierarchy: only a mount of the whole tree will do
    if (fields[3] !== '/') continue;
    return unescapeMountPath(fields[4]);
  }
  return undefined;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
