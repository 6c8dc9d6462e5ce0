// Per-activation state carried through the activation's whole async life, and the guard
// that keeps the wrapper's own I/O out of the records.
//
// Where the current activation is found depends on whether activations can overlap:
//  - one at a time (OpenWhisk's default: the next /run comes only once the previous one answered,
//    unless the action allows concurrency, which the platform says with __OW_ALLOW_CONCURRENT), the
//    activation is the one between its begin and its end, held in one variable. That is the rule
//    the platform itself applies to the activation's logs. No AsyncLocalStorage is entered: Node
//    20 implements it with promise hooks, and once one is entered every promise and async
//    resource of the process pays for it (bench/README.md: the largest single part of the
//    wrapper's cost per activation);
//  - concurrently (__OW_ALLOW_CONCURRENT, or a second activation starting before the first one
//    ended, as in-process tests do), in AsyncLocalStorage: several activations run interleaved and
//    process.env.__OW_* only holds the latest one's ids. An activation started one-at-a-time
//    before the first overlap stays found through the variable, for code that runs outside any
//    store, until it ends.
// The state is kept on globalThis under a registered symbol so that two copies of the wrapper in
// one process (two bundles) share it instead of fighting.

import type { WebEntry } from '../protocol/wrapper-records';
import { ALLOW_CONCURRENT_ENV, allowsConcurrency } from '../protocol/action-runtime';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HmacPads } from './records';

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
  /**
   * the same key as padded HMAC blocks, made once: every later record is signed with them. Not a
   * KeyObject: createSecretKey cost more per activation than it saved (bench/README.md)
   */
  key: HmacPads;
  /** `,"a":…,"r":…` of every record of the activation, serialised at its first record */
  idsJson?: string;
  /**
   * the openwhisk client's own requests to the platform's API that an `invoke` record already
   * stands for, not seen yet, by URL prefix (hooks/openwhisk.ts grants, hooks/http.ts takes)
   */
  coveredApiCalls?: Map<string, number>;
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
  /** true while the wrapper itself does asynchronous I/O (a lookup) */
  internal: AsyncLocalStorage<boolean>;
  /** hook failures outside any activation, reported with the next end record */
  orphanFailures: number;
  firstOrphanFailure?: string;
  /** the activation started while activations ran one at a time (until it ends) */
  sole?: ActivationContext;
  /** activations may overlap: new ones run in `activation`'s store */
  concurrent?: boolean;
  /** `internal` has been entered once: its store must be read (and cleared for user code) from then on */
  internalEntered?: boolean;
}

const STATE_KEY = Symbol.for('serverless-provenance.wrapper.context');
const g = globalThis as unknown as Record<symbol, SharedState | undefined>;
const state: SharedState = (g[STATE_KEY] ??= {
  activation: new AsyncLocalStorage<ActivationContext>(),
  internal: new AsyncLocalStorage<boolean>(),
  orphanFailures: 0,
});

/** The activation found through the variable: the sole one, while it has not ended. */
function sole(): ActivationContext | undefined {
  const ctx = state.sole;
  return ctx && !ctx.ended ? ctx : undefined;
}

/** The activation the current code runs in, ended or not (undefined outside any). */
function activationStore(): ActivationContext | undefined {
  if (!state.concurrent) return state.sole;
  return state.activation.getStore() ?? sole();
}

function internalStore(): boolean {
  return state.internalEntered === true && state.internal.getStore() === true;
}

/**
 * Depth of the wrapper's own synchronous sections (a record being written): a counter is all a
 * synchronous section needs, and entering an AsyncLocalStorage context for each record cost more
 * than writing it. Module loading (synchronous) uses it too; only asynchronous internal work
 * (lookups) runs under `state.internal`.
 */
let internalDepth = 0;

/** The activation the current code runs for, unless the wrapper itself is running. */
export function currentActivation(): ActivationContext | undefined {
  if (internalDepth > 0 || internalStore()) return undefined;
  const ctx = activationStore();
  return ctx && !ctx.ended ? ctx : undefined;
}

/** The activation even while the wrapper's own code runs (for the wrapper's bookkeeping). */
export function activationForWrapper(): ActivationContext | undefined {
  return activationStore();
}

/**
 * Runs the activation's handler (`fn`) as `ctx`: one at a time through the variable, else in
 * AsyncLocalStorage (from the first overlap on, for good: the process runs actions concurrently).
 */
export function runInActivation<T>(ctx: ActivationContext, fn: () => T): T {
  if (!state.concurrent && (allowsConcurrency(process.env[ALLOW_CONCURRENT_ENV]) || sole() !== undefined)) state.concurrent = true;
  if (state.concurrent) return state.activation.run(ctx, fn);
  state.sole = ctx;
  return fn();
}

/** How activations are told apart now: through the variable (one at a time) or AsyncLocalStorage. */
export function activationTracking(): 'one at a time' | 'concurrent' {
  return state.concurrent ? 'concurrent' : 'one at a time';
}

/** Back to one at a time, with no activation (after uninstall: the next install starts afresh). */
export function forgetActivationTracking(): void {
  state.sole = undefined;
  state.concurrent = false;
}

/** True while the wrapper's own code is running (its records, its lookups). */
export function isInternal(): boolean {
  return internalDepth > 0 || internalStore();
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
  state.internalEntered = true;
  return state.internal.run(true, fn);
}

/**
 * Runs fn, synchronous, as user code again (a module's top level, compiled while the loader read
 * it as the wrapper's): what it starts asynchronously runs as user code too.
 */
export function runAsUser<T>(fn: () => T): T {
  const depth = internalDepth;
  internalDepth = 0;
  try {
    return state.internalEntered ? state.internal.run(false, fn) : fn();
  } finally {
    internalDepth = depth;
  }
}

/** Counts a failing hook against the activation (or the process) without ever throwing. */
export function noteHookFailure(where: string, error: unknown): void {
  const message = `${where}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
  const ctx = activationStore();
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
