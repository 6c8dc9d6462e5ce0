// Where the kernel tap runs its KernelPipeline: on the calling thread (the default), or on a worker
// thread (dist/invokers/agent/kernel-worker.js, made by `npm run build`), so that decoding,
// attribution and reduction do not run on the platform's event loop. On this 2-core machine the
// worker did not measurably lower activation latency (bench/kernel-activations.ts
// --compare-pipelines), so it is opt-in. Both keep the order of what they are given and hand each
// output to `onOutput` in that order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../package/root';
import type { TrackedContainer } from './kernel-tracker';
import { hasOutput, KernelPipeline, type PipelineOptions, type PipelineOutput, type PipelineStats } from './kernel-pipeline';
import type { FromWorker, KernelWorkerData, ToWorker } from './kernel-worker';

export interface PipelineHost {
  readonly where: 'worker' | 'thread';
  add(c: TrackedContainer): void;
  remove(container: string): void;
  /** not an action container: its held events and later ones are dropped */
  ignore(cgroupId: bigint): void;
  records(buf: Buffer, kernelDrops: number): void;
  /** Resolves once everything given before has been processed and handed to onOutput. */
  barrier(): Promise<void>;
  /** counters as of the last output or barrier */
  stats(): PipelineStats;
  inProgress(): Record<string, string[]>;
  close(): Promise<void>;
}

export type PipelineWhere = 'worker' | 'thread';

export interface PipelineHostOptions {
  bootOffsetNs: bigint;
  onOutput: (out: PipelineOutput) => void;
  log: (line: string) => void;
  /** default: this thread */
  where?: PipelineWhere;
  pipeline?: PipelineOptions;
}

export function kernelWorkerPath(): string {
  return path.join(packageRoot(), 'dist', 'invokers', 'agent', 'kernel-worker.js');
}

export function openPipelineHost(o: PipelineHostOptions): PipelineHost {
  if ((o.where ?? 'thread') === 'thread') return new ThreadHost(o);
  const worker = kernelWorkerPath();
  if (!fs.existsSync(worker)) throw new Error(`the kernel worker ${worker} is missing: run \`npm run build\`, or decode on the platform's thread`);
  return new WorkerHost(o, worker);
}

class ThreadHost implements PipelineHost {
  readonly where = 'thread';
  private readonly p: KernelPipeline;

  constructor(private readonly o: PipelineHostOptions) {
    this.p = new KernelPipeline(o.bootOffsetNs, o.pipeline);
  }

  add(c: TrackedContainer): void {
    this.hand(this.p.addContainer(c));
  }

  ignore(cgroupId: bigint): void {
    this.p.ignoreCgroup(cgroupId);
  }

  remove(container: string): void {
    this.hand(this.p.removeContainer(container));
  }

  records(buf: Buffer, kernelDrops: number): void {
    this.hand(this.p.push(buf, kernelDrops));
  }

  async barrier(): Promise<void> {}

  stats(): PipelineStats {
    return this.p.stats();
  }

  inProgress(): Record<string, string[]> {
    return this.p.inProgress();
  }

  async close(): Promise<void> {}

  private hand(out: PipelineOutput): void {
    if (hasOutput(out)) this.o.onOutput(out);
  }
}

const ZERO_STATS: PipelineStats = {
  seen: 0,
  kept: 0,
  outsideActivations: 0,
  unknownFd: 0,
  stdio: 0,
  ambiguous: 0,
  failed: 0,
  foreign: 0,
  decodeErrors: 0,
  shipped: 0,
  reducedAway: 0,
  tempFiles: 0,
  busyMs: 0,
  pendingHeld: 0,
  pendingReleased: 0,
  pendingDropped: 0,
};

class WorkerHost implements PipelineHost {
  readonly where = 'worker';
  private readonly w: Worker;
  private last: { stats: PipelineStats; inProgress: Record<string, string[]> } = { stats: { ...ZERO_STATS }, inProgress: {} };
  private readonly waiting = new Map<number, () => void>();
  private nextBarrier = 0;
  private failed?: string;
  private closing = false;

  constructor(
    private readonly o: PipelineHostOptions,
    file: string,
  ) {
    this.w = new Worker(file, { workerData: { bootOffsetNs: o.bootOffsetNs, options: o.pipeline } satisfies KernelWorkerData });
    this.w.on('message', (m: FromWorker) => this.onMessage(m));
    this.w.on('error', (err) => this.fail(`the kernel worker failed: ${err.stack ?? err.message}`));
    this.w.on('exit', (code) => {
      if (!this.closing) this.fail(`the kernel worker exited (${code})`);
    });
  }

  add(c: TrackedContainer): void {
    this.post({ t: 'add', container: c });
  }

  remove(container: string): void {
    this.post({ t: 'remove', container });
  }

  ignore(cgroupId: bigint): void {
    this.post({ t: 'ignore', cgroupId });
  }

  records(buf: Buffer, kernelDrops: number): void {
    // copied by postMessage: the capture reuses or frees its buffer once this returns
    this.post({ t: 'records', buf, kernelDrops });
  }

  barrier(): Promise<void> {
    if (this.failed) return Promise.resolve();
    const id = ++this.nextBarrier;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ t: 'barrier', id });
    });
  }

  stats(): PipelineStats {
    return this.last.stats;
  }

  inProgress(): Record<string, string[]> {
    return this.last.inProgress;
  }

  async close(): Promise<void> {
    await this.barrier();
    this.closing = true;
    await this.w.terminate();
  }

  private post(m: ToWorker): void {
    if (!this.failed) this.w.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'error') return this.o.log(`kernel capture: the kernel worker could not process a message; kernel events may be missing: ${m.message}`);
    this.last = { stats: m.stats, inProgress: m.inProgress };
    if (m.t === 'out') return this.o.onOutput(m.out);
    const resolve = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    resolve?.();
  }

  private fail(why: string): void {
    if (this.failed) return;
    this.failed = why;
    this.o.log(`kernel capture: ${why}; kernel events are lost from now on`);
    for (const r of this.waiting.values()) r();
    this.waiting.clear();
  }
}
