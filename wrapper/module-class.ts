// The CommonJS loader's Module class (what `require('node:module')` returns), found without
// loading `node:module`: that builtin pulls in four more (the ESM loader among them), about a
// third of a millisecond of every container's cold start, while the wrapper bundle is itself a
// CommonJS module whose `module` object is an instance of that very class.

import type NodeModule = require('node:module');

export type ModuleClass = typeof NodeModule;

let found: ModuleClass | undefined;

function isModuleClass(c: unknown): c is ModuleClass {
  const m = c as { _load?: unknown; _extensions?: unknown; prototype?: { _compile?: unknown } } | undefined;
  return typeof c === 'function' && typeof m?._load === 'function' && typeof m._extensions === 'object' && typeof m.prototype?._compile === 'function';
}

export function moduleClass(): ModuleClass {
  if (found) return found;
  // `module` is this file's CommonJS module object in the bundle and in compiled code; a test
  // runner that executes the source its own way may give something else, or nothing
  const own = typeof module === 'object' && module !== null ? (module as { constructor?: unknown }).constructor : undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  found = isModuleClass(own) ? own : (require('node:module') as ModuleClass);
  return found;
}
