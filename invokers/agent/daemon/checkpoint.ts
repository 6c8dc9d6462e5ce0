// How far the node agent has read each container's log, counting only lines that are in a batch
// that can no longer be lost (delivered or spooled): after a crash, reading resumes there, so no
// line is skipped and none is given a second number (a line read again is resent under the same
// number, which the correlator stores once). Kept as <stateDir>/log-positions.json, replaced
// atomically.
//
// Saved at most every SAVE_DELAY_MS, off the event loop, not once per batch: a batch is cut at every
// activation's end, and replacing a file by rename costs about a millisecond here (ext4 writes the
// new file's data out before such a rename), which every request waited for when it ran on the
// embedded platform's loop. A position saved late only makes a restarted agent read a few lines
// again, which the correlator stores once; nothing is skipped, since a saved position never passes
// a line that is not delivered or spooled. flush() and close() save what is pending.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Batch } from '../../../protocol/batch';
import type { TailPosition } from '../logs/json-file-tail';
import type { LogFormat } from '../logs/log-format';

export interface LogCheckpointEntry extends TailPosition {
  /** the engine's container id (full) */
  id: string;
  logPath: string;
  /** the log's format (absent: json-file) */
  format?: LogFormat;
}

/** how long settled positions may wait before they are saved */
export const SAVE_DELAY_MS = 250;

export class LogCheckpoint {
  private readonly file: string;
  /** positions changed since the last save */
  private dirty = false;
  private timer?: NodeJS.Timeout;
  /** the save in progress (one at a time, so that an older state never replaces a newer one) */
  private saving: Promise<void> = Promise.resolve();
  private saveFailed = false;
  private readonly entries: Record<string, LogCheckpointEntry>;
  /** positions after lines handed to the agent, by container key, stream and number */
  private readonly inFlight = new Map<string, LogCheckpointEntry>();

  constructor(stateDir: string, private readonly log: (line: string) => void) {
    fs.mkdirSync(stateDir, { recursive: true });
    this.file = path.join(stateDir, 'log-positions.json');
    this.entries = {};
    try {
      Object.assign(this.entries, JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, LogCheckpointEntry>);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log(`agent: ${this.file} is unreadable (${(err as Error).message}); container logs are read from their start (lines already sent are stored once)`);
      }
    }
  }

  /** Where to resume a container's log (undefined: from its start). */
  get(key: string): LogCheckpointEntry | undefined {
    return this.entries[key];
  }

  /** Containers with a position, e.g. to finish those that stopped while the agent was down. */
  keys(): string[] {
    return Object.keys(this.entries);
  }

  /** A line of `key` was handed to the agent; `at` is where reading resumes after it. */
  handed(key: string, stream: string, seq: number, at: LogCheckpointEntry): void {
    this.inFlight.set(`${key}\0${stream}\0${seq}`, at);
  }

  /** The batch is delivered or spooled: its lines' positions become the resume points. */
  settled(batch: Batch): void {
    let changed = false;
    for (const l of batch.lines) {
      const k = `${l.container}\0${l.stream}\0${l.seq}`;
      const at = this.inFlight.get(k);
      if (!at) continue;
      this.inFlight.delete(k);
      // batches settle in order, and lines within them: the last one seen is the furthest point
      this.entries[l.container] = at;
      changed = true;
    }
    if (changed) this.later();
  }

  /** The container's log is finished and every line of it settled: forget it. */
  forget(key: string): void {
    if (!(key in this.entries)) return;
    delete this.entries[key];
    this.later();
  }

  /** Resolves once every position changed before the call is on disk. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.save();
    await this.saving;
  }

  /** Saves what is pending now, synchronously (when the agent stops). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.entries));
      fs.renameSync(tmp, this.file);
    } catch (err) {
      this.failed(err);
    }
  }

  private later(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, SAVE_DELAY_MS);
    this.timer.unref();
  }

  private save(): void {
    this.dirty = false;
    const text = JSON.stringify(this.entries);
    this.saving = this.saving.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      try {
        await fs.promises.writeFile(tmp, text);
        await fs.promises.rename(tmp, this.file);
        this.saveFailed = false;
      } catch (err) {
        this.failed(err);
      }
    });
  }

  private failed(err: unknown): void {
    // batches still go out; only a restart would read more of each log again than it needs to
    if (!this.saveFailed) this.log(`agent: cannot save log positions to ${this.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); a restart reads logs again from older positions (lines already sent are stored once)`);
    this.saveFailed = true;
  }
}
