// The agent's kernel side (side effects): opens the capture when this machine allows it, registers
// each container's cgroup before the container's first process runs, drains the ring buffer (the
// addon waits on a libuv thread), has the records decoded, attributed and reduced (kernel-pipeline.ts,
// on this thread or a worker: kernel-pipeline-host.ts) and hands the events on.
// Never throws at start: when capture cannot run, it says why and which step turns it on.
// Capture can be suspended (the probe unloaded, so no process on the node pays for it) and resumed
// without losing the containers it follows: what the containers do meanwhile is not captured.
import * as fs from 'node:fs';
import { bootTimeOffsetNs, openCapture, type Backend, type Capture } from '../../kmod/binding';
import { kmodPaths } from '../../kmod/paths';
import type { KernelEventLite } from '../../protocol/batch';
import type { FirstExec, PipelineStats } from './kernel-pipeline';
import { openPipelineHost, type PipelineHost, type PipelineWhere } from './kernel-pipeline-host';
import type { TrackedContainer } from './kernel-tracker';

/** `completed`: activations whose kernel events have all been handed over (protocol/batch.ts kernelComplete) */
export type KernelSink = (events: KernelEventLite[], drops: Record<string, number>, unplacedDrops: number, firstExecs?: FirstExec[], completed?: string[]) => void;

export interface KernelTapOptions {
  backend?: Backend;
  /** where attributed, reduced events go (the Agent's `kernel`) */
  sink: KernelSink;
  log?: (line: string) => void;
  /** poll timeout per round, ms (default 50) */
  pollMs?: number;
  /** where records are decoded, attributed and reduced (default: this thread) */
  pipeline?: PipelineWhere;
  /**
   * Cgroup subtrees to capture whole (e.g. a container engine's parent cgroup), so that containers
   * found after they started are captured from their first syscall: their events wait (bounded)
   * until addContainer names their cgroup, or ignoreCgroup says they are not wanted.
   */
  subtrees?: { id: bigint; level: number }[];
}

export type KernelCaptureStatus = { on: true; backend: Backend } | { on: false; reason: string; step: string };

export interface KernelTapStats extends PipelineStats {
  /** records the kernel side wrote, and lost because the ring buffer was full */
  records: number;
  drops: number;
  /** where the records are decoded, attributed and reduced (busyMs is that thread's time) */
  pipeline: PipelineWhere;
}

/** Whether kernel capture can run here, without loading anything. */
export function kernelCapturePrerequisites(): KernelCaptureStatus | undefined {
  if (process.getuid?.() !== 0) return { on: false, reason: 'the platform does not run as root', step: 'start it as root (sudo)' };
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    return { on: false, reason: 'this kernel has no BTF (/sys/kernel/btf/vmlinux)', step: 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or the kernel module backend' };
  }
  if (!fs.existsSync(kmodPaths().addon)) {
    return { on: false, reason: 'the capture addon is not built', step: 'as root: bash scripts/install-system-deps.sh && bash scripts/kmod-build.sh all' };
  }
  return undefined;
}

const BATCH_BYTES = 4 << 20;

export class KernelTap {
  private readonly pipeline: PipelineHost;
  /** the open capture; undefined while suspended */
  private cap: Capture | undefined;
  /** counters of the captures closed by suspend(), so stats() covers the whole life */
  private readonly closedCounts = { events: 0, drops: 0 };
  /** while suspended: resolves when the poll loop may go on (resume or close) */
  private suspension?: { wake: Promise<void>; resume: () => void; parked: Promise<void>; park: () => void };
  private readonly containers = new Map<string, bigint>();
  private running = true;
  private readonly loop: Promise<void>;
  private pollGen = 0;
  private syncWaiters: Array<{ after: number; resolve: () => void }> = [];
  private lastDrops = 0;

  private constructor(
    cap: Capture,
    private readonly backend: Backend,
    private readonly opts: KernelTapOptions,
  ) {
    this.cap = cap;
    for (const t of opts.subtrees ?? []) cap.addSubtree(t.id, t.level);
    this.pipeline = openPipelineHost({
      bootOffsetNs: bootTimeOffsetNs(),
      where: opts.pipeline,
      pipeline: { holdUnknown: opts.subtrees?.length ? {} : false, containerPids: true },
      log: opts.log ?? (() => undefined),
      onOutput: (o) => opts.sink(o.events, o.drops, o.unplacedDrops, o.firstExecs, o.completed),
    });
    this.loop = this.run();
  }

  /** Opens the capture, or says why it is off. */
  static open(opts: KernelTapOptions): { tap?: KernelTap; status: KernelCaptureStatus } {
    const missing = kernelCapturePrerequisites();
    if (missing) return { status: missing };
    const backend = opts.backend ?? 'bpf';
    try {
      const cap = openCapture({ backend, batchBytes: BATCH_BYTES });
      return { tap: new KernelTap(cap, backend, opts), status: { on: true, backend } };
    } catch (err) {
      return {
        status: {
          on: false,
          reason: `the ${backend} capture did not start: ${(err as Error).message}`,
          step: 'check `dmesg` and that bpftool can load programs here; rebuild with bash scripts/kmod-build.sh all',
        },
      };
    }
  }

  /** Capture this container from now on. Call it before the container's first process runs. */
  addContainer(c: TrackedContainer): void {
    this.pipeline.add(c);
    this.containers.set(c.container, c.cgroupId);
    this.cap?.addCgroup(c.cgroupId);
  }

  /** This cgroup (under a captured subtree) is not an action container: drop its events. */
  ignoreCgroup(cgroupId: bigint): void {
    this.pipeline.ignore(cgroupId);
  }

  /** The container's processes are gone: take its last events, then stop filtering for it. */
  async removeContainer(container: string): Promise<void> {
    const id = this.containers.get(container);
    if (id === undefined) return;
    await this.sync();
    this.pipeline.remove(container);
    this.containers.delete(container);
    try {
      this.cap?.removeCgroup(id);
    } catch {
      // the filter entry is gone already
    }
    await this.pipeline.barrier();
  }

  /** Resolves once everything the kernel wrote before this call has been processed and handed on. */
  sync(): Promise<void> {
    if (!this.running || this.suspension) return Promise.resolve();
    return new Promise<void>((resolve) => this.syncWaiters.push({ after: this.pollGen, resolve }));
  }

  stats(): KernelTapStats {
    const st = this.cap?.stats() ?? { events: 0, drops: 0 };
    return { ...this.pipeline.stats(), records: this.closedCounts.events + st.events, drops: this.closedCounts.drops + st.drops, pipeline: this.pipeline.where };
  }

  get suspended(): boolean {
    return this.suspension !== undefined;
  }

  /**
   * Unload the probe until resume(): every syscall on the node runs as without capture. What was
   * captured before is processed and handed on first; the containers stay registered.
   */
  async suspend(): Promise<void> {
    if (!this.running || this.suspension) return;
    await this.sync();
    let resume!: () => void;
    let park!: () => void;
    const wake = new Promise<void>((r) => (resume = r));
    const parked = new Promise<void>((r) => (park = r));
    this.suspension = { wake, resume, parked, park };
    await parked; // the poll in flight has returned and been processed
    const cap = this.cap!;
    this.cap = undefined;
    const st = cap.stats();
    this.closedCounts.events += st.events;
    this.closedCounts.drops += st.drops;
    cap.close();
  }

  /** Load the probe again and capture the registered containers. Throws when the probe does not load. */
  resume(): void {
    const s = this.suspension;
    if (!this.running || !s) return;
    const cap = openCapture({ backend: this.backend, batchBytes: BATCH_BYTES });
    for (const id of this.containers.values()) cap.addCgroup(id);
    for (const t of this.opts.subtrees ?? []) cap.addSubtree(t.id, t.level);
    this.cap = cap;
    this.lastDrops = 0;
    this.suspension = undefined;
    s.resume();
  }

  /** Activations in progress per container, as of the last events handed on. */
  inProgress(): Record<string, string[]> {
    return this.pipeline.inProgress();
  }

  async close(): Promise<void> {
    if (!this.running) return;
    await this.sync();
    this.running = false;
    this.suspension?.resume();
    await this.loop;
    for (const c of [...this.containers.keys()]) this.pipeline.remove(c);
    await this.pipeline.close();
    this.cap?.close();
    this.cap = undefined;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const s = this.suspension;
      if (s) {
        // take what the ring still holds, so nothing captured before the suspension is lost
        const cap = this.cap!;
        for (let buf = cap.poll(0); buf; buf = cap.poll(0)) this.process(buf, cap);
        await this.pipeline.barrier();
        for (const w of this.syncWaiters.splice(0)) w.resolve();
        s.park();
        await s.wake;
        continue;
      }
      const cap = this.cap!;
      const gen = ++this.pollGen;
      let buf: Buffer | null;
      try {
        buf = await cap.pollAsync(this.opts.pollMs ?? 50);
      } catch (err) {
        this.opts.log?.(`kernel capture: polling failed (${(err as Error).message}); kernel events are lost until it recovers`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (buf) {
        this.process(buf, cap);
        continue;
      }
      // the ring is empty: everything written before this poll started has been handed to the
      // pipeline, and is handed on once the pipeline has been through it
      const done = this.syncWaiters.filter((w) => w.after < gen);
      this.syncWaiters = this.syncWaiters.filter((w) => w.after >= gen);
      if (done.length) void this.pipeline.barrier().then(() => done.forEach((w) => w.resolve()));
    }
    await this.pipeline.barrier();
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  private process(buf: Buffer, cap: Capture): void {
    const dropsNow = cap.stats().drops;
    const lost = dropsNow - this.lastDrops;
    this.lastDrops = dropsNow;
    this.pipeline.records(buf, lost);
  }
}
