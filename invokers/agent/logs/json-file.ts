// Reads Docker's json-file log (pure; the format itself is `protocol/docker-json-file.ts`), or a
// CRI log (`protocol/cri-log.ts`, given its decoder): a line of output longer than the engine's
// buffer (16 KiB in both) arrives as several entries, all but the last without the trailing "\n". The assembler joins those pieces back into the container's lines, per stream, and
// says after each line where a reader that stops there could resume (file offset and the per-stream
// line counts), so that resuming re-reads nothing already counted and skips nothing.

import { decodeJsonFileLine, type JsonFileStream } from '../../../protocol/docker-json-file';
import type { LogLineDecoder } from './log-format';

export type StreamName = JsonFileStream;

/** Where reading may resume: just after a complete line, with the line counts up to there. */
export interface ResumePoint {
  offset: number;
  seq: Record<StreamName, number>;
}

export interface AssembledLine {
  stream: StreamName;
  line: string;
  time: number;
  /** this line's number in its stream (0-based) */
  seq: number;
  /** the latest point at or before the end of this line where a reader may resume */
  resume: ResumePoint;
}

export interface AssemblerCounters {
  /** file lines that were not json-file entries (skipped) */
  malformed: number;
}

export class JsonFileAssembler {
  private readonly partial: Record<StreamName, { text: string; time: number } | undefined> = { stdout: undefined, stderr: undefined };
  private readonly seq: Record<StreamName, number>;
  private resumeAt: ResumePoint;
  readonly counters: AssemblerCounters = { malformed: 0 };

  constructor(
    from: ResumePoint = { offset: 0, seq: { stdout: 0, stderr: 0 } },
    private readonly decode: LogLineDecoder = decodeJsonFileLine,
  ) {
    this.seq = { ...from.seq };
    this.resumeAt = { offset: from.offset, seq: { ...from.seq } };
  }

  /** One whole line of the file, which ends at byte `endOffset`; returns the line it completes, if any. */
  push(fileLine: string, endOffset: number): AssembledLine | undefined {
    const e = this.decode(fileLine);
    if (!e) {
      this.counters.malformed++;
      this.advance(endOffset);
      return undefined;
    }
    const before = this.partial[e.stream];
    if (!e.log.endsWith('\n')) {
      this.partial[e.stream] = { text: (before?.text ?? '') + e.log, time: before?.time ?? e.time };
      return undefined;
    }
    this.partial[e.stream] = undefined;
    const line = (before?.text ?? '') + e.log.slice(0, -1);
    const seq = this.seq[e.stream]++;
    this.advance(endOffset);
    return { stream: e.stream, line, time: before?.time ?? e.time, seq, resume: { offset: this.resumeAt.offset, seq: { ...this.resumeAt.seq } } };
  }

  /** The container is gone: a last piece without its "\n" is a line too. */
  flush(endOffset: number): AssembledLine[] {
    const out: AssembledLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.partial[stream];
      if (!p) continue;
      this.partial[stream] = undefined;
      out.push({ stream, line: p.text, time: p.time, seq: this.seq[stream]++, resume: { offset: 0, seq: { stdout: 0, stderr: 0 } } });
    }
    this.advance(endOffset);
    for (const l of out) l.resume = { offset: this.resumeAt.offset, seq: { ...this.resumeAt.seq } };
    return out;
  }

  /** The file was truncated or replaced: reading starts again at 0, line numbers go on. */
  restartFile(): void {
    this.partial.stdout = undefined;
    this.partial.stderr = undefined;
    this.resumeAt = { offset: 0, seq: { ...this.seq } };
  }

  resumePoint(): ResumePoint {
    return { offset: this.resumeAt.offset, seq: { ...this.resumeAt.seq } };
  }

  /** Resuming here is safe only while no stream holds a piece of an unfinished line. */
  private advance(endOffset: number): void {
    if (this.partial.stdout || this.partial.stderr) return;
    this.resumeAt = { offset: endOffset, seq: { ...this.seq } };
  }
}
