// The agent of one invoker node, as a function (`provenance agent` runs it in the foreground; the
// embedded platform's docker mode can run it in-process): finds the action containers through a
// ContainerSource, captures what they do in the kernel when it can (from each container's first
// syscall: the engine's parent cgroup is captured whole, and a container's events wait until
// discovery names its cgroup), reads each container's stdout/stderr from the log file the engine
// writes (Docker's json-file log, or the CRI log the kubelet's runtime writes), and ships both through
// the Agent (batching, spool, retry) to a sink. With kernel capture on, every batch carries the
// kernel's delivery watermark (which activations' kernel events are all shipped up to their end).
//
// Which activation an event or line belongs to comes from the wrapper's begin/end records and the
// runtime's sentinel, never from container names; the action a container serves is the one its
// first begin record names (OpenWhisk binds a container to one action once it is initialised).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACTIVATION_SENTINEL } from '../../../protocol/action-runtime';
import type { ContainerInfo } from '../../../protocol/batch';
import { RECORD_LINE_START } from '../../../protocol/wrapper-records';
import { parseRecordLine } from '../../../wrapper/records';
import { Agent, type AgentOptions, type BatchSink } from '../agent';
import type { FirstExec } from '../kernel-pipeline';
import { KernelTap, type KernelCaptureStatus, type KernelTapStats } from '../kernel-tap';
import type { PipelineWhere } from '../kernel-pipeline-host';
import type { CgroupRef } from '../discovery/cgroup-fs';
import type { ContainerSource, FoundContainer } from '../discovery/source';
import { JsonFileTail } from '../logs/json-file-tail';
import { LogCheckpoint } from './checkpoint';
import { KernelAfterLines } from './kernel-after-lines';
import { NodeAgentCounters, type NodeAgentStats } from './stats';

export interface NodeAgentOptions {
  source: ContainerSource;
  sink: BatchSink;
  /** spool and log positions live here */
  stateDir: string;
  /** invoker name in batches (default: this host's name) */
  invoker?: string;
  /** 'auto': kernel capture when this machine allows it; 'off': container logs only */
  kernel: 'auto' | 'off';
  /** why capture is off when kernel is 'off', and what turns it on (default: --no-kernel was given) */
  kernelOff?: { reason: string; step: string };
  log: (line: string) => void;
  /** batching and retry settings passed to the Agent */
  agent?: Pick<AgentOptions, 'maxDelayMs' | 'maxLines' | 'maxBatchBytes' | 'retryInitialMs' | 'retryMaxMs'>;
  /** how often container logs are read (default 200 ms) */
  logPollMs?: number;
  /** where kernel records are decoded, attributed and reduced (default: this thread) */
  kernelPipeline?: PipelineWhere;
}

export interface NodeAgent {
  /** which capture runs, and why (the start-up line says the same) */
  readonly mode: { kernel: KernelCaptureStatus; subtrees: CgroupRef[] };
  stats(): NodeAgentStats;
  /** whether the container engine answered last time */
  healthy(): { ok: boolean; why?: string };
  /** counters of the kernel side (undefined when capture is off) */
  kernelStats(): KernelTapStats | undefined;
  /** unload the probe until resumeKernel(): containers stay followed, what they do meanwhile is not captured */
  suspendKernel(): Promise<void>;
  /** load the probe again; rejects when it does not load */
  resumeKernel(): Promise<void>;
  /** everything read so far delivered or spooled */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

interface Followed {
  key: string;
  found: FoundContainer;
  info?: ContainerInfo;
  exec?: FirstExec;
  tail?: JsonFileTail;
  inKernel: boolean;
  /** sentinels read per stream: a batch is cut once both streams have closed the same number of activations */
  sentinels: { stdout: number; stderr: number };
}

/** how long after start the source has surely reported what runs, so that the rest of the checkpoint's containers stopped while the agent was down */
export const LEFTOVERS_AFTER_MS = 3_000;

/** A container's name in batches: the engine's short id (unique on the node, as `docker ps` shows it). */
export function containerKey(id: string): string {
  return id.slice(0, 12);
}

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const invoker = o.invoker ?? os.hostname();
  const counters = new NodeAgentCounters();
  const checkpoint = new LogCheckpoint(o.stateDir, o.log);
  const agent = Agent.open({
    invoker,
    spoolDir: path.join(o.stateDir, 'spool'),
    sink: o.sink,
    log: o.log,
    onSettled: (batch) => checkpoint.settled(batch),
    ...o.agent,
  });
  const followed = new Map<string, Followed>();
  const afterLines = new KernelAfterLines();
  const shipKernel = (now = Date.now()) => {
    const p = afterLines.take(now);
    for (const e of p.events) counters.kernelSyscallsShipped += e.n ?? 1;
    if (p.events.length || Object.keys(p.drops).length || p.unplacedDrops || p.completed?.length) agent.kernel(p.events, p.drops, p.unplacedDrops, p.completed);
  };
  const kernelTimer = setInterval(() => shipKernel(), 250);

  // kernel capture: the engine's parent cgroups whole, so nothing a new container does is missed
  let tap: KernelTap | undefined;
  let status: KernelCaptureStatus = { on: false, reason: '--no-kernel was given', step: 'leave out --no-kernel', ...o.kernelOff };
  let subtrees: CgroupRef[] = [];
  if (o.kernel === 'auto') {
    subtrees = await o.source.subtrees();
    const opened = KernelTap.open({
      subtrees: subtrees.map((s) => ({ id: s.id, level: s.level })),
      sink: (events, drops, unplaced, firstExecs, completed) => {
        for (const x of firstExecs ?? []) onFirstExec(x);
        afterLines.push({ events, drops, unplacedDrops: unplaced, completed }, Date.now());
        shipKernel();
      },
      log: o.log,
      ...(o.kernelPipeline ? { pipeline: o.kernelPipeline } : {}),
    });
    tap = opened.tap;
    status = opened.status;
    // every batch now says which activations' kernel events are complete, so a graph is complete only then
    if (tap) agent.captureKernel();
  }
  o.log(
    status.on
      ? `agent: kernel capture on (${status.backend}), containers captured from their first syscall under ${subtrees.map((s) => s.path).join(', ') || '(no cgroup v2 parent found)'}; container output from ${o.source.description}'s log files`
      : `agent: kernel capture off: ${status.reason} (to turn it on: ${status.step}); wrapper-level provenance only, from ${o.source.description}'s log files`,
  );

  function announce(f: Followed): void {
    if (!f.info) return;
    if (f.exec) {
      f.info.exe = f.exec.path;
      f.info.args = f.exec.args;
    }
    agent.container(f.info);
  }

  function onFirstExec(x: FirstExec): void {
    counters.firstExecs++;
    counters.heldBeforeDiscovery += x.heldBefore;
    const f = followed.get(x.container);
    if (!f) return;
    f.exec = x;
    announce(f);
  }

  function onLine(f: Followed, stream: 'stdout' | 'stderr', line: string, time: number, seq: number): void {
    counters.linesRead++;
    let begun: string | undefined;
    if (line.startsWith(RECORD_LINE_START) && line.includes('"t":"begin"')) {
      const parsed = parseRecordLine(line);
      if ('record' in parsed && parsed.record.t === 'begin') begun = parsed.record.a;
      // the container's action is the one its first begin record names
      if (!f.info && 'record' in parsed && parsed.record.t === 'begin') {
        f.info = {
          container: f.key,
          invoker,
          action: parsed.record.act,
          pid: f.found.pid,
          started: f.found.started,
          ...(f.found.cgroup ? { cgroupId: f.found.cgroup.id.toString() } : {}),
        };
        announce(f);
      }
    }
    // whole ms, as every other time in a batch (the json-file log has sub-ms precision)
    agent.line({ container: f.key, stream, time: Math.floor(time), line, seq });
    if (begun) {
      // kernel events of this activation may follow its begin now
      afterLines.began(begun);
      shipKernel();
    }
    if (line.trim() === ACTIVATION_SENTINEL) {
      // ship the activation's output now, but not between its two sentinels: the correlator reads a
      // batch that starts with a lone sentinel without knowing which activation it closes
      f.sentinels[stream]++;
      const ahead = f.sentinels.stdout - f.sentinels.stderr;
      // out of step by more than one activation (read resumed between a pair): step together again
      if (Math.abs(ahead) > 1) f.sentinels.stdout = f.sentinels.stderr = Math.max(f.sentinels.stdout, f.sentinels.stderr);
      if (ahead === 0 || Math.abs(ahead) > 1) agent.activationEnded();
    }
  }

  /** the source's id of each followed container -> its key */
  const keys = new Map<string, string>();

  function follow(c: FoundContainer): void {
    const key = c.key ?? containerKey(c.id);
    if (followed.has(key)) return;
    const f: Followed = { key, found: c, inKernel: false, sentinels: { stdout: 0, stderr: 0 } };
    followed.set(key, f);
    keys.set(c.id, key);
    counters.containersSeen++;
    if (tap && c.cgroup) {
      tap.addContainer({ container: key, cgroupId: c.cgroup.id, ...(c.cwd ? { cwd: c.cwd } : {}) });
      f.inKernel = true;
    }
    if (c.logPath) {
      const from = checkpoint.get(key);
      f.tail = new JsonFileTail(
        c.logPath,
        {
          line: (l, at) => {
            checkpoint.handed(key, l.stream, l.seq, { ...at, id: c.id, logPath: c.logPath!, ...(c.logFormat ? { format: c.logFormat } : {}) });
            onLine(f, l.stream, l.line, l.time, l.seq);
          },
          rotated: (what) => {
            counters.logRotations[what]++;
            o.log(`logs: the log of container ${c.name} (${key}) was ${what === 'replaced' ? 'rotated (replaced)' : 'truncated'}; reading the new one from its start`);
          },
          log: o.log,
        },
        from && from.logPath === c.logPath ? from : undefined,
        o.logPollMs,
        c.logFormat,
      );
      f.tail.start();
    } else {
      o.log(`agent: container ${c.name} (${key}) does not log to a file the agent reads (json-file or CRI); its output is not read${tap ? ' (kernel capture still follows it)' : ''}`);
    }
  }

  async function unfollow(id: string, at: number): Promise<void> {
    const key = keys.get(id) ?? containerKey(id);
    keys.delete(id);
    const f = followed.get(key);
    if (!f) return;
    followed.delete(key);
    // until its last lines are settled, this container is not a leftover of an earlier run
    finishing.add(key);
    // the engine writes the last lines to the log as the container dies: give it a moment
    await sleep(Math.max(300, 2 * (o.logPollMs ?? 200)));
    f.tail?.readNow(true);
    if (tap && f.inKernel) await tap.removeContainer(key);
    if (f.info) agent.container({ ...f.info, stopped: at });
    await agent.flush();
    checkpoint.forget(key);
    finishing.delete(key);
  }

  const finishing = new Set<string>();
  // leftovers are what the checkpoint held before this run followed anything: a container this run
  // follows and finishes is read by its own tail alone, or its lines would ship twice
  const fromEarlierRun = checkpoint.keys();
  const pendingStops = new Set<Promise<void>>();
  await o.source.start({
    started: (c) => follow(c),
    stopped: (id, at) => {
      const p = unfollow(id, at).catch((err) => o.log(`agent: finishing container ${keys.get(id) ?? containerKey(id)} failed: ${(err as Error).message}`));
      pendingStops.add(p);
      void p.finally(() => pendingStops.delete(p));
    },
    skipped: (c) => {
      counters.containersSkipped++;
      if (tap && c.cgroup) tap.ignoreCgroup(c.cgroup.id);
    },
    problem: (kind, line) => {
      counters.discoveryErrors[kind] = (counters.discoveryErrors[kind] ?? 0) + 1;
      o.log(line);
    },
  });

  // containers that stopped while the agent was down: read what their logs still hold
  setTimeout(() => finishLeftovers(), LEFTOVERS_AFTER_MS).unref();
  function finishLeftovers(): void {
    for (const key of fromEarlierRun) {
      if (followed.has(key) || finishing.has(key)) continue;
      const e = checkpoint.get(key);
      if (!e) continue;
      if (!fs.existsSync(e.logPath)) {
        checkpoint.forget(key);
        continue;
      }
      const f: Followed = { key, found: { id: e.id, name: key, pid: 0, started: Date.now() }, inKernel: false, sentinels: { stdout: 0, stderr: 0 } };
      const tail = new JsonFileTail(e.logPath, {
        line: (l, at) => {
          checkpoint.handed(key, l.stream, l.seq, { ...at, id: e.id, logPath: e.logPath, ...(e.format ? { format: e.format } : {}) });
          onLine(f, l.stream, l.line, l.time, l.seq);
        },
        rotated: () => undefined,
        log: o.log,
      }, e, undefined, e.format);
      tail.readNow(true);
      void agent.flush().then(() => checkpoint.forget(key));
    }
  }

  let stopped = false;
  return {
    mode: { kernel: status, subtrees },
    stats: () => counters.snapshot({ agent: agent.getStats(), kernel: tap?.stats(), followed: followed.size, kernelOn: status.on, engineConnected: o.source.connected() }),
    healthy: () => (o.source.connected() ? { ok: true } : { ok: false, why: `the container engine (${o.source.description}) does not answer` }),
    kernelStats: () => tap?.stats(),
    suspendKernel: async () => tap?.suspend(),
    resumeKernel: async () => tap?.resume(),
    flush: async () => {
      await o.source.sync?.();
      for (const f of followed.values()) f.tail?.readNow();
      await tap?.sync();
      shipKernel();
      await agent.flush();
      await checkpoint.flush();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await o.source.stop();
      await Promise.all([...pendingStops]);
      for (const f of followed.values()) {
        f.tail?.readNow();
        f.tail?.stop();
      }
      if (tap) await tap.close();
      clearInterval(kernelTimer);
      shipKernel(Number.POSITIVE_INFINITY);
      await agent.close();
      await checkpoint.flush();
      checkpoint.close();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
