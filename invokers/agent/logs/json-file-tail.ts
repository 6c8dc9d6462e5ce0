// Follows one container's log file, json-file or CRI format (side effects): reads what was appended, every pollMs,
// and hands each assembled line on with where reading could resume. Tolerates what log rotation
// does to the file: renamed away and replaced (Docker's max-size rotation, and the kubelet's, which
// renames <n>.log to <n>.log.<time> and starts a new <n>.log: the old file is read to its end through
// the open descriptor, then the new one from 0) or truncated in place (copytruncate:
// read again from 0). Each is counted and said in one line.
import * as fs from 'node:fs';
import { JsonFileAssembler, type AssembledLine, type ResumePoint } from './json-file';
import { decoderOf, type LogFormat } from './log-format';

export interface TailPosition extends ResumePoint {
  /** inode of the file the offset is in */
  ino: number;
}

export interface TailEvents {
  line(line: AssembledLine, at: TailPosition): void;
  rotated(what: 'replaced' | 'truncated'): void;
  log(line: string): void;
}

const CHUNK = 1 << 20;

export class JsonFileTail {
  private fd?: number;
  private ino = 0;
  private pos = 0;
  private rest = Buffer.alloc(0);
  private readonly asm: JsonFileAssembler;
  private timer?: NodeJS.Timeout;
  private missingSaid = false;
  private stopped = false;

  constructor(
    readonly path: string,
    private readonly events: TailEvents,
    from?: TailPosition,
    private readonly pollMs = 200,
    format: LogFormat = 'json-file',
  ) {
    this.asm = new JsonFileAssembler(from, decoderOf(format));
    if (from) {
      this.ino = from.ino;
      this.pos = from.offset;
    }
  }

  start(): void {
    this.readNow();
    this.timer = setInterval(() => this.readNow(), this.pollMs);
  }

  /** Read what is there now; with final, also the last unterminated piece, and stop. */
  readNow(final = false): void {
    if (this.stopped) return;
    try {
      this.readAvailable();
    } catch (err) {
      this.events.log(`logs: reading ${this.path} failed (${(err as Error).message}); retrying`);
    }
    if (final) {
      for (const l of this.asm.flush(this.pos)) this.events.line(l, { ...l.resume, ino: this.ino });
      this.stop();
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private readAvailable(): void {
    if (this.fd === undefined && !this.open()) return;
    // replaced (rotated away)? finish the old file first, through the descriptor we hold
    let current: fs.Stats | undefined;
    try {
      current = fs.statSync(this.path);
    } catch {
      current = undefined;
    }
    this.drain();
    if (current && current.ino !== this.ino) {
      fs.closeSync(this.fd!);
      this.fd = undefined;
      this.events.rotated('replaced');
      this.restart();
      if (this.open()) this.drain();
      return;
    }
    const size = fs.fstatSync(this.fd!).size;
    if (size < this.pos) {
      this.events.rotated('truncated');
      this.restart();
      this.drain();
    }
  }

  private restart(): void {
    this.pos = 0;
    this.rest = Buffer.alloc(0);
    this.asm.restartFile();
  }

  private open(): boolean {
    try {
      this.fd = fs.openSync(this.path, 'r');
    } catch (err) {
      if (!this.missingSaid) this.events.log(`logs: cannot open ${this.path} (${(err as NodeJS.ErrnoException).code}); waiting for it`);
      this.missingSaid = true;
      return false;
    }
    const ino = fs.fstatSync(this.fd).ino;
    if (this.ino !== 0 && ino !== this.ino) {
      // a checkpoint of a file that is no longer there (rotated while we were down): start at 0
      this.restart();
    }
    this.ino = ino;
    return true;
  }

  private drain(): void {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = fs.readSync(this.fd!, buf, 0, CHUNK, this.pos + this.rest.length);
      if (n <= 0) return;
      let data = Buffer.concat([this.rest, buf.subarray(0, n)]);
      let base = this.pos;
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        const text = data.subarray(0, nl).toString('utf8');
        base += nl + 1;
        data = data.subarray(nl + 1);
        const l = this.asm.push(text, base);
        if (l) this.events.line(l, { ...l.resume, ino: this.ino });
      }
      this.pos = base;
      this.rest = Buffer.from(data);
    }
  }
}
