// Batches that could not be delivered wait on disk as <dir>/<invoker>-<batch>.json, and the next
// batch number of each invoker is remembered in <dir>/<invoker>.next, so numbers never repeat
// across restarts (batches are idempotent downstream by invoker + number). Numbers are reserved
// in blocks: the counter is written once per RESERVE batches, not on every batch (a synchronous
// write and rename in front of every activation's response), and a restart skips the rest of
// the block.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../../protocol/batch';

export function safeInvokerName(invoker: string): string {
  return invoker.replace(/[^\w.-]/g, '_');
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    // a full disk leaves a partial file: take it away so it does not hold the space
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Batch numbers reserved per write of the counter. */
const RESERVE = 256;

export class Spool {
  private readonly prefix: string;
  /** numbers below this are reserved on disk already */
  private reservedBelow = 0;

  constructor(
    readonly dir: string,
    invoker: string,
  ) {
    this.prefix = safeInvokerName(invoker);
    fs.mkdirSync(dir, { recursive: true });
  }

  /** batch numbers waiting on disk, in order */
  waiting(): number[] {
    const re = new RegExp(`^${this.prefix.replace(/[.]/g, '\\.')}-(\\d+)\\.json$`);
    return fs
      .readdirSync(this.dir)
      .map((f) => re.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  save(batch: Batch): string {
    return this.saveParts(batch.batch, [batch]);
  }

  /**
   * What is left of the batch spooled at `position`, when it was split (too large for the sink) and
   * some parts are still to send: kept at the original's place, so the order of delivery is kept
   * although the parts carry newer numbers.
   */
  saveParts(position: number, parts: readonly Batch[]): string {
    const file = this.fileOf(position);
    writeAtomically(file, JSON.stringify(parts.length === 1 ? parts[0] : parts));
    return file;
  }

  load(n: number): Batch {
    return this.loadParts(n)[0]!;
  }

  /** The batch spooled at `n`, or what is left of it when it was split: the parts in order. */
  loadParts(n: number): Batch[] {
    const file = this.fileOf(n);
    try {
      const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Batch | Batch[];
      return Array.isArray(value) ? value : [value];
    } catch (err) {
      throw new Error(`the spooled batch ${file} is unreadable (${(err as Error).message}): move it away to continue`);
    }
  }

  remove(n: number): void {
    fs.rmSync(this.fileOf(n), { force: true });
  }

  /** The next unused batch number: after both the remembered counter and anything spooled. */
  nextBatchNumber(): number {
    let next = 1;
    try {
      const n = Number(fs.readFileSync(this.counterFile(), 'utf8').trim());
      if (Number.isInteger(n) && n > 0) next = n;
    } catch {
      // first start
    }
    const waiting = this.waiting();
    if (waiting.length) next = Math.max(next, waiting[waiting.length - 1] + 1);
    return next;
  }

  /** `next` is the next number to be used: make sure a restart starts at or after it. */
  rememberNext(next: number): void {
    if (next <= this.reservedBelow) return;
    this.reservedBelow = next + RESERVE;
    writeAtomically(this.counterFile(), `${this.reservedBelow}\n`);
  }

  private fileOf(n: number): string {
    return path.join(this.dir, `${this.prefix}-${n}.json`);
  }

  private counterFile(): string {
    return path.join(this.dir, `${this.prefix}.next`);
  }
}
