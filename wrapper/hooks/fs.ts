// Records what user code does to files through `fs` (sync, callback and promise forms).
// Reads and writes through one fd are tallied per activation and written as one record at
// close or at activation end (ProTracer), not one record per call.

import fs = require('node:fs');
import { currentActivation, runInternalSync, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { moduleClass } from '../module-class';
import { builtinLoaded, whenBuiltinLoaded } from './module-load';
import { dataSize, fdOf, flagsOf, FS_FUNCTIONS, FS_PROMISE_FUNCTIONS, pathOf, resultSize, type FsFunctionSpec } from './fs-ops';

/** fd -> what was opened, process-wide: an fd opened in one activation may be used in the next. */
const openFds = new Map<number, { path: string; flags: string }>();

/** >0 while a patched fs function runs: fs functions that call other public fs functions are recorded once. */
let depth = 0;

function tally(ctx: ActivationContext, fd: number, kind: 'read' | 'written', n: number): void {
  const known = openFds.get(fd);
  if (!known) return; // stdio or an fd opened before the wrapper: not a file we can name
  let t = ctx.fds.get(fd);
  if (!t) {
    t = { path: known.path, flags: known.flags, read: 0, written: 0 };
    ctx.fds.set(fd, t);
  }
  if (kind === 'read') t.read += n;
  else t.written += n;
}

/** Writes and forgets the activation's tally for one fd. */
export function flushFd(ctx: ActivationContext, fd: number): void {
  const t = ctx.fds.get(fd);
  if (!t) return;
  ctx.fds.delete(fd);
  if (t.read > 0) emitRecord(ctx, 'fs', { op: 'read', path: t.path, n: t.read });
  if (t.written > 0) emitRecord(ctx, 'fs', { op: 'write', path: t.path, n: t.written });
}

/** Flushes every fd tally of the activation (at its end). */
export function flushAllFds(ctx: ActivationContext): void {
  for (const fd of [...ctx.fds.keys()]) flushFd(ctx, fd);
}

function byteCount(result: unknown, field: 'bytesRead' | 'bytesWritten'): number | undefined {
  if (typeof result === 'number') return result;
  if (result && typeof result === 'object' && typeof (result as Record<string, unknown>)[field] === 'number') return (result as Record<string, number>)[field];
  return undefined;
}

/** Records a successful call. `result` is the sync return value, the callback's first value, or the resolved value. */
function onSuccess(ctx: ActivationContext, spec: FsFunctionSpec, args: unknown[], result: unknown, fdOverride?: number): void {
  switch (spec.kind) {
    case 'open': {
      const path = pathOf(args[0]);
      const fd = fdOverride ?? fdOf(result);
      if (path === undefined) return;
      const flags = flagsOf(args[1], 'r');
      if (fd !== undefined) openFds.set(fd, { path, flags });
      emitRecord(ctx, 'fs', { op: 'open', path, flags });
      return;
    }
    case 'close': {
      const fd = fdOverride ?? fdOf(args[0]);
      if (fd === undefined) return;
      flushFd(ctx, fd);
      openFds.delete(fd);
      return;
    }
    case 'fdRead':
    case 'fdWrite': {
      const fd = fdOverride ?? fdOf(args[0]);
      const n = byteCount(result, spec.kind === 'fdRead' ? 'bytesRead' : 'bytesWritten');
      if (fd !== undefined && n !== undefined) tally(ctx, fd, spec.kind === 'fdRead' ? 'read' : 'written', n);
      return;
    }
    case 'readFile':
    case 'writeFile':
    case 'appendFile': {
      const n = spec.kind === 'readFile' ? resultSize(result) : dataSize(args[1], args[2]);
      const fd = fdOverride ?? fdOf(args[0]);
      if (fd !== undefined) {
        if (n !== undefined) tally(ctx, fd, spec.kind === 'readFile' ? 'read' : 'written', n);
        return;
      }
      const path = pathOf(args[0]);
      if (path === undefined) return;
      const fields: { op: 'read' | 'write'; path: string; n?: number; flags?: string } = { op: spec.op as 'read' | 'write', path };
      if (n !== undefined) fields.n = n;
      if (spec.kind === 'appendFile') fields.flags = 'a';
      emitRecord(ctx, 'fs', fields);
      return;
    }
    case 'path': {
      const path = pathOf(args[0]);
      if (path !== undefined) emitRecord(ctx, 'fs', { op: spec.op, path });
      return;
    }
    case 'twoPaths': {
      const path = pathOf(args[0]);
      const path2 = pathOf(args[1]);
      if (path !== undefined && path2 !== undefined) emitRecord(ctx, 'fs', { op: spec.op, path, path2 });
      return;
    }
  }
}

function record(ctx: ActivationContext, spec: FsFunctionSpec, args: unknown[], result: unknown, fdOverride?: number): void {
  safely(`fs.${spec.name}`, () => onSuccess(ctx, spec, args, result, fdOverride));
}

type AnyFn = (...args: any[]) => any;

function patchSync(spec: FsFunctionSpec): void {
  patchMethod(fs, `${spec.name}Sync`, (original: AnyFn) =>
    function (this: unknown, ...args: unknown[]) {
      const ctx = depth === 0 ? currentActivation() : undefined;
      if (!ctx) return original.apply(this, args);
      depth += 1;
      let result: unknown;
      try {
        result = original.apply(this, args);
      } finally {
        depth -= 1;
      }
      record(ctx, spec, args, result);
      return result;
    },
  );
}

function patchCallback(spec: FsFunctionSpec): void {
  patchMethod(fs, spec.name, (original: AnyFn) =>
    function (this: unknown, ...args: unknown[]) {
      const ctx = depth === 0 ? currentActivation() : undefined;
      const cbIndex = args.length - 1;
      const callback = args[cbIndex];
      if (!ctx || typeof callback !== 'function') return original.apply(this, args);
      const callArgs = args.slice();
      callArgs[cbIndex] = function (this: unknown, err: unknown, ...values: unknown[]) {
        if (!err) record(ctx, spec, args.slice(0, cbIndex), values[0]);
        return (callback as AnyFn).call(this, err, ...values);
      };
      depth += 1;
      try {
        return original.apply(this, callArgs);
      } finally {
        depth -= 1;
      }
    },
  );
}

const FILE_HANDLE_METHODS: Record<string, FsFunctionSpec> = {
  read: { name: 'read', kind: 'fdRead', op: 'read' },
  write: { name: 'write', kind: 'fdWrite', op: 'write' },
  readFile: { name: 'readFile', kind: 'readFile', op: 'read' },
  writeFile: { name: 'writeFile', kind: 'writeFile', op: 'write' },
  appendFile: { name: 'appendFile', kind: 'appendFile', op: 'write' },
  close: { name: 'close', kind: 'close', op: 'open' },
};

/** Wraps one FileHandle's fd-level methods (instance properties: the handle dies with its fd). */
function instrumentFileHandle(handle: fs.promises.FileHandle): void {
  const fd = handle.fd;
  for (const [method, spec] of Object.entries(FILE_HANDLE_METHODS)) {
    const original = (handle as unknown as Record<string, AnyFn>)[method];
    if (typeof original !== 'function') continue;
    Object.defineProperty(handle, method, {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        const ctx = currentActivation();
        const promise = original.apply(this, args);
        if (!ctx || !promise || typeof promise.then !== 'function') return promise;
        // FileHandle methods take no fd argument: shift the data argument where onSuccess expects it.
        return promise.then((result: unknown) => {
          record(ctx, spec, [fd, ...args], result, fd);
          return result;
        });
      },
    });
  }
}

function patchPromise(promises: typeof fs.promises, spec: FsFunctionSpec): void {
  patchMethod(promises, spec.name, (original: AnyFn) =>
    function (this: unknown, ...args: unknown[]) {
      const ctx = depth === 0 ? currentActivation() : undefined;
      if (!ctx) return original.apply(this, args);
      const promise = original.apply(this, args);
      return promise.then((result: unknown) => {
        if (spec.kind === 'open') {
          const handle = result as fs.promises.FileHandle;
          record(ctx, spec, args, undefined, handle.fd);
          safely('fs.promises.open handle', () => instrumentFileHandle(handle));
        } else {
          record(ctx, spec, args, result);
        }
        return result;
      });
    },
  );
}

function patchPromises(promises: typeof fs.promises): void {
  for (const spec of FS_PROMISE_FUNCTIONS) patchPromise(promises, spec);
  moduleClass().syncBuiltinESMExports();
}

/** Node's own fs.promises property (a getter that loads the module), while the wrapper's stands in for it. */
let promisesProperty: PropertyDescriptor | undefined;

/** Puts Node's fs.promises getter back (at its first use, or when the wrapper is uninstalled). */
export function restoreFsPromisesProperty(): void {
  if (!promisesProperty) return;
  Object.defineProperty(fs, 'promises', promisesProperty);
  promisesProperty = undefined;
}

/**
 * fs.promises is loaded by Node at its first use: ten builtins, over a millisecond of a cold start
 * that most actions never need. Its functions are patched then, whether the action reaches it as
 * fs.promises or through require('fs/promises') (the same object); at once if it is loaded already.
 */
function patchPromisesWhenLoaded(): void {
  const own = Object.getOwnPropertyDescriptor(fs, 'promises');
  const get = own?.get;
  if (!own || !get || !own.configurable || builtinLoaded('internal/fs/promises')) {
    patchPromises(fs.promises);
    return;
  }
  promisesProperty = own;
  Object.defineProperty(fs, 'promises', {
    configurable: true,
    enumerable: own.enumerable,
    get(this: unknown) {
      const promises = get.call(this) as typeof fs.promises;
      restoreFsPromisesProperty();
      safely('patch fs.promises', () => runInternalSync(() => patchPromises(promises)));
      return promises;
    },
  });
  whenBuiltinLoaded('fs/promises', (promises) => {
    restoreFsPromisesProperty();
    patchPromises(promises as typeof fs.promises);
  });
}

export function installFsHooks(): void {
  for (const spec of FS_FUNCTIONS) {
    patchSync(spec);
    patchCallback(spec);
  }
  // ESM named imports of node:fs are live bindings that only follow the object after a sync.
  moduleClass().syncBuiltinESMExports();
  patchPromisesWhenLoaded();
}
