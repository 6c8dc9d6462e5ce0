// The CRI container log format (a wire format of the kubelet's; pure): what containerd and CRI-O
// write for every container of a Kubernetes pod under /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log,
// and what the embedded platform writes for its process containers the same way. One entry per line:
//
//   <RFC3339Nano time> <stdout|stderr> <tag> <text>
//
// The tag is `F` when the entry ends a line of output and `P` when the line goes on in the next entry
// of the same stream (the runtime cut it at its buffer size); further tags may follow after `:`.
// The text carries no "\n" of its own. Decoded entries take the shape of Docker's json-file entries
// (the text with its "\n" when it ends a line), so that one line assembler reads both formats.
import { rfc3339NanoToMs, type JsonFileEntry, type JsonFileStream } from './docker-json-file';

export type CriLogEntry = JsonFileEntry;

/** Decode one line of the file; undefined when it is not a CRI log entry (a torn last line, garbage). */
export function decodeCriLogLine(text: string): CriLogEntry | undefined {
  const s1 = text.indexOf(' ');
  const s2 = s1 < 0 ? -1 : text.indexOf(' ', s1 + 1);
  if (s2 < 0) return undefined;
  const stream = text.slice(s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // the tag field ends at the next space; an entry of an empty line may end right after the tag
  const s3 = text.indexOf(' ', s2 + 1);
  const tags = s3 < 0 ? text.slice(s2 + 1) : text.slice(s2 + 1, s3);
  const partial = tags.split(':')[0];
  if (partial !== 'F' && partial !== 'P') return undefined;
  const body = s3 < 0 ? '' : text.slice(s3 + 1);
  const ms = rfc3339NanoToMs(text.slice(0, s1));
  if (!Number.isFinite(ms)) return undefined;
  return { stream, log: partial === 'F' ? `${body}\n` : body, time: ms };
}

/**
 * One entry as a line of the file (with its "\n"); `partial` when the line goes on in the next
 * entry. The text must hold no "\n": a writer splits output into lines first.
 */
export function encodeCriLogEntry(stream: JsonFileStream, timeMs: number, text: string, partial = false): string {
  return `${msToRfc3339Nano(timeMs)} ${stream} ${partial ? 'P' : 'F'} ${text}\n`;
}

/** ms since the epoch (with a fraction) as RFC3339 with nanoseconds, in UTC, as the kubelet writes it. */
export function msToRfc3339Nano(timeMs: number): string {
  const whole = Math.floor(timeMs);
  const nanos = Math.round((timeMs - whole) * 1e6);
  const iso = new Date(whole).toISOString(); // 2026-12-03T06:30:01.123Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(Math.min(nanos, 999_999)).padStart(6, '0')}Z`;
}
