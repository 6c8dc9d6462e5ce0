// Action containers of a Kubernetes node (side effects), found the way the node itself keeps them:
// the pods' log directories under /var/log/pods (one per pod, a `user-action/<restart>.log` inside
// for an OpenWhisk action pod, in the CRI format) and their cgroups under the kubepods hierarchy
// (protocol/pod-logs.ts says where). No container engine socket is needed, so this works on containerd and
// CRI-O nodes alike. Which pods are action pods: the API server's word (label user-action-pod=true)
// when the agent runs in the cluster with a service-account token, else OpenWhisk's name rule.
//
// A container is reported once its cgroup holds a process (its pid is read from cgroup.procs), so
// that the kernel can attribute what it does; its first syscalls are not lost meanwhile, because the
// kubepods parent is captured whole (subtrees) and events of a cgroup not yet named wait. It is
// reported stopped when its cgroup is removed (the container exited), when its pod's log directory
// is removed (the pod was deleted), or when a newer restart's log appears.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cgroup2Mount, cgroupAt, type CgroupRef } from './cgroup-fs';
import type { KubeApi } from './kube-api';
import { ACTION_CONTAINER, isPodCgroupOf, parsePodLogDir, restartOfLogFile, type PodLogDir } from '../../../protocol/pod-logs';
import { ACTION_POD_NAME, KUBEPODS_PARENTS, isActionPod, podContainerKey, type ListedPod } from './pod-layout';
import type { ContainerSource, FoundContainer, SourceEvents } from './source';

export interface KubernetesSourceOptions {
  /** where the pods' log directories are (default /var/log/pods) */
  logRoot?: string;
  /** the kubepods cgroup (a cgroup v2 path); default: /kubepods.slice or /kubepods, whichever exists */
  cgroupParent?: string;
  /** the container of a pod that runs the action (default user-action) */
  containerName?: string;
  /** which pods are followed when no API server confirms their label (default ^wsk; `all`: every pod) */
  podName?: RegExp | 'all';
  /** the API server that confirms action pods by their label; undefined: the name rule decides */
  api?: KubeApi;
  /** this node's name as the API server knows it (default $NODE_NAME, else the host name) */
  node?: string;
  /** how often the log root is scanned (default 500 ms; a change in it triggers a scan at once) */
  pollMs?: number;
  /** how long a container's cgroup may take to appear before it is followed by its log alone (default 10 s) */
  cgroupWaitMs?: number;
}

interface Candidate {
  pod: PodLogDir;
  restart: number;
  logPath: string;
  firstSeen: number;
  /** ended: reported stopped, remembered while its log is still there so that it is not found again */
  state: 'waiting' | 'followed' | 'skipped' | 'ended';
  /** the container's cgroup once found (a v2 path) */
  cgroupPath?: string;
  noCgroupSaid?: boolean;
}

export class KubernetesSource implements ContainerSource {
  readonly description: string;
  private readonly logRoot: string;
  private readonly containerName: string;
  private readonly candidates = new Map<string, Candidate>();
  private timer?: NodeJS.Timeout;
  private watcher?: fs.FSWatcher;
  private scanning?: Promise<void>;
  private again = false;
  private events?: SourceEvents;
  private isConnected = false;
  private rootSaid = false;
  private apiPods = new Map<string, ListedPod>();
  private apiAskedAt = 0;
  private apiFailing = false;
  private running = false;

  constructor(private readonly opts: KubernetesSourceOptions = {}) {
    this.logRoot = opts.logRoot ?? '/var/log/pods';
    this.containerName = opts.containerName ?? ACTION_CONTAINER;
    const how = opts.api ? `action pods confirmed by label through ${opts.api.server}` : `action pods by name ${opts.podName === 'all' ? '(all pods)' : String(opts.podName ?? ACTION_POD_NAME)}`;
    this.description = `kubernetes pod logs ${this.logRoot}, ${how}`;
  }

  connected(): boolean {
    return this.isConnected;
  }

  async subtrees(): Promise<CgroupRef[]> {
    const parent = this.cgroupParent();
    const ref = parent ? cgroupAt(parent) : undefined;
    return ref ? [ref] : [];
  }

  async start(events: SourceEvents): Promise<void> {
    this.events = events;
    this.running = true;
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.opts.pollMs ?? 500);
    this.timer.unref();
    this.watch();
  }

  /** Scan now (and once more if a scan was running), so that what exists now is reported. */
  sync(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.again = false;
          await this.scan();
        } while (this.again && this.running);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    this.watcher?.close();
    await this.scanning;
  }

  private watch(): void {
    try {
      this.watcher = fs.watch(this.logRoot, () => void this.sync());
      this.watcher.on('error', () => undefined);
      this.watcher.unref();
    } catch {
      // no log root yet: the poll finds it when it appears
    }
  }

  private cgroupParent(): string | undefined {
    if (this.opts.cgroupParent) return this.opts.cgroupParent;
    return KUBEPODS_PARENTS.find((p) => cgroupAt(p) !== undefined);
  }

  private async scan(): Promise<void> {
    const events = this.events!;
    let podDirs: string[];
    try {
      podDirs = fs.readdirSync(this.logRoot);
      this.isConnected = true;
      if (!this.watcher) this.watch();
    } catch (err) {
      this.isConnected = false;
      if (!this.rootSaid) {
        this.rootSaid = true;
        events.problem('engine-unreachable', `discovery: cannot read the pod log root ${this.logRoot} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); mount the node's /var/log/pods there (hostPath), or pass --pod-logs <dir>; retrying`);
      }
      return;
    }
    this.rootSaid = false;
    const now = Date.now();
    const present = new Set<string>();
    for (const d of podDirs) {
      const pod = parsePodLogDir(d);
      if (!pod) continue;
      const restart = this.latestRestart(path.join(this.logRoot, d));
      if (restart === undefined) continue;
      const id = `${pod.uid}/${restart}`;
      present.add(id);
      if (!this.candidates.has(id)) {
        this.candidates.set(id, { pod, restart, logPath: path.join(this.logRoot, d, this.containerName, `${restart}.log`), firstSeen: now, state: 'waiting' });
      }
    }
    for (const [id, c] of this.candidates) {
      if (!this.running) return;
      if (c.state === 'waiting') await this.consider(id, c, now);
      else if (c.state === 'followed' && this.ended(id, c, present)) {
        c.state = 'ended';
        events.stopped(id, Date.now());
      } else if (!present.has(id)) this.candidates.delete(id);
    }
  }

  /** The newest `<restart>.log` of the action container of a pod directory, if it has one. */
  private latestRestart(podDir: string): number | undefined {
    let files: string[];
    try {
      files = fs.readdirSync(path.join(podDir, this.containerName));
    } catch {
      return undefined;
    }
    let best: number | undefined;
    for (const f of files) {
      const n = restartOfLogFile(f);
      if (n !== undefined && (best === undefined || n > best)) best = n;
    }
    return best;
  }

  private ended(id: string, c: Candidate, present: Set<string>): boolean {
    if (!present.has(id)) return true; // pod deleted, or a newer restart took over
    if (c.cgroupPath !== undefined && !fs.existsSync(path.join(cgroup2Mount() ?? '/nonexistent', c.cgroupPath))) return true;
    return false;
  }

  private async consider(id: string, c: Candidate, now: number): Promise<void> {
    const events = this.events!;
    const name = `${c.pod.namespace}/${c.pod.pod}`;
    const selected = await this.isAction(c, now);
    if (selected === undefined) return; // the API server does not know the pod yet: ask again next scan
    const found = this.findContainerCgroup(c.pod.uid);
    if (!selected) {
      c.state = 'skipped';
      events.skipped({ id, name, cgroup: found?.cgroup });
      return;
    }
    if (!found && now - c.firstSeen < (this.opts.cgroupWaitMs ?? 10_000)) return;
    c.state = 'followed';
    if (!found && !c.noCgroupSaid) {
      c.noCgroupSaid = true;
      events.problem('container-gone', `discovery: no running cgroup of pod ${name} (uid ${c.pod.uid}) under ${this.cgroupParent() ?? 'the kubepods hierarchy (not found)'}; its log is read, its syscalls are not attributed`);
    }
    c.cgroupPath = found?.cgroup.path;
    const container: FoundContainer = {
      id,
      key: podContainerKey(c.pod.pod, c.restart),
      name,
      pid: found?.pid ?? 0,
      cgroup: found?.cgroup,
      logPath: c.logPath,
      logFormat: 'cri',
      started: startedAt(c.logPath) ?? now,
      ...(found?.cwd ? { cwd: found.cwd } : {}),
    };
    events.started(container);
  }

  /** true/false: an action pod or not; undefined: not decidable yet. */
  private async isAction(c: Candidate, now: number): Promise<boolean | undefined> {
    const api = this.opts.api;
    if (!api) return this.opts.podName === 'all' || (this.opts.podName ?? ACTION_POD_NAME).test(c.pod.pod);
    let listed = this.apiPods.get(c.pod.uid);
    if (!listed && now - this.apiAskedAt >= 1_000) {
      this.apiAskedAt = now;
      const node = this.opts.node ?? process.env.NODE_NAME ?? os.hostname();
      try {
        const pods = await api.podsOnNode(node);
        this.apiPods = new Map(pods.map((p) => [p.uid, p]));
        this.apiFailing = false;
      } catch (err) {
        if (!this.apiFailing) {
          this.events!.problem('inspect-failed', `discovery: listing the pods of node ${node} at ${api.server} failed (${(err as Error).message}); pods are chosen by the name rule until it answers`);
        }
        this.apiFailing = true;
      }
      listed = this.apiPods.get(c.pod.uid);
    }
    if (listed) return isActionPod(listed);
    // an API server that does not answer must not stop capture: fall back on the name rule
    if (this.apiFailing) return (this.opts.podName === 'all' || (this.opts.podName ?? ACTION_POD_NAME).test(c.pod.pod));
    return now - c.firstSeen > 30_000 ? false : undefined;
  }

  /** The cgroup of the pod's action container: the child of the pod's cgroup whose processes are not the sandbox's pause. */
  private findContainerCgroup(uid: string): { cgroup: CgroupRef; pid: number; cwd?: string } | undefined {
    const root = cgroup2Mount();
    const parent = this.cgroupParent();
    if (!root || !parent) return undefined;
    const podPath = findPodCgroup(root, parent, uid);
    if (!podPath) return undefined;
    let children: fs.Dirent[];
    try {
      children = fs.readdirSync(path.join(root, podPath), { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const ch of children) {
      if (!ch.isDirectory()) continue;
      const cgPath = `${podPath}/${ch.name}`;
      const pids = procsOf(path.join(root, cgPath));
      const main = pids.find((p) => commOf(p) !== 'pause');
      if (main === undefined) continue;
      const cgroup = cgroupAt(cgPath);
      if (!cgroup) continue;
      let cwd: string | undefined;
      try {
        cwd = fs.readlinkSync(`/proc/${main}/cwd`);
      } catch {
        cwd = undefined;
      }
      return { cgroup, pid: main, cwd };
    }
    return undefined;
  }
}

/** The pod's cgroup path: a child of the parent, or one QoS level further down. */
function findPodCgroup(root: string, parent: string, uid: string): string | undefined {
  const level = (p: string): string[] => {
    try {
      return fs.readdirSync(path.join(root, p), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  };
  const top = level(parent);
  for (const d of top) if (isPodCgroupOf(d, uid)) return `${parent}/${d}`;
  for (const q of top) {
    if (q.includes('pod')) continue;
    for (const d of level(`${parent}/${q}`)) if (isPodCgroupOf(d, uid)) return `${parent}/${q}/${d}`;
  }
  return undefined;
}

function procsOf(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function startedAt(logPath: string): number | undefined {
  try {
    const st = fs.statSync(logPath);
    return st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
  } catch {
    return undefined;
  }
}
