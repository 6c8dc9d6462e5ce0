// Pure line rewriting for user output: prefix every line started inside an activation with
// the ids, and neutralise any line that would start like a record.

import { LOG_ID_CLOSE, LOG_ID_OPEN, RECORD_PREFIX } from '../protocol/wrapper-records';

const NEWLINE = 0x0a;
const PREFIX_BYTES = Buffer.from(RECORD_PREFIX, 'utf8');
/** Put before a user line that starts like a record, so no JS output can pass for one. */
export const ESCAPE = Buffer.from('\\', 'utf8');
const ESCAPE_TEXT = '\\';

/** The text put before every user line written inside an activation. */
export function logIdPrefix(reqId: string, activationId: string): string {
  return `${LOG_ID_OPEN}${reqId} ${activationId}${LOG_ID_CLOSE} `;
}

/**
 * Does this line start (the bytes from a line start to the next newline or the chunk's end)
 * look like a record? A segment cut by the chunk's end counts if it could still become one.
 */
function looksLikeRecordStart(segment: Buffer, endsLine: boolean): boolean {
  if (segment.length >= PREFIX_BYTES.length) return segment.subarray(0, PREFIX_BYTES.length).equals(PREFIX_BYTES);
  return !endsLine && segment.length > 0 && PREFIX_BYTES.subarray(0, segment.length).equals(segment);
}

export interface RewriteResult {
  out: Buffer;
  atLineStart: boolean;
}

/**
 * Rewrites one chunk of user output. `atLineStart` says whether the stream's previous byte
 * was a newline. With a prefix, every line that starts in this chunk gets it; without one
 * (outside an activation) only record-shaped line starts are escaped.
 */
export function rewriteChunk(chunk: Buffer, atLineStart: boolean, prefix: Buffer | null): RewriteResult {
  if (chunk.length === 0) return { out: chunk, atLineStart };
  const parts: Buffer[] = [];
  let pos = 0;
  let lineStart = atLineStart;
  while (pos < chunk.length) {
    const nl = chunk.indexOf(NEWLINE, pos);
    const end = nl === -1 ? chunk.length : nl + 1;
    const segment = chunk.subarray(pos, end);
    if (lineStart) {
      if (prefix) parts.push(prefix);
      else if (looksLikeRecordStart(segment, nl !== -1)) parts.push(ESCAPE);
    }
    parts.push(segment);
    lineStart = nl !== -1;
    pos = end;
  }
  return { out: parts.length === 1 ? parts[0] : Buffer.concat(parts), atLineStart: lineStart };
}

/** Does this text line start look like a record? (rewriteChunk's test; the prefix is ASCII, so bytes and chars agree.) */
function textLooksLikeRecordStart(segment: string, endsLine: boolean): boolean {
  if (segment.length >= RECORD_PREFIX.length) return segment.startsWith(RECORD_PREFIX);
  return !endsLine && segment.length > 0 && RECORD_PREFIX.startsWith(segment);
}

/**
 * rewriteChunk on text, without encoding it: console output and most stream writes are strings,
 * and copying each one into a Buffer to look for newlines cost more than the rewrite. Gives the
 * same bytes once written.
 */
export function rewriteString(text: string, atLineStart: boolean, prefix: string | null): { out: string; atLineStart: boolean } {
  if (text.length === 0) return { out: text, atLineStart };
  const first = text.indexOf('\n');
  // the common case: one line, or one line and its newline
  if (first === -1 || first === text.length - 1) {
    const endsLine = first !== -1;
    if (!atLineStart) return { out: text, atLineStart: endsLine };
    if (prefix !== null) return { out: prefix + text, atLineStart: endsLine };
    return { out: textLooksLikeRecordStart(text, endsLine) ? ESCAPE_TEXT + text : text, atLineStart: endsLine };
  }
  let out = '';
  let pos = 0;
  let lineStart = atLineStart;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    const segment = text.slice(pos, end);
    if (lineStart) {
      if (prefix !== null) out += prefix;
      else if (textLooksLikeRecordStart(segment, nl !== -1)) out += ESCAPE_TEXT;
    }
    out += segment;
    lineStart = nl !== -1;
    pos = end;
  }
  return { out, atLineStart: lineStart };
}

/** rewriteChunk for whole formatted messages (console): every line of the text starts a line. */
export function rewriteText(text: string, prefix: string | null): string {
  if (text === '') return prefix ?? '';
  return rewriteString(text, true, prefix).out;
}
