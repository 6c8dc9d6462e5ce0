// Per-activation state carried through the activation's whole async life, and the guard
// that keeps the wrapper's own I/O out of the records.
//
// Both live in AsyncLocalStorage: with action concurrency > 1 several activations run
// interleaved in one process, and process.env.__OW_* only holds the latest one's ids. The
// stores are kept on globalThis under a registered symbol so that two copies of the wrapper
// in one process (two bundles) share them instead of fighting.

import type { WebEntry } from '../protocol/wrapper-records';
import { AsyncLocalStorage } from 'node:async_hooks';

/** Bytes moved through one file descriptor during one activation (ProTracer aggregation). */
export interface FdTally {
  path: string;
  flags?: string;
  read: number;
  written: number;
}

/** Something to finish (emit a summary record) when the activation ends. */
export type Finisher = () => void;

export interface ActivationContext {
  /** activation id */
  a: string;
  /** request id */
  r: string;
  act: string;
  ns: string;
  /** the activation whose output is this one's input, when the platform says (sequences, rules) */
  pa?: string;
  /** what that parent is, and its name (sequence or trigger activations write no records of their own) */
  pk?: 'sequence' | 'trigger' | 'action';
  pn?: string;
  /** a web action's HTTP request (from its __ow_* parameters) */
  web?: WebEntry;
  /** per-activation MAC key, hex (as the begin record carries it) */
  keyHex: string;
  /** the same key's bytes, decoded once: every later record is signed with them */
  key: Buffer;
  /** the ids put before each of its log lines, built at its first line */
  logPrefix?: string;
  /** next sequence number */
  seq: number;
  /** set once the end record is written: later records of this activation are dropped */
  ended: boolean;
  /** per-fd byte tallies of this activation */
  fds: Map<number, FdTally>;
  /** summaries to emit at end (open sockets' byte counts, pending HTTP requests) */
  finishers: Set<Finisher>;
  /** work the end record waits for (e.g. a DynamoDB key-schema lookup), bounded by a timeout */
  pending: Set<Promise<unknown>>;
  /** hook failures during this activation */
  hookFailures: number;
  firstHookFailure?: string;
  /** records refused because the activation had ended */
  dropped: number;
}

interface SharedState {
  activation: AsyncLocalStorage<ActivationContext>;
  /** true while the wrapper itself does I/O (sync or async) */
  internal: AsyncLocalStorage<boolean>;
  /** hook failures outside any activation, reported with the next end record */
  orphanFailures: number;
  firstOrphanFailure?: string;
}

const STATE_KEY = Symbol.for('serverless-provenance.wrapper.context');
const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
const state: SharedState = (g[STATE_KEY] ??= {
  activation: new AsyncLocalStorage<ActivationContext>(),
  internal: new AsyncLocalStorage<boolean>(),
  orphanFailures: 0,
});

/**
 * Depth of the wrapper's own synchronous sections (a record being written): a counter is all a
 * synchronous section needs, and entering an AsyncLocalStorage context for each record cost more
 * than writing it. Async internal work (lookups) still runs under `state.internal`.
 */
let internalDepth = 0;

/** The activation the current code runs for, unless the wrapper itself is running. */
export function currentActivation(): ActivationContext | undefined {
  if (internalDepth > 0 || state.internal.getStore() === true) return undefined;
  const ctx = state.activation.getStore();
  return ctx && !ctx.ended ? ctx : undefined;
}

/** The activation even while the wrapper's own code runs (for the wrapper's bookkeeping). */
export function activationForWrapper(): ActivationContext | undefined {
  return state.activation.getStore();
}

export function runInActivation<T>(ctx: ActivationContext, fn: () => T): T {
  return state.activation.run(ctx, fn);
}

/** True while the wrapper's own code is running (its records, its lookups). */
export function isInternal(): boolean {
  return internalDepth > 0 || state.internal.getStore() === true;
}

/** Runs fn as wrapper-internal when fn is synchronous and starts nothing asynchronous that a hook could see. */
export function runInternalSync<T>(fn: () => T): T {
  internalDepth += 1;
  try {
    return fn();
  } finally {
    internalDepth -= 1;
  }
}

/** Runs fn (and every async continuation it starts) as wrapper-internal: no hook records it. */
export function runInternal<T>(fn: () => T): T {
  return state.internal.run(true, fn);
}

/** Runs fn as user code again (e.g. a module's top level, compiled while the loader read it internally). */
export function runAsUser<T>(fn: () => T): T {
  return state.internal.run(false, fn);
}

/** Counts a failing hook against the activation (or the process) without ever throwing. */
export function noteHookFailure(where: string, error: unknown): void {
  const message = `${where}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
  const ctx = state.activation.getStore();
  if (ctx && !ctx.ended) {
    ctx.hookFailures += 1;
    ctx.firstHookFailure ??= message;
  } else {
    state.orphanFailures += 1;
    state.firstOrphanFailure ??= message;
  }
}

/** Takes (and resets) the failures that happened outside any activation. */
export function takeOrphanFailures(): { count: number; first?: string } {
  const out = { count: state.orphanFailures, first: state.firstOrphanFailure };
  state.orphanFailures = 0;
  state.firstOrphanFailure = undefined;
  return out;
}

/** Runs a hook's own bookkeeping: failures are counted, never thrown into user code. */
export function safely(where: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    noteHookFailure(where, e);
  }
}
