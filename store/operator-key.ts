// The operator's key of a local store: whoever presents it reads every namespace (`--operator`).
// It lives beside the data, readable by the store's owner only, because on a local store the
// files are the real boundary: a reader who can open <store>/operator.key can open the data too.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function operatorKeyPath(storeDir: string): string {
  return path.join(path.resolve(storeDir), 'operator.key');
}

/** The store's operator key, made (0600) on first use; the same on every later start. */
export function ensureOperatorKey(storeDir: string): string {
  const file = operatorKeyPath(storeDir);
  const existing = readOperatorKey(storeDir);
  if (existing !== undefined) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // hex, never base64url: a key that starts with '-' reads as an option after `--operator`
  const key = randomBytes(32).toString('hex');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

export function readOperatorKey(storeDir: string): string | undefined {
  try {
    const key = fs.readFileSync(operatorKeyPath(storeDir), 'utf8').trim();
    return key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}

/** Pure: the given key is the expected one (constant time). */
export function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given.trim());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
