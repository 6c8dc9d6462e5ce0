// Puts the ids in front of every line user code prints (console.* and direct
// process.stdout/stderr.write), and escapes user lines that start like a record.
// The console methods format and prefix the message themselves (so this works even where
// console does not write through process.stdout, e.g. under a test runner); the stream
// patch then lets their output through untouched, guarded by `inConsole`.

import { formatWithOptions } from 'node:util';
import { currentActivation, isInternal, safely } from '../context';
import { flushDeferredRecords, noteSentinelWrite, streamState, takeDeferredText } from '../emit';
import { logIdPrefix, rewriteChunk, rewriteString, rewriteText } from '../lines';
import { patchMethod } from '../patcher';
import { RECORD_PREFIX } from '../../protocol/wrapper-records';
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';

let inConsole = 0;

type ConsoleMethod = (...args: unknown[]) => void;

function currentPrefix(): string | null {
  const ctx = currentActivation();
  return ctx ? (ctx.logPrefix ??= logIdPrefix(ctx.r, ctx.a)) : null;
}

/** Whether a chunk about to be written ends with a newline (an empty chunk leaves the state as it was). */
function endsLine(chunk: string | Uint8Array, before: boolean): boolean {
  if (chunk.length === 0) return before;
  return typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) === 0x0a : chunk[chunk.length - 1] === 0x0a;
}

function patchStream(stream: NodeJS.WriteStream): void {
  const state = streamState(stream);
  patchMethod(stream, 'write', (original: (...args: any[]) => boolean) =>
    function patchedWrite(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      if (isInternal() || this !== stream) return original.call(this, chunk, ...rest);
      const isText = typeof chunk === 'string';
      if (isText && stream === process.stdout && (chunk as string).startsWith(ACTIVATION_SENTINEL)) noteSentinelWrite();
      // Records held back go out before any user output, so that each record stays between the
      // same log lines (the execution unit it belongs to) as when it was made: in the same write
      // as the user's text when that is text of the stream's own encoding, else just before it.
      const plainText = isText && (typeof rest[0] !== 'string' || rest[0] === 'utf8' || rest[0] === 'utf-8');
      const held = plainText && stream === process.stdout ? takeDeferredText(state) : (flushDeferredRecords(), '');
      if (!isText && !(chunk instanceof Uint8Array)) return original.call(this, chunk, ...rest);
      if (inConsole > 0) {
        // Already prefixed by the console patch: only follow where the line ends.
        state.atLineStart = endsLine(chunk as string | Uint8Array, state.atLineStart);
        return original.call(this, held === '' ? chunk : held + (chunk as string), ...rest);
      }
      let out: unknown = chunk;
      let args = rest;
      safely('stream write', () => {
        const encoding = isText && typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
        const prefix = currentPrefix();
        if (isText && (encoding === 'utf8' || encoding === 'utf-8')) {
          // text in the stream's own encoding is rewritten as text, never copied into a Buffer
          const result = rewriteString(chunk as string, state.atLineStart, prefix);
          state.atLineStart = result.atLineStart;
          out = result.out;
          return;
        }
        const buf = isText ? Buffer.from(chunk as string, Buffer.isEncoding(encoding) ? encoding : 'utf8') : Buffer.from(chunk as Uint8Array);
        const result = rewriteChunk(buf, state.atLineStart, prefix === null ? null : Buffer.from(prefix, 'utf8'));
        state.atLineStart = result.atLineStart;
        if (result.out !== buf || isText) {
          out = result.out;
          // An encoding argument no longer applies to the Buffer we pass on.
          if (isText && typeof rest[0] === 'string') args = rest.slice(1);
        }
      });
      // `held` is only ever taken for text, and text stays text (rewritten or, if that failed, as it came)
      return original.call(this, held === '' ? out : held + (out as string), ...args);
    },
  );
}

function patchConsoleMethod(name: 'log' | 'info' | 'warn' | 'error' | 'debug'): void {
  patchMethod(console, name, (original: ConsoleMethod) =>
    function patchedConsole(this: unknown, ...args: unknown[]): void {
      if (isInternal() || inConsole > 0) return original.apply(this, args);
      let text: string | undefined;
      safely(`console.${name}`, () => {
        const prefix = currentPrefix();
        // Outside an activation, format only when the output could look like a record.
        if (prefix === null && !args.some((a) => typeof a === 'string' && a.includes(RECORD_PREFIX))) return;
        text = rewriteText(formatWithOptions({ colors: false }, ...args), prefix);
      });
      inConsole += 1;
      try {
        if (text === undefined) return original.apply(this, args);
        return original.call(this, '%s', text);
      } finally {
        inConsole -= 1;
      }
    },
  );
}

/** console.trace prints "Trace: msg" and a stack to stderr; rebuild that text and prefix every line. */
function patchConsoleTrace(): void {
  const error = console.error;
  patchMethod(console, 'trace', (original: ConsoleMethod) =>
    function patchedTrace(this: unknown, ...args: unknown[]): void {
      if (isInternal() || inConsole > 0) return original.apply(this, args);
      let text: string | undefined;
      safely('console.trace', () => {
        const prefix = currentPrefix();
        if (prefix === null) return;
        const holder = { name: 'Trace', message: formatWithOptions({ colors: false }, ...args) } as { name: string; message: string; stack?: string };
        Error.captureStackTrace(holder, patchedTrace);
        text = rewriteText(holder.stack ?? `Trace: ${holder.message}`, prefix);
      });
      inConsole += 1;
      try {
        if (text === undefined) return original.apply(this, args);
        return error.call(console, '%s', text);
      } finally {
        inConsole -= 1;
      }
    },
  );
}

export function installConsoleHooks(): void {
  // Capture the streams' original writes before anything patches them.
  streamState(process.stdout);
  streamState(process.stderr);
  patchStream(process.stdout);
  patchStream(process.stderr);
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) patchConsoleMethod(name);
  patchConsoleTrace();
}
