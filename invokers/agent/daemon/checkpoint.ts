// How far the node agent has read each container's log, counting only lines that are in a batch
// that can no longer be lost (delivered or spooled): after a crash, reading resumes there, so no
// line is skipped and none is given a second number (a line read again is resent under the same
// number, which the correlator stores once). Kept as <stateDir>/log-positions.json, replaced
// atomically.
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

export class LogCheckpoint {
  private readonly file: string;
  private readonly entries: Record<string, LogCheckpointEntry>;
  /** positions after lines handed to the agent, by container key, stream and number */
  private readonly inFlight = new Map<string, LogCheckpointEntry>();

  constructor(stateDir: string, log: (line: string) => void) {
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
    if (changed) this.save();
  }

  /** The container's log is finished and every line of it settled: forget it. */
  forget(key: string): void {
    if (!(key in this.entries)) return;
    delete this.entries[key];
    this.save();
  }

  private save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.entries));
    fs.renameSync(tmp, this.file);
  }
}
