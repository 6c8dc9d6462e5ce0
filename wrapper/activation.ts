// The life of one activation in the wrapper: ids taken synchronously at entry, begin record,
// the handler run inside the activation's AsyncLocalStorage context, summaries flushed,
// end record.

import { randomFillSync } from 'node:crypto';
import { hostname } from 'node:os';
import { runInActivation, takeOrphanFailures, type ActivationContext } from './context';
import { emitRecord } from './emit';
import { hmacPads } from './records';
import { webEntry } from './web-entry';
import type { WebEntry } from '../protocol/wrapper-records';
import { flushAllFds } from './hooks/fs';

/** Ids longer than this are cut at the source: they are in every record and every log line. */
const MAX_ID_LENGTH = 256;
const MAX_ERROR_LENGTH = 1024;

let coldStart = true;

/**
 * Fresh random bytes, taken from a pool refilled 4 KiB at a time: one randomBytes() call per
 * activation cost several microseconds, a slice of the pool a fraction of one. Each slice is used once.
 */
const RANDOM_POOL = Buffer.alloc(4096);
let randomOffset = RANDOM_POOL.length;
function randomSlice(n: number): Buffer {
  if (randomOffset + n > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const out = Buffer.from(RANDOM_POOL.subarray(randomOffset, randomOffset + n));
  RANDOM_POOL.fill(0, randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}

/** The container's host name, asked once: os.hostname() is a system call every time. */
let hostName: string | undefined;
function containerHost(): string {
  return (hostName ??= hostname());
}

function envId(name: string): string {
  const v = process.env[name];
  return typeof v === 'string' ? v.slice(0, MAX_ID_LENGTH) : '';
}

/**
 * Reads the platform's ids from process.env. Must be called synchronously at entry: with
 * concurrency > 1 the runtime overwrites process.env for the next activation at its first await.
 */
export function newActivation(params?: unknown): ActivationContext {
  const pk = envId('__OW_PARENT_KIND');
  const key = randomSlice(16);
  return {
    a: envId('__OW_ACTIVATION_ID') || `local-${randomSlice(8).toString('hex')}`,
    r: envId('__OW_TRANSACTION_ID'),
    act: envId('__OW_ACTION_NAME'),
    ns: envId('__OW_NAMESPACE'),
    // sent by the embedded platform for sequence components and rule actions ('' when none)
    pa: envId('__OW_PARENT_ACTIVATION_ID') || undefined,
    pk: pk === 'sequence' || pk === 'trigger' || pk === 'action' ? pk : undefined,
    pn: envId('__OW_PARENT_NAME') || undefined,
    web: webEntry(params),
    keyHex: key.toString('hex'),
    key: hmacPads(key),
    seq: 0,
    ended: false,
    fds: new Map(),
    finishers: new Set(),
    pending: new Set(),
    hookFailures: 0,
    dropped: 0,
  };
}

/** How the platform started this activation (parent, its kind and name; the web request), for the begin record. */
function platformHops(ctx: ActivationContext): Pick<ActivationContext, 'pa' | 'pk' | 'pn' | 'web'> {
  if (!ctx.pa && !ctx.web) return {};
  return { ...(ctx.pa ? { pa: ctx.pa } : {}), ...(ctx.pa && ctx.pk ? { pk: ctx.pk } : {}), ...(ctx.pa && ctx.pn ? { pn: ctx.pn } : {}), ...(ctx.web ? { web: ctx.web } : {}) };
}

/**
 * Writes the begin record (seq 0, carries the MAC key, and the hashes of the LMS profile and of the
 * deployment when the plugin gave them).
 */
export function begin(ctx: ActivationContext, profile?: string, deployment?: string): void {
  const fields = { act: ctx.act, ns: ctx.ns, pid: process.pid, host: containerHost(), cold: coldStart, k: ctx.keyHex, ...platformHops(ctx) };
  emitRecord(ctx, 'begin', profile || deployment ? { ...fields, ...(profile ? { lp: profile } : {}), ...(deployment ? { dh: deployment } : {}) } : fields);
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
