// Finds the user's handler function in a loaded module's exports (pure).
//
// `exportPath` is a dot-separated property path inside the module's exports: "main",
// "hello", "handlers.purchase.main". An empty path means the module itself (or its default
// export) is the handler. Modules compiled from ESM keep their exports under `default`
// (or both at the top and under `default`): the path is looked up at the top first, then under
// `default`.

export interface ResolvedHandler {
  fn: (...args: unknown[]) => unknown;
  /** the object the function was found on: `this` for the call, so methods keep working */
  self: unknown;
}

export class HandlerResolutionError extends Error {
  override name = 'HandlerResolutionError';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function exportNames(v: unknown): string {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return '(none)';
  const names = Object.keys(v).filter((k) => k !== '__esModule');
  return names.length > 0 ? names.slice(0, 20).join(', ') : '(none)';
}

function walk(root: unknown, segments: string[]): { found: true; value: unknown; parent: unknown } | { found: false; missing: string; at: unknown } {
  let parent: unknown = undefined;
  let value: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null || !(segments[i] in (value as object))) {
      return { found: false, missing: segments.slice(0, i + 1).join('.'), at: value };
    }
    parent = value;
    value = (value as Record<string, unknown>)[segments[i]];
  }
  return { found: true, value, parent };
}

export function resolveHandler(moduleExports: unknown, exportPath: string): ResolvedHandler {
  if (typeof exportPath !== 'string') throw new HandlerResolutionError(`handler export path must be a string like "main" or "handlers.purchase.main", got ${describe(exportPath)}`);
  const segments = exportPath.split('.').filter((s) => s.length > 0);
  const roots: unknown[] = [moduleExports];
  const def = (moduleExports as { default?: unknown } | null | undefined)?.default;
  if (def !== undefined && def !== moduleExports) roots.push(def);

  let firstMiss: { missing: string; at: unknown } | undefined;
  for (const root of roots) {
    const hit = walk(root, segments);
    if (!hit.found) {
      firstMiss ??= hit;
      continue;
    }
    if (typeof hit.value === 'function') return { fn: hit.value as ResolvedHandler['fn'], self: hit.parent };
    if (segments.length === 0) continue; // the module is not itself a function: try its default export
    throw new HandlerResolutionError(`handler export "${exportPath}" is ${describe(hit.value)}, not a function; export the handler function under that name`);
  }
  if (segments.length === 0) {
    throw new HandlerResolutionError(`handler module exports ${describe(moduleExports)} and no default function; name the export to call (e.g. "main") or export a function`);
  }
  throw new HandlerResolutionError(
    `handler export "${exportPath}" not found: "${firstMiss!.missing}" is missing (available exports: ${exportNames(moduleExports)}); check the function's handler setting`,
  );
}
