// Docker's json-file log, the file OpenWhisk's invoker tails (a wire format of Docker's; pure).
// Each line of the file is one JSON object `{"log":"text\n","stream":"stdout"|"stderr","time":RFC3339Nano}`;
// a line of output longer than the engine's 16 KiB buffer arrives as several objects, all but the
// last without the trailing "\n" (joining them is the reader's job: `invokers/agent/logs/json-file.ts`).

export type JsonFileStream = 'stdout' | 'stderr';

export interface JsonFileEntry {
  stream: JsonFileStream;
  /** the text, with its "\n" when it ends a line */
  log: string;
  /** ms since the epoch, with the sub-millisecond part the engine wrote as a fraction */
  time: number;
}

/** Decode one line of the file; undefined when it is not a json-file entry (a torn last line, garbage). */
export function decodeJsonFileLine(text: string): JsonFileEntry | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const { log, stream, time } = o as Record<string, unknown>;
  if (typeof log !== 'string' || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  const ms = typeof time === 'string' ? rfc3339NanoToMs(time) : NaN;
  // an entry without a readable time is still output: it happened about now
  return { stream, log, time: Number.isFinite(ms) ? ms : Date.now() };
}

/** `2026-12-03T06:30:01.123456789Z` → ms since the epoch, keeping the sub-millisecond order. */
export function rfc3339NanoToMs(time: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return Date.parse(time);
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const fraction = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + fraction;
}
