// Hooks the CommonJS loader once, for two jobs:
//  1. libraries the wrapper instruments (openwhisk, winston, the AWS SDK's DynamoDB clients)
//     are patched when they are loaded, whichever copy the action resolves (its own
//     node_modules, NODE_PATH, a nested dependency), and copies already loaded are patched at
//     install time from require.cache;
//  2. code loaded from outside the artifact and outside node_modules (e.g. a file planted in
//     /tmp) is recorded as an fs `load`.
// The loader reads module sources with the public fs functions: that read is wrapper-internal
// (not a user `read`), but the module's top-level code runs as user code again.

import Module = require('node:module');
import { sep } from 'node:path';
import { currentActivation, runAsUser, runInternal, safely } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';

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
    if (p.filename.test(f)) safely(`patch ${p.name}`, () => runInternal(() => p.patch(exports, filename)));
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
  const extensions = (Module as unknown as { _extensions: Record<string, Extension> })._extensions;
  patchMethod(extensions, ext, (original: Extension) =>
    function (this: unknown, module: Module & { exports: unknown }, filename: string) {
      const ctx = currentActivation();
      runInternal(() => original.call(this, module, filename));
      applyPatchers(module.exports, filename);
      if (ctx) safely('module load', () => {
        if (isForeignCode(filename, artifactRoot ? slashes(artifactRoot) : undefined)) emitRecord(ctx, 'fs', { op: 'load', path: filename });
      });
    },
  );
}

function patchCompile(): void {
  patchMethod(Module.prototype as unknown as Record<string, unknown>, '_compile', (original: (...args: any[]) => any) =>
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

export function installModuleLoadHooks(): void {
  patchExtension('.js');
  patchExtension('.json');
  patchExtension('.node');
  patchCompile();
  patchAlreadyLoaded();
}

