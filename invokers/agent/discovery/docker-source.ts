// Action containers from a Docker Engine (side effects): the engine's event stream for starts and
// stops, `inspect` for each container's main pid, log file and start time, and the containers
// already running when it starts. A lost engine (socket missing, refusing, restarted) is said in
// one line and retried; a container that is gone before it could be inspected is counted and
// skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { cgroup2Mount, cgroupAt, cgroupOfPid, type CgroupRef } from './cgroup-fs';
import { isActionContainer, type ActionRule } from './action-rule';
import type { ContainerSource, FoundContainer, SourceEvents } from './source';

export interface DockerSourceOptions {
  /** unix:///path/docker.sock (or a bare path) */
  host: string;
  rule: ActionRule;
  /** the engine's parent cgroup for containers (default: /docker, or /system.slice with the systemd driver) */
  cgroupParent?: string;
  /** delay between attempts to reach a lost engine (default 2000 ms) */
  retryMs?: number;
}

export function socketPathOf(host: string): string {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.includes('://')) throw new Error(`--docker-host ${host}: only unix:// sockets are supported; give unix:///var/run/docker.sock or the socket's path`);
  return host;
}

export class DockerSource implements ContainerSource {
  readonly description: string;
  private readonly docker: Docker;
  private readonly socket: string;
  private running = false;
  private isConnected = false;
  private stream?: NodeJS.ReadableStream;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** containers reported as started, so a restart of the stream does not report them twice */
  private readonly followed = new Set<string>();

  constructor(private readonly opts: DockerSourceOptions) {
    this.socket = socketPathOf(opts.host);
    this.description = `docker unix://${this.socket}`;
    this.docker = new Docker({ socketPath: this.socket });
  }

  connected(): boolean {
    return this.isConnected;
  }

  async subtrees(): Promise<CgroupRef[]> {
    let parent = this.opts.cgroupParent;
    if (!parent) {
      let driver = 'cgroupfs';
      try {
        driver = ((await this.docker.info()) as { CgroupDriver?: string }).CgroupDriver ?? driver;
      } catch {
        // the engine is not there yet: assume its default
      }
      parent = driver === 'systemd' ? '/system.slice' : '/docker';
    }
    const root = cgroup2Mount();
    if (!root) return [];
    // the engine creates it with its first container; creating it now lets the kernel watch it from the start
    fs.mkdirSync(path.join(root, parent), { recursive: true });
    const ref = cgroupAt(parent);
    return ref ? [ref] : [];
  }

  async start(events: SourceEvents): Promise<void> {
    this.running = true;
    // the first connection is awaited, so that a daemon started before its engine says so at once
    await this.connectOnce(events);
    this.loop = this.follow(events);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    (this.stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    await this.loop;
  }

  /** Keep a stream open; on loss, say it and try again. */
  private async follow(events: SourceEvents): Promise<void> {
    while (this.running) {
      if (!this.stream) {
        await this.sleep(this.opts.retryMs ?? 2_000);
        if (!this.running) return;
        await this.connectOnce(events);
        continue;
      }
      await new Promise<void>((done) => {
        this.wake = done;
        this.stream!.once('end', done);
        this.stream!.once('close', done);
        this.stream!.once('error', done);
      });
      this.stream = undefined;
      this.isConnected = false;
      if (this.running) events.problem('events-ended', `discovery: the Docker engine at ${this.description} closed its event stream (restarted?); reconnecting`);
    }
  }

  private async connectOnce(events: SourceEvents): Promise<void> {
    try {
      // subscribe first, then list: a container starting in between is seen twice, never missed
      const stream = (await (this.docker.getEvents as (o: object) => Promise<unknown>).call(this.docker, { filters: JSON.stringify({ type: ['container'], event: ['start', 'die'] }) })) as NodeJS.ReadableStream;
      this.stream = stream;
      this.isConnected = true;
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        rest += chunk.toString('utf8');
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const text = rest.slice(0, nl).trim();
          rest = rest.slice(nl + 1);
          if (text) this.onEvent(text, events);
        }
      });
      const running = await this.docker.listContainers();
      for (const c of running) void this.inspectAndReport(c.Id, events);
    } catch (err) {
      this.isConnected = false;
      this.stream = undefined;
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'the socket does not exist' : code === 'ECONNREFUSED' ? 'nothing listens on it' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      events.problem(
        'engine-unreachable',
        `discovery: cannot reach the Docker engine at ${this.description} (${why}); start dockerd, or pass --docker-host unix:///path/to/docker.sock (run as root); retrying every ${(this.opts.retryMs ?? 2_000) / 1000} s`,
      );
    }
  }

  private onEvent(text: string, events: SourceEvents): void {
    let e: { Action?: string; status?: string; id?: string; Actor?: { ID?: string }; time?: number; timeNano?: number };
    try {
      e = JSON.parse(text);
    } catch {
      return;
    }
    const id = e.Actor?.ID ?? e.id;
    if (!id) return;
    const action = e.Action ?? e.status;
    if (action === 'start') void this.inspectAndReport(id, events);
    else if (action === 'die' && this.followed.has(id)) {
      this.followed.delete(id);
      events.stopped(id, e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? Date.now() / 1000) * 1000);
    }
  }

  private async inspectAndReport(id: string, events: SourceEvents): Promise<void> {
    if (this.followed.has(id)) return;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404) events.problem('container-gone', `discovery: container ${id.slice(0, 12)} was removed before it could be inspected; skipped`);
      else events.problem('inspect-failed', `discovery: inspecting container ${id.slice(0, 12)} failed (${(err as Error).message}); skipped`);
      return;
    }
    const name = info.Name.replace(/^\//, '');
    const pid = info.State?.Pid ?? 0;
    const cgroup = pid > 0 ? cgroupOfPid(pid) : undefined;
    if (!isActionContainer(this.opts.rule, name, info.Config?.Labels)) {
      events.skipped({ id, name, cgroup });
      return;
    }
    if (!info.State?.Running || pid <= 0) {
      events.problem('container-gone', `discovery: container ${name} (${id.slice(0, 12)}) exited before it could be followed; its log is still read`);
    }
    if (this.followed.has(id)) return;
    this.followed.add(id);
    const started = Date.parse(info.State?.StartedAt ?? '') || Date.now();
    const logPath = info.HostConfig?.LogConfig?.Type === 'json-file' && info.LogPath ? info.LogPath : undefined;
    const found: FoundContainer = { id, name, pid, cgroup, logPath, started };
    events.started(found);
    if (!info.State?.Running) {
      this.followed.delete(id);
      events.stopped(id, Date.parse(info.State?.FinishedAt ?? '') || Date.now());
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const t = setTimeout(done, ms);
      this.wake = () => {
        clearTimeout(t);
        done();
      };
    });
  }
}
