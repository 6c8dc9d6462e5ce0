// Hooks the CommonJS loader once, for two jobs:
//  1. libraries the wrapper instruments (openwhisk, winston, the AWS SDK's DynamoDB clients)
//     are patched when they are loaded, whichever copy the action resolves (its own
//     node_modules, NODE_PATH, a nested dependency), and copies already loaded are patched at
//     install time from require.cache;
//  2. code loaded from outside the artifact and outside node_modules (e.g. a file planted in
//     /tmp) is recorded as an fs `load`.
// The loader reads module sources with the public fs functions: that read is wrapper-internal
// (not a user `read`), but the module's top-level code runs as user code again.

import type Module = require('node:module');
import { sep } from 'node:path';
import { currentActivation, runAsUser, runInternalSync, safely } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { moduleClass } from '../module-class';

/** A library patcher: applied to a module's exports once the module has been compiled. */
export interface ModulePatcher {
  name: string;
  /** matches the module's resolved filename (with "/" separators) */
  filename: RegExp;
  patch: (exports: unknown, filename: string) => void;
}

const patchers: ModulePatcher[] = [];
let artifactRoot: string | undefined;

export function registerModulePatcher(p: ModulePatcher): void {
  if (!patchers.some((q) => q.name === p.name)) patchers.push(p);
}

export function setArtifactRoot(root: string | undefined): void {
  artifactRoot = root;
}

function slashes(filename: string): string {
  return sep === '/' ? filename : filename.split(sep).join('/');
}

function applyPatchers(exports: unknown, filename: string): void {
  const f = slashes(filename);
  for (const p of patchers) {
    if (p.filename.test(f)) safely(`patch ${p.name}`, () => runInternalSync(() => p.patch(exports, filename)));
  }
}

/** A module file the artifact did not ship and no package provides: worth a `load` record. */
export function isForeignCode(filename: string, root: string | undefined): boolean {
  const f = slashes(filename);
  if (!f.startsWith('/')) return false; // builtins and virtual modules
  if (f.includes('/node_modules/')) return false;
  if (root && (f === root || f.startsWith(root.endsWith('/') ? root : `${root}/`))) return false;
  return true;
}

type Extension = (module: Module & { exports: unknown }, filename: string) => void;

function patchExtension(ext: string): void {
  const extensions = (moduleClass() as unknown as { _extensions: Record<string, Extension> })._extensions;
  patchMethod(extensions, ext, (original: Extension) =>
    function (this: unknown, module: Module & { exports: unknown }, filename: string) {
      const ctx = currentActivation();
      runInternalSync(() => original.call(this, module, filename));
      applyPatchers(module.exports, filename);
      if (ctx) safely('module load', () => {
        if (isForeignCode(filename, artifactRoot ? slashes(artifactRoot) : undefined)) emitRecord(ctx, 'fs', { op: 'load', path: filename });
      });
    },
  );
}

function patchCompile(): void {
  patchMethod(moduleClass().prototype as unknown as Record<string, unknown>, '_compile', (original: (...args: any[]) => any) =>
    function (this: unknown, ...args: unknown[]) {
      return runAsUser(() => original.apply(this, args));
    },
  );
}

/** Patches libraries that were loaded before the wrapper installed its hooks. */
function patchAlreadyLoaded(): void {
  for (const [filename, cached] of Object.entries(require.cache)) {
    if (cached?.loaded) applyPatchers(cached.exports, filename);
  }
}

/**
 * Builtins patched only once something loads them: loading `https` (TLS) or `child_process` for
 * an action that never uses them cost milliseconds of every cold start. Keyed by the bare name.
 */
const builtinPatchers = new Map<string, Array<(exports: unknown) => void>>();

/** Whether Node has already loaded a builtin (its module list; an unknown answer counts as loaded). */
export function builtinLoaded(name: string): boolean {
  const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  return !Array.isArray(list) || list.includes(`NativeModule ${name}`);
}

/**
 * Applies `patch` to a builtin's exports now if it is loaded, else when CommonJS code first
 * requires it (by `name` or `node:name`). Code that imports it as an ES module before any
 * require sees it unpatched: actions are CommonJS (OpenWhisk's Node runtime requires them).
 */
export function whenBuiltinLoaded(name: string, patch: (exports: unknown) => void): void {
  if (builtinLoaded(name)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    safely(`patch ${name}`, () => patch(require(`node:${name}`)));
    return;
  }
  const list = builtinPatchers.get(name) ?? [];
  list.push(patch);
  builtinPatchers.set(name, list);
}

function patchBuiltinLoad(): void {
  type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
  patchMethod(moduleClass() as unknown as Record<string, unknown>, '_load', (original: Load) =>
    function (this: unknown, request: string, parent: unknown, isMain: boolean) {
      const exports = original.call(this, request, parent, isMain);
      if (builtinPatchers.size > 0 && typeof request === 'string') {
        const name = request.startsWith('node:') ? request.slice(5) : request;
        const pending = builtinPatchers.get(name);
        if (pending) {
          builtinPatchers.delete(name);
          for (const patch of pending) safely(`patch ${name}`, () => runInternalSync(() => patch(exports)));
        }
      }
      return exports;
    },
  );
}

/** Forgets builtin patches still waiting (the wrapper is uninstalled). */
export function forgetBuiltinPatchers(): void {
  builtinPatchers.clear();
}

export function installModuleLoadHooks(): void {
  patchBuiltinLoad();
  patchExtension('.js');
  patchExtension('.json');
  patchExtension('.node');
  patchCompile();
  patchAlreadyLoaded();
}

