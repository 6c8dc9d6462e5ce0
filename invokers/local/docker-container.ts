// One action container in the Docker engine, made the way OpenWhisk's Docker invoker makes it:
// host network with the runtime on a port of its own, json-file logging, no labels; the action's
// code arrives through /init, each activation through /run, and its logs are read from the
// json-file log up to the sentinel on both streams, as the invoker reads them.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { ContainerInfo, StreamLine } from '../../protocol/batch';
import { PORT_ENV, type InitMessage, type RunMessage } from '../../protocol/action-runtime';
import type { ActionContainer, ContainerAssignment } from './action-container';
import { forgetContainer, recordContainer } from './docker-records';
import type { AssembledLine } from '../agent/logs/json-file';
import { JsonFileTail } from '../agent/logs/json-file-tail';
import { limitLine } from '../agent/line-limit';
import { ContainerOutput, type LogCollection } from './log-collection';
import { postToRuntime, type CallResult } from './runtime-client';

export interface DockerContainerSpec extends ContainerAssignment {
  docker: Docker;
  name: string;
  image: string;
  /** the command (our Node runtime); undefined runs the image's own (a blackbox action) */
  cmd?: string[];
  workingDir?: string;
  env: Record<string, string>;
  /** `host:container:ro` */
  binds: string[];
  tmpSizeMb: number;
  maxLineBytes: number;
  startTimeoutMs: number;
  invoker: string;
  /** where the platform records its containers (docker-records.ts) */
  recordsDir: string;
  /** the cgroup v2 mount, to show the container's cgroup id in its info */
  cgroupRoot?: string;
  /**
   * Hooks for what the platform reads itself; its provenance does not flow through them (the node
   * agent discovers the containers in the engine, as on a real OpenWhisk node)
   */
  onLine?: (info: ContainerInfo, line: StreamLine) => void;
  onInfo?: (info: ContainerInfo) => void;
  onExit: (container: ActionContainer) => void;
}

/** The `0::/path` line of /proc/<pid>/cgroup (pure). */
export function cgroupV2Path(procCgroup: string): string | undefined {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3).trim() || '/' : undefined;
}

export class DockerContainer implements ActionContainer {
  readonly info: ContainerInfo;
  state: 'starting' | 'ready' | 'dead' = 'starting';
  initialized = false;
  active = 0;
  lastUsed = Date.now();
  retired = false;
  /** the engine's container id */
  dockerId = '';
  logPath = '';
  private port = 0;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly output = new ContainerOutput();
  private tail?: JsonFileTail;
  private tailWatch?: fs.FSWatcher;
  private exited?: Promise<void>;
  private destroying?: Promise<void>;

  private constructor(readonly spec: DockerContainerSpec) {
    this.info = { container: spec.name, invoker: spec.invoker, action: spec.action, started: Date.now() };
  }

  get id(): string {
    return this.spec.name;
  }

  static async start(spec: DockerContainerSpec, port: number): Promise<DockerContainer> {
    const c = new DockerContainer(spec);
    try {
      await c.launch(port);
    } catch (err) {
      await c.destroy();
      throw err;
    }
    return c;
  }

  private async launch(port: number): Promise<void> {
    const { spec } = this;
    this.port = port;
    const env = { ...spec.env, [PORT_ENV]: String(port), PORT: String(port) };
    const created = await spec.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      ...(spec.cmd ? { Cmd: spec.cmd } : {}),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      HostConfig: {
        NetworkMode: 'host',
        LogConfig: { Type: 'json-file', Config: {} },
        Binds: spec.binds,
        Tmpfs: { '/tmp': `rw,mode=1777,size=${spec.tmpSizeMb}m` },
      },
    });
    this.dockerId = created.id;
    // recorded before it runs: a platform that dies from here on leaves it to the watchdog and the next start
    recordContainer(spec.recordsDir, { id: created.id, name: spec.name });
    // asked before start, so `next-exit` (the default, `not-running`, would answer at once)
    this.exited = created.wait({ condition: 'next-exit' }).then(
      () => undefined,
      () => undefined,
    );
    await created.start();
    const inspected = await created.inspect();
    this.logPath = inspected.LogPath;
    this.followLog();
    const pid = inspected.State.Pid;
    if (pid > 0) {
      this.info.pid = pid;
      this.info.exe = spec.cmd?.[0];
      this.info.args = spec.cmd;
      this.readCgroup(pid);
    }
    void this.exited.then(() => this.onEngineExit());
    await this.waitReady();
    this.state = 'ready';
    spec.onInfo?.(this.info);
  }

  /** The one json-file reader the node agent uses too; inotify wakes it between its polls. */
  private followLog(): void {
    this.tail = new JsonFileTail(this.logPath, {
      line: (l) => this.onLine(l),
      rotated: () => undefined, // the platform sets no max-size: the engine never rotates these logs
      log: (text) => process.emitWarning(text),
    });
    this.tail.start();
    try {
      this.tailWatch = fs.watch(this.logPath, () => this.tail?.readNow());
      this.tailWatch.on('error', () => undefined);
    } catch {
      // the poll alone finds what is appended
    }
  }

  private stopFollowingLog(final: boolean): void {
    this.tailWatch?.close();
    this.tailWatch = undefined;
    this.tail?.readNow(final);
    this.tail?.stop();
  }

  private readCgroup(pid: number): void {
    const { cgroupRoot } = this.spec;
    if (!cgroupRoot) return;
    try {
      const rel = cgroupV2Path(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
      if (!rel) return;
      this.info.cgroupId = fs.statSync(path.join(cgroupRoot, rel), { bigint: true }).ino.toString();
    } catch {
      // exited already: waitReady says so
    }
  }

  /** Like OpenWhisk's invoker, which retries /init until the runtime listens: connect until it does. */
  private async waitReady(): Promise<void> {
    const deadline = Date.now() + this.spec.startTimeoutMs;
    let exited = false;
    void this.exited!.then(() => (exited = true));
    for (;;) {
      if (await canConnect(this.port)) return;
      const tail = this.output.tail();
      if (exited) throw new Error(`container ${this.id} for ${this.spec.action || 'prewarm'} exited before it was ready${tail ? `: ${tail}` : ''}`);
      if (Date.now() > deadline) throw new Error(`container ${this.id} did not listen on 127.0.0.1:${this.port} within ${this.spec.startTimeoutMs} ms${tail ? `: ${tail}` : ''}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private onLine(l: AssembledLine): void {
    const raw = l.line.endsWith('\r') ? l.line.slice(0, -1) : l.line;
    const onLine = this.spec.onLine;
    this.output.line(this.id, l.stream, l.time, limitLine(raw, this.spec.maxLineBytes), onLine && ((line) => onLine(this.info, line)));
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

  private async post(pathname: string, message: unknown, timeoutMs: number): Promise<CallResult> {
    if (this.state !== 'ready') return { crashed: `container ${this.id} is ${this.state}` };
    const result = await postToRuntime(this.port, this.agent, pathname, message, timeoutMs);
    // the engine may not have flushed the sentinels to the file when inotify fires late: look now
    this.tail?.readNow();
    return result;
  }

  assign(assignment: ContainerAssignment): void {
    Object.assign(this.spec, assignment);
    this.info.action = assignment.action;
    this.spec.onInfo?.(this.info);
  }

  private onEngineExit(): void {
    const wasAlive = this.state !== 'dead';
    this.state = 'dead';
    this.output.finish();
    if (wasAlive) void this.destroy();
  }

  destroy(): Promise<void> {
    if (!this.destroying) this.destroying = this.teardown();
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    this.state = 'dead';
    this.output.finish();
    const { docker } = this.spec;
    if (this.dockerId) {
      const container = docker.getContainer(this.dockerId);
      try {
        await container.kill();
      } catch {
        // not running (any more)
      }
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5_000))]);
      // the log goes with the container: read its end first
      this.stopFollowingLog(true);
      try {
        await container.remove({ force: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) process.emitWarning(`cannot remove container ${this.id}: ${(err as Error).message}`);
      }
      forgetContainer(this.spec.recordsDir, this.dockerId);
    }
    this.stopFollowingLog(false);
    this.agent.destroy();
    this.info.stopped = Date.now();
    this.spec.onInfo?.(this.info);
    this.spec.onExit(this);
  }

  /** Nothing to do synchronously: the watchdog removes the containers when the platform's process is gone. */
  killNow(): void {}
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
