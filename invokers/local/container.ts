// One action container: a separate process running our Node action runtime inside its own cgroup
// (and namespaces where available), spoken to over the action-runtime protocol, its stdout and
// stderr split into lines that go to the activation collecting them (its logs) and to the agent:
// laid out as a pod (spec.pod), the container's lines are written to a CRI-format log and its cgroup
// sits in a pod cgroup, as the kubelet does, so that the node agent finds it as it finds a pod.
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { ContainerInfo } from '../../protocol/batch';
import type { ActionContainer, ContainerAssignment } from './action-container';
import { createCgroup, killCgroup, removeCgroup, type ContainerCgroup } from './cgroup';
import { buildLaunchCommand, type Isolation } from './isolation';
import { LineSplitter } from './line-splitter';
import { postToRuntime, type CallResult } from './runtime-client';
import { writeContainerRecord } from './reap';
import { packageRoot } from '../../package/root';
import { runtimeScript } from './runtime-script';
import { ContainerOutput, type LogCollection } from './log-collection';
import { CODE_DIR_ENV, READY_FD, type InitMessage, type RunMessage } from '../../protocol/action-runtime';
import { ACTION_CONTAINER, containerLogPath, podCgroupName } from '../../protocol/pod-logs';
import { CriLogWriter } from './cri-log-writer';

/** Where a container laid out as a pod keeps its log and its cgroup. */
export interface PodLayout {
  /** the pods' log root (one `<namespace>_<pod>_<uid>/user-action/0.log` each) */
  logRoot: string;
  namespace: string;
  /** the kubepods-like parent cgroup directory (absolute); default: the isolation's cgroup base */
  cgroupParent?: string;
}

export interface ContainerSpec {
  id: string;
  invoker: string;
  /** fully qualified action name */
  action: string;
  /** action identity + version: containers are reused only for the same key */
  actionKey: string;
  concurrency: number;
  /** this container's own directory (created here, removed on destroy) */
  dir: string;
  isolation: Isolation;
  env: Record<string, string>;
  maxLineBytes: number;
  tmpSizeMb: number;
  startTimeoutMs: number;
  /** lay the container out as a pod, for the node agent's discovery (absent when no agent runs) */
  pod?: PodLayout;
  onExit: (container: ActionContainer) => void;
}

/** how long a gone container's pod log stays */
const POD_LOG_KEPT_MS = 60_000;

function now(): number {
  return performance.timeOrigin + performance.now();
}

export class Container implements ActionContainer {
  readonly info: ContainerInfo;
  state: 'starting' | 'ready' | 'dead' = 'starting';
  initialized = false;
  /** activations running now */
  active = 0;
  lastUsed = Date.now();
  /** set when its action was updated or deleted: destroy when idle */
  retired = false;
  private proc?: ChildProcess;
  private cgroup?: ContainerCgroup;
  private port = 0;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly output = new ContainerOutput();
  private log?: CriLogWriter;
  /** the pod cgroup around the container's own, removed after it */
  private podCgroupDir?: string;
  private readonly streamsClosed: Promise<void>[] = [];
  private exited?: Promise<void>;
  private destroying?: Promise<void>;

  private constructor(readonly spec: ContainerSpec) {
    this.info = { container: spec.id, invoker: spec.invoker, action: spec.action, started: Date.now() };
  }

  get id(): string {
    return this.spec.id;
  }

  static async start(spec: ContainerSpec): Promise<Container> {
    const c = new Container(spec);
    try {
      await c.launch();
    } catch (err) {
      await c.destroy();
      throw err;
    }
    return c;
  }

  private async launch(): Promise<void> {
    const { spec } = this;
    fs.mkdirSync(spec.dir, { recursive: true });
    const stageDir = path.join(spec.dir, '.tmp-stage');
    fs.mkdirSync(stageDir, { recursive: true });
    const uid = randomUUID();
    if (spec.pod) this.log = new CriLogWriter(containerLogPath(spec.pod.logRoot, { namespace: spec.pod.namespace, pod: spec.id, uid }, ACTION_CONTAINER, 0));
    if (spec.isolation.cgroupBase) {
      let base = spec.isolation.cgroupBase;
      if (spec.pod) {
        this.podCgroupDir = path.join(spec.pod.cgroupParent ?? base, podCgroupName(uid));
        fs.mkdirSync(this.podCgroupDir, { recursive: true });
        base = this.podCgroupDir;
      }
      this.cgroup = createCgroup(base, spec.id);
      this.info.cgroupId = this.cgroup.id;
    }
    const root = fs.realpathSync(packageRoot());
    // What the runtime process is, as the platform starts it: the graph names the process that
    // ran each activation by this program (the launcher around it, unshare/sh, is not the runtime).
    this.info.exe = process.execPath;
    this.info.args = [process.execPath, runtimeScript()];
    const cmd = buildLaunchCommand({
      containerId: spec.id,
      containerDir: fs.realpathSync(spec.dir),
      stageDir: fs.realpathSync(stageDir),
      cgroupDir: this.cgroup?.dir,
      privateTmp: spec.isolation.privateTmp,
      pidNamespace: spec.isolation.pidNamespace,
      keepVisible: [root, fs.realpathSync(spec.dir)],
      tmpSizeMb: spec.tmpSizeMb,
      node: process.execPath,
      runtime: runtimeScript(),
      parentDeathSignal: spec.isolation.parentDeathSignal,
    });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: '/tmp',
      NODE_PATH: path.join(root, 'node_modules'),
      [CODE_DIR_ENV]: fs.realpathSync(spec.dir),
      ...(spec.concurrency > 1 ? { __OW_ALLOW_CONCURRENT: 'true' } : {}),
      ...spec.env,
    };
    const proc = spawn(cmd.file, cmd.args, {
      cwd: spec.dir,
      env,
      detached: true, // own process group: stop() kills the whole group
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.proc = proc;
    // what a later platform on this store needs to reap the container if this one dies without stop()
    writeContainerRecord(spec.dir, { id: spec.id, pid: proc.pid, cgroupDir: this.cgroup?.dir, platformPid: process.pid, started: this.info.started });
    this.exited = new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      // a launcher that could not be spawned at all never emits 'exit'
      proc.once('error', (err) => {
        this.output.note(`cannot start the container: ${err.message}`);
        resolve();
      });
    });
    void this.exited.then(() => this.onProcessExit());
    this.follow('stdout', proc.stdout!);
    this.follow('stderr', proc.stderr!);
    this.port = await this.waitReady(proc.stdio[READY_FD] as Readable);
    this.info.pid = this.runtimePid(proc.pid!);
    this.state = 'ready';
  }

  private waitReady(ready: Readable): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => fail(`did not start within ${this.spec.startTimeoutMs} ms`), this.spec.startTimeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        const tail = this.output.tail();
        reject(new Error(`container ${this.id} for ${this.spec.action} ${why}${tail ? `: ${tail}` : ''}`));
      };
      ready.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const nl = text.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(Number(text.slice(0, nl)));
        }
      });
      ready.on('error', () => undefined);
      this.exited!.then(() => fail(`exited before it was ready (exit code ${this.proc?.exitCode ?? this.proc?.signalCode})`));
    });
  }

  /** The host pid of the runtime's node process (under unshare --fork it is the child of unshare). */
  private runtimePid(launcherPid: number): number {
    if (!this.spec.isolation.pidNamespace || !this.spec.isolation.privateTmp) return launcherPid;
    try {
      const children = fs.readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8').trim().split(/\s+/);
      const pid = Number(children[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : launcherPid;
    } catch {
      return launcherPid;
    }
  }

  private follow(stream: 'stdout' | 'stderr', readable: Readable): void {
    const splitter = new LineSplitter(this.spec.maxLineBytes, (text) => this.onLine(stream, text));
    readable.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      this.log?.flush();
    });
    this.streamsClosed.push(
      new Promise<void>((resolve) => {
        readable.once('close', () => {
          splitter.end();
          this.log?.flush();
          resolve();
        });
      }),
    );
  }

  private onLine(stream: 'stdout' | 'stderr', text: string): void {
    const time = now();
    this.output.line(this.id, stream, time, text);
    this.log?.line(stream, time, text);
  }

  collectLogs(): LogCollection {
    return this.output.collectLogs();
  }

  stopCollecting(collection: LogCollection): void {
    this.output.stopCollecting(collection);
  }

  init(message: InitMessage, timeoutMs: number): Promise<CallResult> {
    return this.post('/init', message, timeoutMs);
  }

  run(message: RunMessage, timeoutMs: number): Promise<CallResult> {
    return this.post('/run', message, timeoutMs);
  }

  private post(pathname: string, message: unknown, timeoutMs: number): Promise<CallResult> {
    if (this.state !== 'ready') return Promise.resolve({ crashed: `container ${this.id} is ${this.state}` });
    return postToRuntime(this.port, this.agent, pathname, message, timeoutMs);
  }

  private onProcessExit(): void {
    const wasAlive = this.state !== 'dead';
    this.state = 'dead';
    this.output.finish();
    if (wasAlive) void this.destroy();
  }

  /** Kill the container and everything it started, remove its cgroup and directory. Idempotent. */
  destroy(): Promise<void> {
    if (!this.destroying) this.destroying = this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    this.state = 'dead';
    this.output.finish();
    // With a pid namespace, kill the runtime (the namespace's init) first: the kernel then kills
    // everything in the namespace and unshare reaps it before it exits itself, so nothing is left
    // as a zombie for the host's init to collect.
    const launcher = this.proc?.pid;
    if (this.info.pid !== undefined && this.info.pid !== launcher && this.proc?.exitCode === null) {
      try {
        process.kill(this.info.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2_000))]);
    }
    if (this.cgroup) killCgroup(this.cgroup);
    if (this.proc?.pid !== undefined && this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
    await this.exited;
    // the pipes close once every process holding them is gone
    await Promise.race([Promise.all(this.streamsClosed), new Promise((r) => setTimeout(r, 2_000))]);
    this.log?.close();
    this.agent.destroy();
    if (this.cgroup) {
      try {
        await removeCgroup(this.cgroup);
        // the pod is gone with its only container: the node agent sees its cgroup go and finishes it
        if (this.podCgroupDir) fs.rmdirSync(this.podCgroupDir);
      } catch (err) {
        process.emitWarning((err as Error).message);
      }
    }
    fs.rmSync(this.spec.dir, { recursive: true, force: true });
    if (this.log) {
      // as the kubelet's garbage collection does, a while later: the agent reads the log to its end first
      const podLogDir = path.dirname(path.dirname(this.log.file));
      setTimeout(() => fs.rmSync(podLogDir, { recursive: true, force: true }), POD_LOG_KEPT_MS).unref();
    }
    this.info.stopped = Date.now();
    this.spec.onExit(this);
  }

  assign(assignment: ContainerAssignment): void {
    Object.assign(this.spec, assignment);
    this.info.action = assignment.action;
  }

  /** Synchronous last resort when the platform's own process exits without stop(). */
  killNow(): void {
    if (this.cgroup) killCgroup(this.cgroup);
    if (this.proc?.pid !== undefined) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
