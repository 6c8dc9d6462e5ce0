// What isolation this machine gives containers (cgroup v2, mount/UTS/PID namespaces with a private
// /tmp), and the shell command line that starts one container inside it. Detection has side
// effects; building the command line is pure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Isolation {
  /** <cgroup v2 root>/serverless-provenance, where each container gets its own cgroup */
  cgroupBase?: string;
  cgroups: boolean;
  /** mount namespace with a private tmpfs on /tmp, and a UTS namespace (hostname = container id) */
  privateTmp: boolean;
  pidNamespace: boolean;
  /**
   * `setpriv --pdeathsig` works: the container's launcher gets SIGKILL when the platform dies, so
   * no container outlives a platform that was killed or crashed
   */
  parentDeathSignal?: boolean;
  /** why some isolation is missing, one phrase each */
  unavailable: string[];
}

/** The mount point of the cgroup v2 hierarchy, from the text of /proc/mounts. */
export function findCgroup2Root(procMounts: string): string | undefined {
  for (const line of procMounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint) return mountPoint.replace(/\\040/g, ' ');
  }
  return undefined;
}

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function detectCgroups(): { base?: string; reason?: string } {
  let mounts: string;
  try {
    mounts = fs.readFileSync('/proc/mounts', 'utf8');
  } catch (err) {
    return { reason: `cgroups: cannot read /proc/mounts (${(err as Error).message})` };
  }
  const root = findCgroup2Root(mounts);
  if (!root) return { reason: 'cgroups: no cgroup v2 hierarchy is mounted (see /proc/mounts)' };
  const base = path.join(root, 'serverless-provenance');
  const probe = path.join(base, `probe-${process.pid}-${Date.now()}`);
  try {
    fs.mkdirSync(base, { recursive: true });
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return { base };
  } catch (err) {
    return { reason: `cgroups: cannot create cgroups under ${base} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; run as root)` };
  }
}

const NS_FLAGS = ['--mount', '--propagation', 'private', '--uts'];
const PID_FLAGS = ['--pid', '--fork', '--kill-child', '--mount-proc'];

function probeNamespaces(workDir: string, withPid: boolean): string | undefined {
  const target = path.join(workDir, `ns-probe-${process.pid}`);
  fs.mkdirSync(target, { recursive: true });
  try {
    const r = spawnSync(
      'unshare',
      [...NS_FLAGS, ...(withPid ? PID_FLAGS : []), 'sh', '-c', 'mount -t tmpfs sp-probe "$1" && hostname sp-probe', 'sp-probe', target],
      { encoding: 'utf8', timeout: 10_000 },
    );
    if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'unshare is not installed (util-linux)' : r.error.message;
    if (r.status !== 0) return (r.stderr || `unshare exited with ${r.status}`).trim().split('\n')[0];
    return undefined;
  } finally {
    fs.rmSync(target, { recursive: true, force: true });
  }
}

function probeParentDeathSignal(): string | undefined {
  const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'setpriv is not installed (util-linux)' : r.error.message;
  if (r.status !== 0) return (r.stderr || `setpriv exited with ${r.status}`).trim().split('\n')[0];
  return undefined;
}

export function detectIsolation(workDir: string): Isolation {
  const unavailable: string[] = [];
  const pdeath = probeParentDeathSignal();
  if (pdeath) unavailable.push(`parent-death signal (containers die with the platform): ${pdeath}; the next platform on this store reaps them`);
  const cg = detectCgroups();
  if (cg.reason) unavailable.push(cg.reason);
  let privateTmp = false;
  let pidNamespace = false;
  const withPid = probeNamespaces(workDir, true);
  if (withPid === undefined) {
    privateTmp = pidNamespace = true;
  } else {
    const withoutPid = probeNamespaces(workDir, false);
    if (withoutPid === undefined) {
      privateTmp = true;
      unavailable.push(`pid namespace: ${withPid}`);
    } else {
      unavailable.push(`private /tmp, hostname and pid namespaces: ${withoutPid} (needs root and unshare)`);
    }
  }
  return { cgroupBase: cg.base, cgroups: cg.base !== undefined, privateTmp, pidNamespace, parentDeathSignal: pdeath === undefined, unavailable };
}

/** One line for the start-up log. */
export function describeIsolation(iso: Isolation): string {
  const have = [
    iso.cgroups ? `own cgroup v2 per container (${iso.cgroupBase})` : undefined,
    iso.privateTmp ? 'private /tmp + hostname (mount, UTS namespaces)' : undefined,
    iso.pidNamespace ? 'own pid namespace' : undefined,
    iso.parentDeathSignal ? 'dies with the platform (parent-death signal)' : undefined,
  ].filter(Boolean);
  const missing = iso.unavailable.length ? `; UNAVAILABLE: ${iso.unavailable.join('; ')}` : '';
  return `container isolation: ${have.length ? have.join(', ') : 'none (plain processes)'}${missing}`;
}

export interface LaunchSpec {
  containerId: string;
  /** the container's own directory (its code is unpacked here) */
  containerDir: string;
  /** an empty directory where the private /tmp is assembled before it is moved onto /tmp */
  stageDir: string;
  /** the container's cgroup directory, when cgroups are available */
  cgroupDir?: string;
  privateTmp: boolean;
  pidNamespace: boolean;
  /** host paths the container must still see after /tmp is replaced (package root, container dir) */
  keepVisible: string[];
  tmpSizeMb: number;
  node: string;
  runtime: string;
  /**
   * start under `setpriv --pdeathsig KILL`: the setting survives the launcher's exec of unshare (or
   * node), and unshare's --kill-child passes the kill on to the pid namespace
   */
  parentDeathSignal?: boolean;
}

function isUnderTmp(p: string): boolean {
  return p === '/tmp' || p.startsWith('/tmp/');
}

/** Paths not inside another of the paths: binding a parent already shows its children. */
export function outermost(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort((a, b) => a.length - b.length);
  return sorted.filter((p, i) => !sorted.slice(0, i).some((parent) => p.startsWith(`${parent}/`)));
}

/**
 * `sh -c …`: joins the cgroup first (so the very first syscall of the runtime is already in it),
 * then enters the namespaces, assembles the private /tmp (re-binding the host paths under /tmp the
 * container needs), sets the hostname, and only then execs node.
 */
export function buildLaunchCommand(spec: LaunchSpec): { file: string; args: string[] } {
  const q = shQuote;
  const exec = `exec ${q(spec.node)} ${q(spec.runtime)}`;
  const outer: string[] = [];
  if (spec.cgroupDir) outer.push(`echo $$ > ${q(path.join(spec.cgroupDir, 'cgroup.procs'))} || exit 97`);
  if (spec.privateTmp) {
    const inner: string[] = ['set -e', `hostname ${q(spec.containerId)}`];
    inner.push(`mount -t tmpfs -o mode=1777,size=${spec.tmpSizeMb}m sp-tmp ${q(spec.stageDir)}`);
    for (const keep of outermost(spec.keepVisible.filter(isUnderTmp))) {
      const inStage = path.join(spec.stageDir, path.relative('/tmp', keep));
      inner.push(`mkdir -p ${q(inStage)}`, `mount --bind ${q(keep)} ${q(inStage)}`);
    }
    inner.push(`mount --move ${q(spec.stageDir)} /tmp`, exec);
    const flags = [...NS_FLAGS, ...(spec.pidNamespace ? PID_FLAGS : [])];
    outer.push(`exec unshare ${flags.join(' ')} sh -c ${q(inner.join('\n'))}`);
  } else {
    outer.push(exec);
  }
  const sh = ['sh', '-c', outer.join('\n')];
  return spec.parentDeathSignal ? { file: 'setpriv', args: ['--pdeathsig', 'KILL', '--', ...sh] } : { file: sh[0], args: sh.slice(1) };
}
