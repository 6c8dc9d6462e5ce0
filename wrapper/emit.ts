// Writes records to stdout through the ORIGINAL stdout write (captured before the console
// patch), one line each, signed, sequenced and capped. Nothing here throws into user code.

import type { ProvRecord, RecordType } from '../protocol/wrapper-records';
import { encodeRecord, fitsRecordLimit, recordLine } from './records';
import { activationTracking, noteHookFailure, runInternalSync, type ActivationContext } from './context';

type WriteFn = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

export interface StreamState {
  /** the write function in place before the wrapper patched the stream */
  write: WriteFn;
  /** whether the last byte written to this stream was a newline (or nothing was written yet) */
  atLineStart: boolean;
}

const STATE_KEY = Symbol.for('serverless-provenance.wrapper.streams');
const g = globalThis as unknown as Record<symbol, Map<NodeJS.WriteStream, StreamState> | undefined>;
const streams: Map<NodeJS.WriteStream, StreamState> = (g[STATE_KEY] ??= new Map());

/** The stream's bookkeeping; the first call captures the stream's current write as the original. */
export function streamState(stream: NodeJS.WriteStream): StreamState {
  let s = streams.get(stream);
  if (!s) {
    s = { write: stream.write as WriteFn, atLineStart: true };
    streams.set(stream, s);
  }
  return s;
}

/** Forgets captured originals (after the wrapper is uninstalled, the next install captures afresh). */
export function resetStreamStates(): void {
  flushDeferredRecords();
  streams.clear();
  deferred.endRidesSentinel = false;
}

/** Fields of a record besides the ones the emitter fills in (t, a, r, ts, s, m). */
export type RecordFields<T extends RecordType> = Omit<Extract<ProvRecord, { t: T }>, 't' | 'a' | 'r' | 'ts' | 's' | 'm'>;

/**
 * Records other than begin and end wait here, at most DEFER_MS, and go out in the same write as
 * the next record that cannot wait (normally the activation's end): one write(2) per activation
 * end instead of one per record, for the action and for whoever reads its stdout. Begin and end
 * are written at once because they mark the activation's boundaries in the stream (and, with
 * kernel capture, among its system calls); the records in between carry their own sequence
 * numbers and times, so their exact position in the stream says nothing more. Shared on
 * globalThis so that two copies of the wrapper keep one order.
 */
interface Deferred {
  lines: string[];
  timer?: NodeJS.Timeout;
  exitHook: boolean;
  /**
   * The runtime writes the end-of-activation sentinel on stdout right after each activation (seen
   * once): from then on the end record waits for it too and goes out in the sentinel's own write,
   * still before it in the stream. One write(2) fewer per activation, for the action and for
   * whoever reads its stdout; with kernel capture the end marker is then in the sentinel's write,
   * after every other system call of the activation, as before.
   */
  endRidesSentinel?: boolean;
}
const DEFER_MS = 20;
const DEFERRED_KEY = Symbol.for('serverless-provenance.wrapper.deferred');
const gd = globalThis as unknown as Record<symbol, Deferred | undefined>;
const deferred: Deferred = (gd[DEFERRED_KEY] ??= { lines: [], exitHook: false });

/**
 * The JSON text of a record: the same text as JSON.stringify({ t, a, r, ts, s, ...fields }) (same
 * keys, same order), built from the activation's ids serialised once (`idsJson`: `,"a":…,"r":…`)
 * and the fields alone, instead of copying every record into a new object to serialise it whole.
 */
export function recordText(t: RecordType, idsJson: string, ts: number, s: number, fields: object): string {
  const body = JSON.stringify(fields);
  return `{"t":"${t}"${idsJson},"ts":${JSON.stringify(ts)},"s":${s}${body.length > 2 ? `,${body.slice(1)}` : '}'}`;
}

/** `,"a":…,"r":…` for recordText. */
export function idsJsonOf(a: string, r: string): string {
  return `,"a":${JSON.stringify(a)},"r":${JSON.stringify(r)}`;
}

/** Encodes and writes one record of the activation. Returns false if it was not written. */
export function emitRecord<T extends RecordType>(ctx: ActivationContext, t: T, fields: RecordFields<T>): boolean {
  if (ctx.ended) {
    ctx.dropped += 1;
    return false;
  }
  try {
    const ts = Date.now();
    const json = recordText(t, (ctx.idsJson ??= idsJsonOf(ctx.a, ctx.r)), ts, ctx.seq, fields);
    // a record over the limit (long paths, many keys) is shrunk by the encoder; the rest are written as built
    const line = fitsRecordLimit(json) ? recordLine(json, t, ctx.key) : encodeRecord({ t, a: ctx.a, r: ctx.r, ts, s: ctx.seq, ...fields } as unknown as ProvRecord, ctx.key);
    ctx.seq += 1;
    if (t === 'begin' || (t === 'end' && !(deferred.endRidesSentinel && activationTracking() === 'one at a time'))) writeLines(line);
    else defer(line);
    return true;
  } catch (e) {
    noteHookFailure(`emit ${t}`, e);
    return false;
  }
}

function defer(line: string): void {
  deferred.lines.push(line);
  if (!deferred.exitHook) {
    // a process that exits normally (process.exit in a handler) still writes what waits
    deferred.exitHook = true;
    process.once('exit', flushDeferredRecords);
  }
  if (!deferred.timer) {
    deferred.timer = setTimeout(flushDeferredRecords, DEFER_MS);
    deferred.timer.unref();
  }
}

/**
 * The runtime wrote its end-of-activation sentinel on stdout (the stream patch saw it): later end
 * records wait for the next one. A runtime that writes none never sets this, and end records are
 * written at once, as begin records are.
 */
export function noteSentinelWrite(): void {
  deferred.endRidesSentinel = true;
}

/** Writes the records that wait, now (at most DEFER_MS after the first of them, or at uninstall). */
export function flushDeferredRecords(): void {
  if (deferred.lines.length > 0) writeLines('');
}

/**
 * Takes the records that wait, as text to put in front of the user's next write to stdout, so
 * that they go out in that same write (one write(2) instead of two); '' when none wait. The text
 * starts a new line if user output left one open, and ends with one: `state.atLineStart` is true after.
 */
export function takeDeferredText(state: StreamState): string {
  if (deferred.lines.length === 0) return '';
  const text = takeLines('');
  const out = state.atLineStart ? text : `\n${text}`;
  state.atLineStart = true;
  return out;
}

/** What waits, then `line`, as one text; nothing waits after. */
function takeLines(line: string): string {
  let text = line;
  if (deferred.lines.length > 0) {
    text = deferred.lines.join('') + line;
    deferred.lines.length = 0;
  }
  if (deferred.timer) {
    clearTimeout(deferred.timer);
    deferred.timer = undefined;
  }
  return text;
}

/** Writes what waits, then `line`, in one write to stdout, starting a new line first if user output left one open. */
function writeLines(line: string): void {
  const text = takeLines(line);
  const out = streamState(process.stdout);
  runInternalSync(() => out.write.call(process.stdout, out.atLineStart ? text : `\n${text}`));
  out.atLineStart = true;
}
