// The agent of one invoker: collects every line the invoker's containers write, cuts them into
// numbered batches (at each activation end, after N lines or T ms) and delivers them to the sink in
// order. A batch the sink refuses is spooled to disk and retried with backoff; while anything is
// spooled, newer batches queue behind it on disk, so order is kept and nothing is lost.
import { BATCH_VERSION, type Batch, type ContainerInfo, type KernelEventLite, type LostBatch, type StreamLine } from '../../protocol/batch';
import { BatchTooLargeError, DEFAULT_MAX_BATCH_BYTES, jsonBytes, splitBatch } from './batch-size';
import { cutMarker, DEFAULT_MAX_LINE_BYTES, limitLine } from './line-limit';
import { describeLost, lostLine } from './lost-batch';
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
  /**
   * cut a batch before its lines and kernel events pass this many bytes of JSON (default 512 KiB):
   * a deployed correlator action takes at most 1 MB of parameters. A line is never split (one line
   * is at most maxLineBytes); a batch the sink still refuses as too large is split in two.
   */
  maxBatchBytes?: number;
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
  /** lines over the limit, cut (the head kept with a marker) */
  linesCut?: number;
  /** batches neither delivered nor spooled (the spool's disk full): announced to the correlator */
  lost?: number;
}

export class Agent {
  private readonly spool: Spool;
  private nextBatch: number;
  private lines: StreamLine[] = [];
  /** JSON bytes of the lines and kernel events of the next batch so far */
  private pendingBytes = 0;
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
  private readonly stats: AgentStats = { batches: 0, delivered: 0, spooled: 0, waitingOnDisk: 0, linesCut: 0, lost: 0 };
  /** batches lost, told to the correlator with every batch until one is delivered */
  private lostNotes: LostBatch[] = [];
  private readonly opts: Required<Omit<AgentOptions, 'log' | 'onSettled'>> & { log: (line: string) => void; onSettled: (batch: Batch) => void };

  private constructor(options: AgentOptions) {
    this.opts = {
      maxLines: 500,
      maxKernelEvents: 5_000,
      maxDelayMs: 1_000,
      maxBatchBytes: DEFAULT_MAX_BATCH_BYTES,
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
    const limited = limitLine(line.line, this.opts.maxLineBytes);
    let entry = line;
    if (limited !== line.line) {
      // never silently: the line says how much was cut, and the correlator warns on its request
      entry = { ...line, line: limited, cut: Buffer.byteLength(line.line) - Buffer.byteLength(limited) + cutMarkerBytes(limited) };
      this.stats.linesCut = (this.stats.linesCut ?? 0) + 1;
    }
    this.makeRoom(jsonBytes(entry));
    this.lines.push(entry);
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
    for (const e of events) {
      this.makeRoom(jsonBytes(e));
      this.kernelEvents.push(e);
    }
    // after every event: a batch cut in between must not say these activations are complete yet
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

  /** Cuts the batch first when `bytes` more would take it over its byte budget. */
  private makeRoom(bytes: number): void {
    if (this.pendingBytes + bytes > this.opts.maxBatchBytes && (this.lines.length || this.kernelEvents.length)) this.cut();
    this.pendingBytes += bytes;
  }

  /** Close the current batch and queue it for delivery. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingBytes = 0;
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
    if (this.lostNotes.length) batch.lost = [...this.lostNotes];
    this.kernelCompleted = [];
    this.kernelEvents = [];
    this.kernelDrops = {};
    this.unplacedDrops = 0;
    // remember the number before the batch leaves, so a crash can never make us reuse it
    try {
      this.spool.rememberNext(this.nextBatch);
    } catch (err) {
      // the batch still goes out; only a restart could reuse its number (the disk is full or gone)
      this.opts.log(`agent: cannot remember the next batch number in ${this.spool.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); free space there`);
    }
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

  /**
   * Sends the parts in order; a part the sink refuses as too large is split in two, with new
   * numbers, in its place. Returns the parts still to send (from the first that failed), none when
   * all were delivered.
   */
  private async sendParts(parts: readonly Batch[], quiet = false): Promise<Batch[]> {
    const queue = [...parts];
    while (queue.length) {
      const batch = queue[0]!;
      try {
        await this.opts.sink(batch);
        this.stats.delivered++;
        this.announced(batch);
        queue.shift();
      } catch (err) {
        if (!(err instanceof BatchTooLargeError)) {
          if (!quiet) this.opts.log(`agent: delivering batch ${batch.invoker}#${batch.batch} failed (${(err as Error)?.message ?? err}); spooled for retry`);
          return queue;
        }
        const halves = splitBatch(batch, () => this.reserveNumber());
        if (halves) {
          this.opts.log(`agent: batch ${batch.invoker}#${batch.batch} is too large for the correlator (${err.message}); sent in two, as #${halves[0].batch} and #${halves[1].batch}`);
          queue.splice(0, 1, ...halves);
          continue;
        }
        // one line or event and still too large (limits set above the receiver's): it would be refused forever
        const lost = describeLost(batch, `too large for the correlator even alone (${err.message})`);
        this.lostNotes.push(lost);
        this.stats.lost = (this.stats.lost ?? 0) + 1;
        this.opts.log(`agent: batch ${batch.invoker}#${batch.batch} (${lost.lines} line(s), ${lost.kernelEvents} kernel event(s)) is LOST: the correlator refuses it as too large (${err.message}) and it cannot be split further; lower the agent's line limit below the correlator's — the next delivered batch marks the affected requests`);
        queue.shift();
      }
    }
    return [];
  }

  /** A batch number never used before (split halves): remembered like a cut batch's. */
  private reserveNumber(): number {
    const n = this.nextBatch++;
    try {
      this.spool.rememberNext(this.nextBatch);
    } catch (err) {
      this.opts.log(`agent: cannot remember the next batch number in ${this.spool.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); free space there`);
    }
    return n;
  }

  private async deliver(batch: Batch): Promise<void> {
    // anything already on disk goes first: this batch waits behind it
    let left: Batch[] = [batch];
    if (this.spool.waiting().length === 0) {
      left = await this.sendParts(left);
      if (left.length === 0) return this.opts.onSettled(batch);
    }
    try {
      // at the original's place: parts split off it carry newer numbers but keep its turn
      this.spool.saveParts(batch.batch, left);
    } catch (err) {
      // Neither delivered nor kept: counted, logged, and announced in the next delivered batch.
      const lost = describeLost(batch, spoolFailure(err));
      this.lostNotes.push(lost);
      this.stats.lost = (this.stats.lost ?? 0) + 1;
      this.opts.log(lostLine(lost, this.spool.dir));
      this.scheduleRetry();
      return;
    }
    this.stats.spooled++;
    this.opts.onSettled(batch);
    this.scheduleRetry();
  }

  /** Send spooled batches in order; stop at the first failure and try again later. */
  private async drainSpool(): Promise<void> {
    for (const n of this.spool.waiting()) {
      const parts = this.spool.loadParts(n);
      const left = await this.sendParts(parts, true);
      if (left.length) {
        // some parts went out (or a part was split): keep only what is left, in its place
        if (left.length !== parts.length || left[0] !== parts[0]) this.spool.saveParts(n, left);
        this.scheduleRetry();
        return;
      }
      this.spool.remove(n);
    }
    this.retryDelay = this.opts.retryInitialMs;
  }

  /** The lost batches this delivered batch announced need not be announced again. */
  private announced(batch: Batch): void {
    if (!batch.lost?.length) return;
    const told = new Set(batch.lost.map((l) => l.batch));
    this.lostNotes = this.lostNotes.filter((l) => !told.has(l.batch));
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

/** Bytes of the cut marker at the end of a cut line (the head kept is the line minus the marker). */
function cutMarkerBytes(limited: string): number {
  const marker = cutMarker(0);
  const at = limited.lastIndexOf(marker.slice(0, marker.indexOf('0')));
  return at < 0 ? 0 : Buffer.byteLength(limited.slice(at));
}

function spoolFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'spool disk full (ENOSPC)';
  return code ?? (err as Error)?.message ?? String(err);
}
