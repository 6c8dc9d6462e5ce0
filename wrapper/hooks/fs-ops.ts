// Pure part of the fs hook: which functions are patched, what each records, and how its
// arguments and results map to a record (the declarative table, as in instrumentation-fs).

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FsOp } from '../../protocol/wrapper-records';

/** How a patched fs function is recorded. */
export type FsKind =
  | 'open' // (path, flags?) -> fd: record open, remember fd -> path for aggregation
  | 'close' // (fd): flush the fd's tally
  | 'fdRead' // (fd, ...) -> bytesRead: add to the fd's tally
  | 'fdWrite' // (fd, ...) -> bytesWritten: add to the fd's tally
  | 'readFile' // (path|fd) -> data: one read record with the size
  | 'writeFile' // (path|fd, data): one write record with the size
  | 'appendFile' // (path|fd, data): one write record, flags "a"
  | 'path' // (path): one record
  | 'twoPaths'; // (from, to): one record with path2

export interface FsFunctionSpec {
  name: string;
  kind: FsKind;
  op: FsOp;
}

/** The functions patched on `fs` (sync and callback forms) and on `fs.promises`. */
export const FS_FUNCTIONS: FsFunctionSpec[] = [
  { name: 'open', kind: 'open', op: 'open' },
  { name: 'close', kind: 'close', op: 'open' },
  { name: 'read', kind: 'fdRead', op: 'read' },
  { name: 'write', kind: 'fdWrite', op: 'write' },
  { name: 'readFile', kind: 'readFile', op: 'read' },
  { name: 'writeFile', kind: 'writeFile', op: 'write' },
  { name: 'appendFile', kind: 'appendFile', op: 'write' },
  { name: 'unlink', kind: 'path', op: 'unlink' },
  { name: 'rm', kind: 'path', op: 'unlink' },
  { name: 'rmdir', kind: 'path', op: 'rmdir' },
  { name: 'mkdir', kind: 'path', op: 'mkdir' },
  { name: 'chmod', kind: 'path', op: 'chmod' },
  { name: 'truncate', kind: 'path', op: 'truncate' },
  { name: 'rename', kind: 'twoPaths', op: 'rename' },
  { name: 'copyFile', kind: 'twoPaths', op: 'copy' },
  // symlink(target, path): the link created is the destination
  { name: 'symlink', kind: 'twoPaths', op: 'symlink' },
];

/** Functions of fs.promises (fd-level ones live on FileHandle, patched per handle). */
export const FS_PROMISE_FUNCTIONS = FS_FUNCTIONS.filter((f) => !['close', 'read', 'write'].includes(f.name));

/** An absolute path for a path-like argument, or undefined for anything else (fds, bad input). */
export function pathOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return resolve(arg);
  if (Buffer.isBuffer(arg)) return resolve(arg.toString('utf8'));
  if (arg instanceof URL) {
    try {
      return fileURLToPath(arg);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function fdOf(arg: unknown): number | undefined {
  return typeof arg === 'number' && Number.isInteger(arg) && arg >= 0 ? arg : undefined;
}

/** Open flags as text, whichever form the caller used. */
export function flagsOf(arg: unknown, fallback: string): string {
  if (typeof arg === 'string' || typeof arg === 'number') return String(arg);
  if (arg && typeof arg === 'object' && 'flag' in arg) {
    const flag = (arg as { flag?: unknown }).flag;
    if (typeof flag === 'string' || typeof flag === 'number') return String(flag);
  }
  return fallback;
}

/** Bytes of data given to writeFile/appendFile. */
export function dataSize(data: unknown, options: unknown): number | undefined {
  if (typeof data === 'string') {
    const enc = typeof options === 'string' ? options : options && typeof options === 'object' ? (options as { encoding?: unknown }).encoding : undefined;
    return Buffer.byteLength(data, typeof enc === 'string' && Buffer.isEncoding(enc) ? enc : 'utf8');
  }
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return undefined;
}

/** Bytes of data returned by readFile. */
export function resultSize(data: unknown): number | undefined {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return undefined;
}
