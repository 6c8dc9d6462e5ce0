// The agent of one invoker: collects every line the invoker's containers write, cuts them into
// numbered batches (at each activation end, after N lines or T ms) and delivers them to the sink in
// order. A batch the sink refuses is spooled to disk and retried with backoff; while anything is
// spooled, newer batches queue behind it on disk, so order is kept and nothing is lost.
import { BATCH_VERSION, type Batch, type ContainerInfo, type KernelEventLite, type StreamLine } from '../../protocol/batch';
import { DEFAULT_MAX_LINE_BYTES, limitLine } from './line-limit';
import { Spool } from './spool';

export type BatchSink = (batch: Batch) => Promise<void>;

export interface AgentOptions {
  invoker: string;
  /** where undeliverable batches wait: <storeDir>/spool */
  spoolDir: string;
  sink: BatchSink;
  /** cut a batch after this many lines (default 500) */
  maxLines?: number;
  /** cut a batch after this many kernel events (default 5000) */
  maxKernelEvents?: number;
  /** cut a batch at most this long after its first line (default 1000 ms) */
  maxDelayMs?: number;
  maxLineBytes?: number;
  /** first retry delay after a failed delivery, doubled up to retryMaxMs (defaults 250 ms, 30 s) */
  retryInitialMs?: number;
  retryMaxMs?: number;
  log?: (line: string) => void;
  /**
   * Called, in batch order, once a batch can no longer be lost: delivered, or saved in the spool.
   * A reader that can re-read its input (a log file) records how far it got here, so that a crash
   * makes it read again only what no batch holds yet.
   */
  onSettled?: (batch: Batch) => void;
}

export interface AgentStats {
  batches: number;
  delivered: number;
  spooled: number;
  waitingOnDisk: number;
}

export class Agent {
  private readonly spool: Spool;
  private nextBatch: number;
  private lines: StreamLine[] = [];
  /** kernel capture's share of the next batch (kernel-tap.ts) */
  private kernelEvents: KernelEventLite[] = [];
  private kernelDrops: Record<string, number> = {};
  private unplacedDrops = 0;
  /** kernel capture runs: every batch carries its delivery watermark (protocol/batch.ts kernelComplete) */
  private kernelCapture = false;
  private kernelCompleted: string[] = [];
  private readonly changed = new Map<string, ContainerInfo>();
  private readonly known = new Map<string, ContainerInfo>();
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryDelay: number;
  /** every delivery step runs on this chain, one at a time, in batch order */
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly stats: AgentStats = { batches: 0, delivered: 0, spooled: 0, waitingOnDisk: 0 };
  private readonly opts: Required<Omit<AgentOptions, 'log' | 'onSettled'>> & { log: (line: string) => void; onSettled: (batch: Batch) => void };

  private constructor(options: AgentOptions) {
    this.opts = {
      maxLines: 500,
      maxKernelEvents: 5_000,
      maxDelayMs: 1_000,
      maxLineBytes: DEFAULT_MAX_LINE_BYTES,
      retryInitialMs: 250,
      retryMaxMs: 30_000,
      log: () => undefined,
      onSettled: () => undefined,
      ...options,
    };
    this.spool = new Spool(options.spoolDir, options.invoker);
    this.nextBatch = this.spool.nextBatchNumber();
    this.retryDelay = this.opts.retryInitialMs;
  }

  /** Opens the agent and starts sending what an earlier run left spooled, in order. */
  static open(options: AgentOptions): Agent {
    const agent = new Agent(options);
    if (agent.spool.waiting().length) agent.enqueue(() => agent.drainSpool());
    return agent;
  }

  /** A container started, changed or stopped. */
  container(info: ContainerInfo): void {
    if (this.closed) return;
    this.known.set(info.container, { ...info });
    this.changed.set(info.container, { ...info });
    this.armTimer();
  }

  line(line: StreamLine): void {
    if (this.closed) return;
    this.lines.push({ ...line, line: limitLine(line.line, this.opts.maxLineBytes) });
    if (this.lines.length >= this.opts.maxLines) this.cut();
    else this.armTimer();
  }

  /**
   * Kernel capture is on for this invoker's containers: from now on every batch says which
   * activations' kernel events are all delivered, so that the correlator can tell a graph whose
   * kernel evidence is still on its way from a complete one.
   */
  captureKernel(): void {
    this.kernelCapture = true;
  }

  /**
   * Attributed, reduced kernel events, the events lost per activation (or unplaced), and the
   * activations whose kernel events are now all handed over (`completed`).
   */
  kernel(events: KernelEventLite[], drops: Record<string, number> = {}, unplacedDrops = 0, completed: readonly string[] = []): void {
    if (this.closed) return;
    this.kernelEvents.push(...events);
    this.kernelCompleted.push(...completed);
    for (const [a, n] of Object.entries(drops)) this.kernelDrops[a] = (this.kernelDrops[a] ?? 0) + n;
    this.unplacedDrops += unplacedDrops;
    if (this.kernelEvents.length >= this.opts.maxKernelEvents) this.cut();
    else this.armTimer();
  }

  /** An activation ended: ship what it wrote now. */
  activationEnded(): void {
    this.cut();
  }

  /** Resolves when everything handed over so far is delivered, or spooled (with a warning). */
  async flush(): Promise<void> {
    this.cut();
    if (this.spool.waiting().length) this.enqueue(() => this.drainSpool());
    await this.chain;
    const waiting = this.spool.waiting().length;
    this.stats.waitingOnDisk = waiting;
    if (waiting) {
      this.opts.log(`agent: ${waiting} batch(es) could not be delivered yet and wait in ${this.spool.dir}; they are retried and sent at the next start`);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }

  getStats(): AgentStats {
    return { ...this.stats, waitingOnDisk: this.spool.waiting().length };
  }

  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cut();
    }, this.opts.maxDelayMs);
    this.timer.unref();
  }

  /** Close the current batch and queue it for delivery. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const kernelDrops = Object.keys(this.kernelDrops).length > 0;
    if (this.lines.length === 0 && this.changed.size === 0 && this.kernelEvents.length === 0 && !kernelDrops && this.unplacedDrops === 0 && this.kernelCompleted.length === 0) return;
    const ids = new Set<string>(this.changed.keys());
    for (const l of this.lines) ids.add(l.container);
    for (const k of this.kernelEvents) ids.add(k.container);
    const containers = [...ids].map((id) => this.changed.get(id) ?? this.known.get(id)).filter((c): c is ContainerInfo => !!c);
    const batch: Batch = { v: BATCH_VERSION, invoker: this.opts.invoker, batch: this.nextBatch++, containers, lines: this.lines };
    if (this.kernelEvents.length) batch.kernel = this.kernelEvents;
    if (kernelDrops) batch.kernelDrops = this.kernelDrops;
    if (this.unplacedDrops) batch.drops = this.unplacedDrops;
    if (this.kernelCapture || this.kernelCompleted.length) batch.kernelComplete = this.kernelCompleted;
    this.kernelCompleted = [];
    this.kernelEvents = [];
    this.kernelDrops = {};
    this.unplacedDrops = 0;
    // remember the number before the batch leaves, so a crash can never make us reuse it
    this.spool.rememberNext(this.nextBatch);
    this.lines = [];
    this.changed.clear();
    this.stats.batches++;
    // forget stopped containers once they have been announced
    for (const c of containers) if (c.stopped !== undefined) this.known.delete(c.container);
    this.enqueue(() => this.deliver(batch));
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step, step);
  }

  private async send(batch: Batch): Promise<boolean> {
    try {
      await this.opts.sink(batch);
      this.stats.delivered++;
      return true;
    } catch (err) {
      this.opts.log(`agent: delivering batch ${batch.invoker}#${batch.batch} failed (${(err as Error)?.message ?? err}); spooled for retry`);
      return false;
    }
  }

  private async deliver(batch: Batch): Promise<void> {
    // anything already on disk goes first: this batch waits behind it
    if (this.spool.waiting().length === 0 && (await this.send(batch))) return this.opts.onSettled(batch);
    this.spool.save(batch);
    this.stats.spooled++;
    this.opts.onSettled(batch);
    this.scheduleRetry();
  }

  /** Send spooled batches in order; stop at the first failure and try again later. */
  private async drainSpool(): Promise<void> {
    for (const n of this.spool.waiting()) {
      const batch = this.spool.load(n);
      let ok: boolean;
      try {
        await this.opts.sink(batch);
        ok = true;
        this.stats.delivered++;
      } catch {
        ok = false;
      }
      if (!ok) {
        this.scheduleRetry();
        return;
      }
      this.spool.remove(n);
    }
    this.retryDelay = this.opts.retryInitialMs;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.opts.retryMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.enqueue(() => this.drainSpool());
    }, delay);
    this.retryTimer.unref();
  }
}
