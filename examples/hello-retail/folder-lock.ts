// One `serverless` run per service folder at a time, across processes: the framework and the plugin
// write `.serverless/` and `.serverless-provenance/` inside the folder, so two deploys of the same
// folder at once (two test files, or a test beside a running demo) break each other's packages.
import { createHash } from 'node:crypto';
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pidAlive } from '../../store/pid-alive';

export function lockPath(folder: string): string {
  return join(tmpdir(), `serverless-provenance-deploy-${createHash('sha256').update(resolve(folder)).digest('hex').slice(0, 16)}.lock`);
}

/** Runs `fn` holding the folder's lock; a lock left by a process that died is taken over. */
export async function withFolderLock<T>(folder: string, fn: () => Promise<T>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const file = lockPath(folder);
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSafe(file));
      if (!Number.isInteger(holder) || holder <= 0 || !pidAlive(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (options.signal?.aborted) throw new Error('aborted while waiting for another deploy of this folder');
      if (Date.now() > deadline) throw new Error(`another process (pid ${holder}) has been deploying ${folder} for too long (lock ${file})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    if (readFileSafe(file) === String(process.pid)) rmSync(file, { force: true });
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
