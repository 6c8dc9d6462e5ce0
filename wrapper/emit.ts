// Writes records to stdout through the ORIGINAL stdout write (captured before the console
// patch), one line each, signed, sequenced and capped. Nothing here throws into user code.

import type { ProvRecord, RecordType } from '../protocol/wrapper-records';
import { encodeRecord } from './records';
import { noteHookFailure, runInternal, type ActivationContext } from './context';

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
  streams.clear();
}

/** Fields of a record besides the ones the emitter fills in (t, a, r, ts, s, m). */
export type RecordFields<T extends RecordType> = Omit<Extract<ProvRecord, { t: T }>, 't' | 'a' | 'r' | 'ts' | 's' | 'm'>;

/** Encodes and writes one record of the activation. Returns false if it was not written. */
export function emitRecord<T extends RecordType>(ctx: ActivationContext, t: T, fields: RecordFields<T>): boolean {
  if (ctx.ended) {
    ctx.dropped += 1;
    return false;
  }
  try {
    const record = { t, a: ctx.a, r: ctx.r, ts: Date.now(), s: ctx.seq, ...fields } as unknown as ProvRecord;
    const line = encodeRecord(record, ctx.keyHex);
    ctx.seq += 1;
    writeLine(line);
    return true;
  } catch (e) {
    noteHookFailure(`emit ${t}`, e);
    return false;
  }
}

/** Writes a complete line to stdout, starting a new line first if user output left one open. */
function writeLine(line: string): void {
  const out = streamState(process.stdout);
  runInternal(() => {
    out.write.call(process.stdout, out.atLineStart ? line : `\n${line}`);
  });
  out.atLineStart = true;
}
