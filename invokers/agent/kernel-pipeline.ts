// The agent's kernel work on the records the capture hands over (no I/O): decode, reassemble
// stdio chunks, attribute to containers and activations (kernel-tracker.ts), reduce each finished
// activation (kernel-reduce.ts). Stateful, fed in the kernel's order. It runs where kernel-tap.ts
// puts it: on the platform's thread, or on a worker thread (kernel-worker.ts).
import { decodeBatch, type KernelEvent } from '../../kmod/decode';
import { EventType } from '../../kmod/schema';
import { reassembleChunks } from '../../kmod/reassemble';
import type { KernelEventLite } from '../../protocol/batch';
import { reduceKernelEvents } from './kernel-reduce';
import { compactStartup } from './kernel-startup';
import { readNsPid } from './ns-pid';
import { KernelTracker, type TrackedContainer, type TrackerStats } from './kernel-tracker';
import { PendingCgroups, type PendingOptions } from './pending-cgroups';

/** What is ready to hand on to the agent. */
export interface PipelineOutput {
  events: KernelEventLite[];
  /** events lost, per activation that was in progress while they were */
  drops: Record<string, number>;
  /** events lost while no activation was in progress */
  unplacedDrops: number;
  /**
   * Each container's first program, as the kernel saw it exec'd (the runtime), once: with
   * holdUnknown, proof that the container was captured from its start although found later.
   */
  firstExecs?: FirstExec[];
  /** activations whose kernel events have all been handed over (with these or earlier outputs): the watermark the correlator completes graphs by */
  completed?: string[];
}

export interface FirstExec {
  container: string;
  path: string;
  args: string[];
  /** ns since boot */
  tsNs: bigint;
  /** events of the container held before it was known, released with it */
  heldBefore: number;
}

export interface PipelineStats extends TrackerStats {
  /** records that did not decode (counted as lost too) */
  decodeErrors: number;
  /** events shipped after reduction, and removed by it */
  shipped: number;
  reducedAway: number;
  tempFiles: number;
  /** ms spent decoding, attributing and reducing */
  busyMs: number;
  /** events of not-yet-known cgroups (holdUnknown): waiting now, released to attribution, given up */
  pendingHeld: number;
  pendingReleased: number;
  pendingDropped: number;
}

export interface PipelineOptions {
  /**
   * Hold the events of cgroups no container is registered for until one is (or it is ignored):
   * for a capture with a subtree registered, where containers are discovered after they start.
   * Off: such events are counted as foreign at once (the embedded platform registers first).
   */
  holdUnknown?: PendingOptions | false;
  /**
   * Number forked processes as their container's pid namespace does (read from /proc while they
   * live), so that the kernel's process and the wrapper's record of it are one node.
   */
  containerPids?: boolean;
}

export class KernelPipeline {
  private readonly tracker: KernelTracker;
  private readonly extra = { decodeErrors: 0, shipped: 0, reducedAway: 0, tempFiles: 0, busyMs: 0 };
  private readonly pending?: PendingCgroups;
  private readonly cgroups = new Map<string, bigint>();
  /** containers whose first exec is still to be seen, by cgroup id */
  private readonly awaitingExec = new Map<bigint, { container: string; heldBefore: number }>();
  private firstExecs: FirstExec[] = [];

  constructor(bootOffsetNs: bigint, opts: PipelineOptions = {}) {
    this.tracker = new KernelTracker({ bootOffsetNs, ...(opts.containerPids ? { nsPidOf: readNsPid } : {}) });
    if (opts.holdUnknown) this.pending = new PendingCgroups(opts.holdUnknown);
  }

  /** Attribute this container's events from now on, starting with those held while it was unknown. */
  addContainer(c: TrackedContainer): PipelineOutput {
    this.tracker.addContainer(c);
    this.cgroups.set(c.container, c.cgroupId);
    const held = this.pending?.release(c.cgroupId) ?? [];
    this.awaitingExec.set(c.cgroupId, { container: c.container, heldBefore: held.length });
    this.noteExecs(held);
    if (held.length) this.tracker.push(held);
    return this.take();
  }

  /** The container is gone: what it still had in progress is complete as it is. */
  removeContainer(container: string): PipelineOutput {
    this.tracker.removeContainer(container);
    const id = this.cgroups.get(container);
    this.cgroups.delete(container);
    if (id !== undefined) {
      this.pending?.ignore(id);
      this.awaitingExec.delete(id);
    }
    return this.take();
  }

  /** Not an action container: drop its held events and whatever it does later. */
  ignoreCgroup(cgroupId: bigint): void {
    this.pending?.ignore(cgroupId);
  }

  /** Records as the capture wrote them (decodeBatch's input), and how many the kernel lost before them. */
  push(buf: Uint8Array, kernelDrops: number): PipelineOutput {
    const t0 = process.hrtime.bigint();
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const { events, errors } = decodeBatch(b);
    this.extra.decodeErrors += errors.length;
    const whole = reassembleChunks(events);
    const admitted = this.pending ? this.pending.admit(whole) : whole;
    this.noteExecs(admitted);
    this.tracker.push(admitted);
    // losses are charged to every activation in progress while this stretch of events happened
    this.tracker.noteDrops(kernelDrops + errors.length);
    const out = this.take();
    this.extra.busyMs += Number(process.hrtime.bigint() - t0) / 1e6;
    return out;
  }

  stats(): PipelineStats {
    const p = this.pending?.stats();
    return {
      ...this.tracker.stats,
      ...this.extra,
      pendingHeld: p?.held ?? 0,
      pendingReleased: p?.released ?? 0,
      pendingDropped: p ? p.evicted + p.expired + p.ignored : 0,
    };
  }

  inProgress(): Record<string, string[]> {
    return this.tracker.inProgress();
  }

  private noteExecs(events: readonly KernelEvent[]): void {
    if (this.awaitingExec.size === 0) return;
    for (const e of events) {
      if (e.type !== EventType.EXECVE || e.ret < 0n) continue;
      const w = this.awaitingExec.get(e.cgroupId);
      if (!w) continue;
      this.awaitingExec.delete(e.cgroupId);
      const argv = Buffer.isBuffer(e.params.argv) ? e.params.argv.toString('utf8').split('\0') : [];
      if (argv.length && argv[argv.length - 1] === '') argv.pop();
      const path = typeof e.params.path === 'string' ? e.params.path : '';
      this.firstExecs.push({ container: w.container, path, args: argv, tsNs: e.tsNs, heldBefore: w.heldBefore });
      if (this.awaitingExec.size === 0) return;
    }
  }

  private take(): PipelineOutput {
    const taken = this.tracker.take();
    const events: KernelEventLite[] = [];
    const completed: string[] = [];
    for (const a of taken.activations) {
      if (a.closed) completed.push(a.activationId);
      const r = reduceKernelEvents(a.events, { dropTempFiles: a.complete });
      events.push(...r.events);
      this.extra.reducedAway += r.removed;
      this.extra.tempFiles += r.tempFiles;
    }
    if (taken.loose.length) {
      const r = reduceKernelEvents(taken.loose, { dropTempFiles: false });
      events.push(...r.events);
      this.extra.reducedAway += r.removed;
    }
    for (const st of taken.startups) {
      // the start-up is whole (it ended when the first activation began): temporary files can go
      const r = reduceKernelEvents(st.events, { dropTempFiles: true });
      const compact = compactStartup(r.events);
      events.push(...compact);
      this.extra.reducedAway += st.events.length - compact.length;
      this.extra.tempFiles += r.tempFiles;
    }
    this.extra.shipped += events.length;
    const out: PipelineOutput = { events, drops: taken.drops, unplacedDrops: taken.unplacedDrops };
    if (completed.length) out.completed = completed;
    if (this.firstExecs.length) {
      out.firstExecs = this.firstExecs;
      this.firstExecs = [];
    }
    return out;
  }
}

/** Whether an output carries anything the agent must hear about. */
export function hasOutput(o: PipelineOutput): boolean {
  return o.events.length > 0 || Object.keys(o.drops).length > 0 || o.unplacedDrops > 0 || (o.firstExecs?.length ?? 0) > 0 || (o.completed?.length ?? 0) > 0;
}
