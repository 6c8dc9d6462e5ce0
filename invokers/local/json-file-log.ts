// Docker's json-file log format, read the way OpenWhisk's invoker reads it (pure; no I/O): one
// JSON object per line, `{"log":"text\n","stream":"stdout","time":"<RFC3339Nano>"}`. The engine
// splits a long line into several entries and only the last one ends with "\n", so pieces are
// joined per stream until their newline.
import { cutMarker, utf8Boundary } from '../agent/line-limit';

export interface JsonFileEntry {
  stream: 'stdout' | 'stderr';
  /** ms since the epoch (with the sub-millisecond part the engine wrote) */
  time: number;
  log: string;
}

/** One line of the file, or undefined when it is not a log entry (a torn last line, garbage). */
export function parseJsonFileLine(text: string): JsonFileEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { log, stream, time } = v as Record<string, unknown>;
  if (typeof log !== 'string' || (stream !== 'stdout' && stream !== 'stderr') || typeof time !== 'string') return undefined;
  return { stream, time: rfc3339NanoToMs(time), log };
}

/** `2026-12-03T06:30:01.123456789Z` → ms since the epoch, keeping the microseconds as a fraction. */
export function rfc3339NanoToMs(time: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return Date.parse(time);
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const fraction = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + fraction;
}

export interface JsonFileLine {
  stream: 'stdout' | 'stderr';
  /** time of the line's first piece */
  time: number;
  text: string;
}

/** Joins the engine's pieces into whole lines per stream, keeping at most `maxLineBytes` of each. */
export class JsonFileLineAssembler {
  private readonly pending: Record<'stdout' | 'stderr', { time: number; parts: string[]; bytes: number; dropped: number } | undefined> = {
    stdout: undefined,
    stderr: undefined,
  };

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: JsonFileLine) => void,
  ) {}

  push(entry: JsonFileEntry): void {
    const ends = entry.log.endsWith('\n');
    const piece = ends ? entry.log.slice(0, -1) : entry.log;
    const p = (this.pending[entry.stream] ??= { time: entry.time, parts: [], bytes: 0, dropped: 0 });
    const size = Buffer.byteLength(piece);
    const room = this.maxLineBytes - p.bytes;
    if (size <= room) {
      p.parts.push(piece);
      p.bytes += size;
    } else {
      const buf = Buffer.from(piece);
      const keep = utf8Boundary(buf, Math.max(room, 0));
      p.parts.push(buf.subarray(0, keep).toString('utf8'));
      p.bytes += keep;
      p.dropped += size - keep;
    }
    if (ends) this.emit(entry.stream);
  }

  /** The log ended (the container is gone): a last line without its newline is still a line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) if (this.pending[stream]) this.emit(stream);
  }

  private emit(stream: 'stdout' | 'stderr'): void {
    const p = this.pending[stream]!;
    this.pending[stream] = undefined;
    let text = p.parts.join('');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.onLine({ stream, time: p.time, text: p.dropped > 0 ? text + cutMarker(p.dropped) : text });
  }
}
