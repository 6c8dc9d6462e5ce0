// The agent's kernel work on the records the capture hands over (no I/O): decode, reassemble
// stdio chunks, attribute to containers and activations (kernel-tracker.ts), reduce each finished
// activation (kernel-reduce.ts). Stateful, fed in the kernel's order. It runs where kernel-tap.ts
// puts it: on the platform's thread, or on a worker thread (kernel-worker.ts).
import { decodeBatch } from '../../kmod/decode';
import { reassembleChunks } from '../../kmod/reassemble';
import type { KernelEventLite } from '../../protocol/batch';
import { reduceKernelEvents } from './kernel-reduce';
import { KernelTracker, type TrackedContainer, type TrackerStats } from './kernel-tracker';

/** What is ready to hand on to the agent. */
export interface PipelineOutput {
  events: KernelEventLite[];
  /** events lost, per activation that was in progress while they were */
  drops: Record<string, number>;
  /** events lost while no activation was in progress */
  unplacedDrops: number;
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
}

export class KernelPipeline {
  private readonly tracker: KernelTracker;
  private readonly extra = { decodeErrors: 0, shipped: 0, reducedAway: 0, tempFiles: 0, busyMs: 0 };

  constructor(bootOffsetNs: bigint) {
    this.tracker = new KernelTracker({ bootOffsetNs });
  }

  addContainer(c: TrackedContainer): void {
    this.tracker.addContainer(c);
  }

  /** The container is gone: what it still had in progress is complete as it is. */
  removeContainer(container: string): PipelineOutput {
    this.tracker.removeContainer(container);
    return this.take();
  }

  /** Records as the capture wrote them (decodeBatch's input), and how many the kernel lost before them. */
  push(buf: Uint8Array, kernelDrops: number): PipelineOutput {
    const t0 = process.hrtime.bigint();
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const { events, errors } = decodeBatch(b);
    this.extra.decodeErrors += errors.length;
    this.tracker.push(reassembleChunks(events));
    // losses are charged to every activation in progress while this stretch of events happened
    this.tracker.noteDrops(kernelDrops + errors.length);
    const out = this.take();
    this.extra.busyMs += Number(process.hrtime.bigint() - t0) / 1e6;
    return out;
  }

  stats(): PipelineStats {
    return { ...this.tracker.stats, ...this.extra };
  }

  inProgress(): Record<string, string[]> {
    return this.tracker.inProgress();
  }

  private take(): PipelineOutput {
    const taken = this.tracker.take();
    const events: KernelEventLite[] = [];
    for (const a of taken.activations) {
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
    this.extra.shipped += events.length;
    return { events, drops: taken.drops, unplacedDrops: taken.unplacedDrops };
  }
}

/** Whether an output carries anything the agent must hear about. */
export function hasOutput(o: PipelineOutput): boolean {
  return o.events.length > 0 || Object.keys(o.drops).length > 0 || o.unplacedDrops > 0;
}
