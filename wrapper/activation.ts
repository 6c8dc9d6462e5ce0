// The life of one activation in the wrapper: ids taken synchronously at entry, begin record,
// the handler run inside the activation's AsyncLocalStorage context, summaries flushed,
// end record.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { runInActivation, takeOrphanFailures, type ActivationContext } from './context';
import { emitRecord } from './emit';
import { flushAllFds } from './hooks/fs';

/** Ids longer than this are cut at the source: they are in every record and every log line. */
const MAX_ID_LENGTH = 256;
const MAX_ERROR_LENGTH = 1024;

let coldStart = true;

function envId(name: string): string {
  const v = process.env[name];
  return typeof v === 'string' ? v.slice(0, MAX_ID_LENGTH) : '';
}

/**
 * Reads the platform's ids from process.env. Must be called synchronously at entry: with
 * concurrency > 1 the runtime overwrites process.env for the next activation at its first await.
 */
export function newActivation(): ActivationContext {
  return {
    a: envId('__OW_ACTIVATION_ID') || `local-${randomBytes(8).toString('hex')}`,
    r: envId('__OW_TRANSACTION_ID'),
    act: envId('__OW_ACTION_NAME'),
    ns: envId('__OW_NAMESPACE'),
    keyHex: randomBytes(16).toString('hex'),
    seq: 0,
    ended: false,
    fds: new Map(),
    finishers: new Set(),
    pending: new Set(),
    hookFailures: 0,
    dropped: 0,
  };
}

/** Writes the begin record (seq 0, carries the MAC key, and the LMS profile hash when the plugin gave one). */
export function begin(ctx: ActivationContext, profile?: string): void {
  const fields = { act: ctx.act, ns: ctx.ns, pid: process.pid, host: hostname(), cold: coldStart, k: ctx.keyHex };
  emitRecord(ctx, 'begin', profile ? { ...fields, lp: profile } : fields);
  coldStart = false;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

/** Waits for record work still in flight (bounded: a lookup must never hold the activation). */
async function settlePending(ctx: ActivationContext, waitMs: number): Promise<void> {
  if (ctx.pending.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  await Promise.race([Promise.allSettled([...ctx.pending]), timeout]);
  if (timer) clearTimeout(timer);
}

/** Flushes summaries and writes the end record; after it the activation records nothing more. */
export async function end(ctx: ActivationContext, outcome: { ok: boolean; err?: string }, durMs: number, waitMs: number): Promise<void> {
  await settlePending(ctx, waitMs);
  flushAllFds(ctx);
  for (const finish of [...ctx.finishers]) {
    try {
      finish();
    } catch {
      ctx.hookFailures += 1;
    }
  }
  ctx.finishers.clear();
  const orphans = takeOrphanFailures();
  const failures = ctx.hookFailures + orphans.count;
  const fields: { ok: boolean; dur: number; err?: string; hf?: number; hfm?: string } = { ok: outcome.ok, dur: Math.round(durMs * 1000) / 1000 };
  if (outcome.err !== undefined) fields.err = outcome.err.slice(0, MAX_ERROR_LENGTH);
  if (failures > 0) {
    fields.hf = failures;
    const first = ctx.firstHookFailure ?? orphans.first;
    if (first) fields.hfm = first;
  }
  emitRecord(ctx, 'end', fields);
  ctx.ended = true;
}

/** What the handler's outcome means for the end record. */
export function outcomeOf(result: { value?: unknown; thrown?: unknown; threw: boolean }): { ok: boolean; err?: string } {
  if (result.threw) return { ok: false, err: errorText(result.thrown) };
  const v = result.value;
  if (v && typeof v === 'object' && 'error' in (v as object)) return { ok: false, err: errorText((v as { error: unknown }).error) };
  return { ok: true };
}

export function runActivation<T>(ctx: ActivationContext, fn: () => T): T {
  return runInActivation(ctx, fn);
}
