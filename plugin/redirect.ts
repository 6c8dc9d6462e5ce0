// The handler redirect, as a pure transform over the service's function definitions:
// every wrappable function's handler is pointed at a generated entry file that loads the
// original handler lazily through the provenance wrapper. No file system access here: the
// caller says which files exist and writes the entries (plugin/generated-dir.ts).

/** The part of a serverless-openwhisk function definition the redirect reads or writes. */
export interface FunctionDefinition {
  handler?: string;
  runtime?: string;
  image?: string;
  sequence?: unknown;
  /** set by the redirect: the handler as the user wrote it (keeps a second run identical) */
  provenanceOriginalHandler?: string;
  [key: string]: unknown;
}

export interface RedirectOptions {
  /** folder for the generated files, relative to the service dir, posix separators, e.g. ".serverless-provenance" */
  generatedDir: string;
  /** file name of the wrapper bundle inside generatedDir, e.g. "wrapper.js" */
  wrapperFile: string;
  /** provider.runtime, used when a function names none */
  providerRuntime?: string;
  /** functions to leave alone (custom.provenance.exclude) */
  exclude?: readonly string[];
  /** functions to consider; all when absent (e.g. `sls deploy -f` names one) */
  only?: readonly string[];
  /**
   * Does this service-relative (posix) file exist? Tells `dir/file.js` + export `a` from
   * `dir/file` + nested export `x.a` for a handler "dir/file.x.a".
   */
  fileExists: (relativePath: string) => boolean;
}

/** One generated entry file: what to write, and what it wraps. */
export interface GeneratedEntry {
  function: string;
  /** service-relative posix path of the entry file */
  file: string;
  source: string;
  /** the handler as the user wrote it */
  originalHandler: string;
  /** the original handler's file, service-relative posix path */
  handlerFile: string;
  /** the export path inside handlerFile ("main", or nested "handlers.main") */
  exportPath: string;
}

export interface SkippedFunction {
  function: string;
  /** why it was left unwrapped, written for the user */
  reason: string;
}

export interface RedirectResult {
  /** a new functions object; definitions of redirected functions are new objects, the others are the inputs */
  functions: Record<string, FunctionDefinition>;
  entries: GeneratedEntry[];
  skipped: SkippedFunction[];
}

/** The name the generated entry exports; serverless-openwhisk takes it from the handler's last segment. */
export const ENTRY_EXPORT = 'main';
/** OpenWhisk's default when neither the function nor the provider names a runtime (serverless-openwhisk node.js). */
const DEFAULT_RUNTIME = 'nodejs:default';
const FUNCTION_KEY = /^[a-zA-Z0-9_-]+$/;
/** CommonJS file extensions the Node runtime can require directly, in the order we try them. */
const HANDLER_EXTENSIONS = ['.js', '.cjs'];

export function redirectHandlers(
  functions: Readonly<Record<string, FunctionDefinition>>,
  options: RedirectOptions,
): RedirectResult {
  const generatedDir = trimSlashes(toPosix(options.generatedDir));
  if (!generatedDir || generatedDir.startsWith('../') || generatedDir === '..') {
    throw new Error(`redirectHandlers: generatedDir must be a folder inside the service, got "${options.generatedDir}"`);
  }
  const exclude = new Set(options.exclude ?? []);
  const only = options.only ? new Set(options.only) : undefined;
  const out: Record<string, FunctionDefinition> = {};
  const entries: GeneratedEntry[] = [];
  const skipped: SkippedFunction[] = [];

  for (const [name, fn] of Object.entries(functions)) {
    out[name] = fn;
    if (only && !only.has(name)) continue;
    const plan = planFunction(name, fn, exclude, generatedDir, options);
    if ('reason' in plan) {
      skipped.push({ function: name, reason: plan.reason });
      continue;
    }
    const entryFile = `${generatedDir}/${name}.js`;
    out[name] = {
      ...fn,
      handler: `${generatedDir}/${name}.${ENTRY_EXPORT}`,
      provenanceOriginalHandler: plan.originalHandler,
    };
    entries.push({
      function: name,
      file: entryFile,
      source: entrySource(name, plan.originalHandler, generatedDir, options.wrapperFile, plan.handlerFile, plan.exportPath),
      originalHandler: plan.originalHandler,
      handlerFile: plan.handlerFile,
      exportPath: plan.exportPath,
    });
  }
  return { functions: out, entries, skipped };
}

/** What the plugin packages beside an entry, named in its wrapper options. */
export interface EntryExtras {
  /** content hash of the function's LMS profile */
  profileHash?: string;
  /** file name (inside the generated folder) of the encoded deployment the wrapper sends (protocol/deployment.ts) */
  deploymentFile?: string;
}

/** The same entry, naming the function's LMS profile (by content hash) in its wrapper options. */
export function entryWithProfile(
  entry: GeneratedEntry,
  options: Pick<RedirectOptions, 'generatedDir' | 'wrapperFile'>,
  profileHash: string,
): GeneratedEntry {
  return entryWith(entry, options, { profileHash });
}

/** The same entry, naming what was packaged beside it (profile hash, deployment file) in its wrapper options. */
export function entryWith(entry: GeneratedEntry, options: Pick<RedirectOptions, 'generatedDir' | 'wrapperFile'>, extras: EntryExtras): GeneratedEntry {
  const source = entrySource(entry.function, entry.originalHandler, trimSlashes(options.generatedDir), options.wrapperFile, entry.handlerFile, entry.exportPath, extras);
  return { ...entry, source };
}

/** Undo the redirect: the definitions as the user wrote them. */
export function restoreHandlers(
  functions: Readonly<Record<string, FunctionDefinition>>,
): Record<string, FunctionDefinition> {
  const out: Record<string, FunctionDefinition> = {};
  for (const [name, fn] of Object.entries(functions)) {
    if (typeof fn.provenanceOriginalHandler !== 'string') {
      out[name] = fn;
      continue;
    }
    const { provenanceOriginalHandler, ...rest } = fn;
    out[name] = { ...rest, handler: provenanceOriginalHandler };
  }
  return out;
}

interface Plan {
  originalHandler: string;
  handlerFile: string;
  exportPath: string;
}

function planFunction(
  name: string,
  fn: FunctionDefinition,
  exclude: ReadonlySet<string>,
  generatedDir: string,
  options: RedirectOptions,
): Plan | { reason: string } {
  if (exclude.has(name)) return { reason: 'listed in custom.provenance.exclude' };
  if (fn.sequence !== undefined) return { reason: 'a sequence runs other actions and has no code of its own' };
  if (fn.image !== undefined) {
    return { reason: `a Docker image action (image: ${String(fn.image)}); the wrapper cannot be put into a custom image` };
  }
  const runtime = fn.runtime ?? options.providerRuntime ?? DEFAULT_RUNTIME;
  if (!runtime.startsWith('nodejs')) {
    return { reason: `runtime "${runtime}" is not Node.js; only nodejs:* actions are wrapped` };
  }
  if (!FUNCTION_KEY.test(name)) {
    return { reason: `the function name is not made of letters, digits, "-" and "_" only, so it cannot name a file` };
  }
  const originalHandler = typeof fn.provenanceOriginalHandler === 'string' ? fn.provenanceOriginalHandler : fn.handler;
  if (typeof originalHandler !== 'string' || originalHandler.trim() === '') {
    return { reason: 'it has no handler' };
  }
  const handler = toPosix(originalHandler.trim()).replace(/^(\.\/)+/, '');
  if (handler.startsWith(`${generatedDir}/`)) {
    return { reason: `its handler "${originalHandler}" already points into ${generatedDir}/, which serverless-provenance generates` };
  }
  if (handler.startsWith('../') || handler.startsWith('/')) {
    return { reason: `its handler "${originalHandler}" is outside the service directory, so it is not in the artifact` };
  }
  const resolved = resolveHandler(handler, options.fileExists);
  if ('reason' in resolved) return resolved;
  return { originalHandler, ...resolved };
}

/**
 * serverless-openwhisk reads "dir/file.main" as file "dir/file.js", export "main" (the last
 * dot splits). We try that first and then shorter file names, so "dir/file.handlers.main"
 * also works as file "dir/file.js" with the nested export "handlers.main".
 */
function resolveHandler(
  handler: string,
  fileExists: (relativePath: string) => boolean,
): { handlerFile: string; exportPath: string } | { reason: string } {
  const slash = handler.lastIndexOf('/');
  const dir = handler.slice(0, slash + 1);
  const parts = handler.slice(slash + 1).split('.');
  if (parts.length < 2 || parts.some((p) => p === '')) {
    return { reason: `its handler "${handler}" is not of the form <file>.<export>` };
  }
  for (let cut = parts.length - 1; cut >= 1; cut--) {
    const base = dir + parts.slice(0, cut).join('.');
    for (const ext of HANDLER_EXTENSIONS) {
      if (fileExists(base + ext)) return { handlerFile: base + ext, exportPath: parts.slice(cut).join('.') };
    }
  }
  const base = dir + parts.slice(0, -1).join('.');
  if (fileExists(`${base}.ts`)) {
    return { reason: `its handler file is TypeScript (${base}.ts); compile it to JavaScript before packaging` };
  }
  if (fileExists(`${base}.mjs`)) {
    return { reason: `its handler file is an ES module (${base}.mjs); bundle it to CommonJS before packaging` };
  }
  return { reason: `its handler file ${base}.js does not exist` };
}

function entrySource(
  name: string,
  originalHandler: string,
  generatedDir: string,
  wrapperFile: string,
  handlerFile: string,
  exportPath: string,
  extras: EntryExtras = {},
): string {
  const wrapper = `./${wrapperFile}`;
  // the LMS profile's hash goes into every begin record, so the correlator knows which templates apply;
  // the deployment (settings and profile) is sent once per process, so the correlator judges with them
  const fields = [
    ...(extras.profileHash ? [`profile: ${JSON.stringify(extras.profileHash)}`] : []),
    ...(extras.deploymentFile ? ['deployment'] : []),
  ];
  const options = fields.length ? `, { ${fields.join(', ')} }` : '';
  const handler = relativeRequire(generatedDir, handlerFile);
  return [
    "'use strict';",
    '// Generated by serverless-provenance at package time (and removed after); do not edit.',
    `// Function ${JSON.stringify(name)}: handler ${JSON.stringify(originalHandler)} runs inside the provenance wrapper.`,
    `const { wrapHandler } = require(${JSON.stringify(wrapper)});`,
    // read at load, before any activation: the wrapper's hooks never see it as the action's own I/O
    ...(extras.deploymentFile ? [`const deployment = require(${JSON.stringify(`./${extras.deploymentFile}`)});`] : []),
    // The handler is required lazily, so the wrapper's hooks are in place before user code loads.
    `exports.${ENTRY_EXPORT} = wrapHandler(() => require(${JSON.stringify(handler)}), ${JSON.stringify(exportPath)}${options});`,
    '',
  ].join('\n');
}

/** The require() specifier, from a file in `fromDir`, of `target` (both service-relative, posix). */
function relativeRequire(fromDir: string, target: string): string {
  const from = fromDir.split('/');
  const to = target.split('/');
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const up = from.length - common;
  const rest = to.slice(common).join('/');
  return up === 0 ? `./${rest}` : `${'../'.repeat(up)}${rest}`;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}

function trimSlashes(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}
