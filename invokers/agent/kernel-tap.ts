// The agent's kernel side (side effects): opens the capture when this machine allows it, registers
// each container's cgroup before the container's first process runs, drains the ring buffer on a
// worker thread, and hands attributed, reduced events (kernel-tracker.ts, kernel-reduce.ts) on.
// Never throws at start: when capture cannot run, it says why and which step turns it on.
import * as fs from 'node:fs';
import { bootTimeOffsetNs, openCapture, type Backend, type Capture } from '../../kmod/binding';
import { decodeBatch } from '../../kmod/decode';
import { kmodPaths } from '../../kmod/paths';
import { reassembleChunks } from '../../kmod/reassemble';
import type { KernelEventLite } from '../../correlator/types';
import { reduceKernelEvents } from './kernel-reduce';
import { KernelTracker, type TrackedContainer, type TrackerStats } from './kernel-tracker';

export type KernelSink = (events: KernelEventLite[], drops: Record<string, number>, unplacedDrops: number) => void;

export interface KernelTapOptions {
  backend?: Backend;
  /** where attributed, reduced events go (the Agent's `kernel`) */
  sink: KernelSink;
  log?: (line: string) => void;
  /** poll timeout per round, ms (default 50) */
  pollMs?: number;
}

export type KernelCaptureStatus = { on: true; backend: Backend } | { on: false; reason: string; step: string };

export interface KernelTapStats extends TrackerStats {
  /** records the kernel side wrote, and lost because the ring buffer was full */
  records: number;
  drops: number;
  /** records that did not decode (counted as lost too) */
  decodeErrors: number;
  /** events shipped after reduction, and removed by it */
  shipped: number;
  reducedAway: number;
  tempFiles: number;
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

export class KernelTap {
  private readonly tracker: KernelTracker;
  private readonly containers = new Map<string, bigint>();
  private running = true;
  private readonly loop: Promise<void>;
  private pollGen = 0;
  private syncWaiters: Array<{ after: number; resolve: () => void }> = [];
  private lastDrops = 0;
  private readonly extra = { decodeErrors: 0, shipped: 0, reducedAway: 0, tempFiles: 0 };

  private constructor(
    private readonly cap: Capture,
    private readonly opts: KernelTapOptions,
  ) {
    this.tracker = new KernelTracker({ bootOffsetNs: bootTimeOffsetNs() });
    this.loop = this.run();
  }

  /** Opens the capture, or says why it is off. */
  static open(opts: KernelTapOptions): { tap?: KernelTap; status: KernelCaptureStatus } {
    const missing = kernelCapturePrerequisites();
    if (missing) return { status: missing };
    const backend = opts.backend ?? 'bpf';
    try {
      const cap = openCapture({ backend, batchBytes: 4 << 20 });
      return { tap: new KernelTap(cap, opts), status: { on: true, backend } };
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
    this.tracker.addContainer(c);
    this.containers.set(c.container, c.cgroupId);
    this.cap.addCgroup(c.cgroupId);
  }

  /** The container's processes are gone: take its last events, then stop filtering for it. */
  async removeContainer(container: string): Promise<void> {
    const id = this.containers.get(container);
    if (id === undefined) return;
    await this.sync();
    this.tracker.removeContainer(container);
    this.containers.delete(container);
    try {
      this.cap.removeCgroup(id);
    } catch {
      // the filter entry is gone already
    }
    this.deliver();
  }

  /** Resolves once everything the kernel wrote before this call has been processed and handed on. */
  sync(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => this.syncWaiters.push({ after: this.pollGen, resolve }));
  }

  stats(): KernelTapStats {
    const st = this.cap.stats();
    return { ...this.tracker.stats, records: st.events, drops: st.drops, ...this.extra };
  }

  inProgress(): Record<string, string[]> {
    return this.tracker.inProgress();
  }

  async close(): Promise<void> {
    if (!this.running) return;
    await this.sync();
    this.running = false;
    await this.loop;
    for (const c of [...this.containers.keys()]) this.tracker.removeContainer(c);
    this.deliver();
    this.cap.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const gen = ++this.pollGen;
      let buf: Buffer | null;
      try {
        buf = await this.cap.pollAsync(this.opts.pollMs ?? 50);
      } catch (err) {
        this.opts.log?.(`kernel capture: polling failed (${(err as Error).message}); kernel events are lost until it recovers`);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (buf) {
        this.process(buf);
        continue;
      }
      // the ring is empty: everything written before this poll started has been processed
      const done = this.syncWaiters.filter((w) => w.after < gen);
      this.syncWaiters = this.syncWaiters.filter((w) => w.after >= gen);
      for (const w of done) w.resolve();
    }
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  private process(buf: Buffer): void {
    const { events, errors } = decodeBatch(buf);
    this.extra.decodeErrors += errors.length;
    const dropsNow = this.cap.stats().drops;
    const lost = dropsNow - this.lastDrops + errors.length;
    this.lastDrops = dropsNow;
    this.tracker.push(reassembleChunks(events));
    // losses are charged to every activation in progress while this stretch of events happened
    this.tracker.noteDrops(lost);
    this.deliver();
  }

  private deliver(): void {
    const taken = this.tracker.take();
    const out: KernelEventLite[] = [];
    for (const a of taken.activations) {
      const r = reduceKernelEvents(a.events, { dropTempFiles: a.complete });
      out.push(...r.events);
      this.extra.reducedAway += r.removed;
      this.extra.tempFiles += r.tempFiles;
    }
    if (taken.loose.length) {
      const r = reduceKernelEvents(taken.loose, { dropTempFiles: false });
      out.push(...r.events);
      this.extra.reducedAway += r.removed;
    }
    this.extra.shipped += out.length;
    if (out.length || Object.keys(taken.drops).length || taken.unplacedDrops) this.opts.sink(out, taken.drops, taken.unplacedDrops);
  }
}
