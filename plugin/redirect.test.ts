import { describe, expect, it } from 'vitest';
import { entryWith, redirectHandlers, restoreHandlers, type FunctionDefinition, type RedirectOptions } from './redirect';

const GEN = '.serverless-provenance';

function options(files: string[], extra: Partial<RedirectOptions> = {}): RedirectOptions {
  const set = new Set(files);
  return { generatedDir: GEN, wrapperFile: 'wrapper.js', fileExists: (p) => set.has(p), ...extra };
}

describe('redirectHandlers: which functions are wrapped', () => {
  const cases: Array<{
    name: string;
    fn: FunctionDefinition;
    files: string[];
    extra?: Partial<RedirectOptions>;
    wrapped?: { handlerFile: string; exportPath: string; require: string };
    skipped?: RegExp;
  }> = [
    {
      name: 'plain handler: file before the last dot, export after it',
      fn: { handler: 'handlers/purchase.main' },
      files: ['handlers/purchase.js'],
      wrapped: { handlerFile: 'handlers/purchase.js', exportPath: 'main', require: '../handlers/purchase.js' },
    },
    {
      name: 'handler at the service root',
      fn: { handler: 'index.handler' },
      files: ['index.js'],
      wrapped: { handlerFile: 'index.js', exportPath: 'handler', require: '../index.js' },
    },
    {
      name: 'leading ./ is dropped',
      fn: { handler: './src/app.main' },
      files: ['src/app.js'],
      wrapped: { handlerFile: 'src/app.js', exportPath: 'main', require: '../src/app.js' },
    },
    {
      name: 'nested export when file.x.js does not exist',
      fn: { handler: 'src/app.handlers.purchase' },
      files: ['src/app.js'],
      wrapped: { handlerFile: 'src/app.js', exportPath: 'handlers.purchase', require: '../src/app.js' },
    },
    {
      name: 'dotted file name wins over nested export when it exists (serverless-openwhisk semantics)',
      fn: { handler: 'src/app.v2.main' },
      files: ['src/app.js', 'src/app.v2.js'],
      wrapped: { handlerFile: 'src/app.v2.js', exportPath: 'main', require: '../src/app.v2.js' },
    },
    {
      name: '.cjs handler file',
      fn: { handler: 'lib/h.main' },
      files: ['lib/h.cjs'],
      wrapped: { handlerFile: 'lib/h.cjs', exportPath: 'main', require: '../lib/h.cjs' },
    },
    {
      name: 'explicit nodejs runtime on the function',
      fn: { handler: 'a.main', runtime: 'nodejs:20' },
      files: ['a.js'],
      wrapped: { handlerFile: 'a.js', exportPath: 'main', require: '../a.js' },
    },
    { name: 'sequence', fn: { sequence: ['a', 'b'] }, files: [], skipped: /sequence/ },
    { name: 'docker image action', fn: { handler: 'a.main', image: 'me/img' }, files: ['a.js'], skipped: /Docker image.*me\/img/ },
    { name: 'python runtime', fn: { handler: 'a.main', runtime: 'python:3' }, files: ['a.py'], skipped: /runtime "python:3" is not Node/ },
    {
      name: 'provider runtime applies when the function names none',
      fn: { handler: 'a.main' },
      files: ['a.js'],
      extra: { providerRuntime: 'php:8.1' },
      skipped: /runtime "php:8.1"/,
    },
    { name: 'excluded by config', fn: { handler: 'a.main' }, files: ['a.js'], extra: { exclude: ['f'] }, skipped: /custom\.provenance\.exclude/ },
    { name: 'no handler', fn: {}, files: [], skipped: /no handler/ },
    { name: 'handler without export', fn: { handler: 'index' }, files: ['index.js'], skipped: /<file>\.<export>/ },
    { name: 'missing file', fn: { handler: 'nope.main' }, files: [], skipped: /nope\.js does not exist/ },
    { name: 'TypeScript file', fn: { handler: 'src/h.main' }, files: ['src/h.ts'], skipped: /TypeScript \(src\/h\.ts\)/ },
    { name: 'ES module file', fn: { handler: 'src/h.main' }, files: ['src/h.mjs'], skipped: /ES module .*bundle it to CommonJS/ },
    { name: 'outside the service', fn: { handler: '../elsewhere/h.main' }, files: ['../elsewhere/h.js'], skipped: /outside the service/ },
    {
      name: 'already pointing into the generated folder without our marker',
      fn: { handler: `${GEN}/f.main` },
      files: [`${GEN}/f.js`],
      skipped: /already points into/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const result = redirectHandlers({ f: c.fn }, options(c.files, c.extra));
      if (c.wrapped) {
        expect(result.skipped).toEqual([]);
        expect(result.functions.f).toEqual({ ...c.fn, handler: `${GEN}/f.main`, provenanceOriginalHandler: c.fn.handler });
        expect(result.entries).toHaveLength(1);
        const entry = result.entries[0];
        expect(entry).toMatchObject({
          function: 'f',
          file: `${GEN}/f.js`,
          originalHandler: c.fn.handler,
          handlerFile: c.wrapped.handlerFile,
          exportPath: c.wrapped.exportPath,
        });
        expect(entry.source).toContain(`require("./wrapper.js")`);
        expect(entry.source).toContain(
          `exports.main = wrapHandler(() => require(${JSON.stringify(c.wrapped.require)}), ${JSON.stringify(c.wrapped.exportPath)});`,
        );
      } else {
        expect(result.entries).toEqual([]);
        expect(result.functions.f).toBe(c.fn);
        expect(result.skipped).toHaveLength(1);
        expect(result.skipped[0].function).toBe('f');
        expect(result.skipped[0].reason).toMatch(c.skipped!);
      }
    });
  }
});

describe('redirectHandlers: the whole service', () => {
  const functions: Record<string, FunctionDefinition> = {
    purchase: { handler: 'handlers/purchase.main', memory: 256, parameters: { table: 't' } },
    price: { handler: 'handlers/price.main' },
    flow: { sequence: ['price', 'purchase'] },
  };
  const files = ['handlers/purchase.js', 'handlers/price.js'];

  it('redirects every wrappable function, keeps the others and every other field', () => {
    const result = redirectHandlers(functions, options(files));
    expect(Object.keys(result.functions)).toEqual(['purchase', 'price', 'flow']);
    expect(result.functions.purchase).toEqual({
      handler: `${GEN}/purchase.main`,
      memory: 256,
      parameters: { table: 't' },
      provenanceOriginalHandler: 'handlers/purchase.main',
    });
    expect(result.functions.flow).toBe(functions.flow);
    expect(result.entries.map((e) => e.file)).toEqual([`${GEN}/purchase.js`, `${GEN}/price.js`]);
    expect(result.skipped.map((s) => s.function)).toEqual(['flow']);
  });

  it('does not modify its input', () => {
    const before = JSON.parse(JSON.stringify(functions));
    redirectHandlers(functions, options(files));
    expect(functions).toEqual(before);
  });

  it('is idempotent: a second run gives the same functions and entries', () => {
    const once = redirectHandlers(functions, options(files));
    const twice = redirectHandlers(once.functions, options(files));
    expect(twice.functions).toEqual(once.functions);
    expect(twice.entries).toEqual(once.entries);
    expect(twice.skipped).toEqual(once.skipped);
  });

  it('restoreHandlers gives back the definitions as written', () => {
    const once = redirectHandlers(functions, options(files));
    expect(restoreHandlers(once.functions)).toEqual(functions);
  });

  it('`only` limits the redirect to the named functions (sls deploy -f)', () => {
    const result = redirectHandlers(functions, options(files, { only: ['price'] }));
    expect(result.functions.purchase).toBe(functions.purchase);
    expect(result.entries.map((e) => e.function)).toEqual(['price']);
  });

  it('works with a nested generated folder', () => {
    const result = redirectHandlers({ f: { handler: 'a/b.main' } }, options(['a/b.js'], { generatedDir: 'x/y/' }));
    expect(result.functions.f.handler).toBe('x/y/f.main');
    expect(result.entries[0].source).toContain('require("../../a/b.js")');
  });

  it('refuses a generated folder outside the service', () => {
    expect(() => redirectHandlers(functions, options(files, { generatedDir: '../out' }))).toThrow(/inside the service/);
  });

  it('the generated entry is valid JavaScript that wraps lazily', () => {
    const [entry] = redirectHandlers({ f: { handler: 'h.main' } }, options(['h.js'])).entries;
    const calls: Array<[unknown, string]> = [];
    const required: string[] = [];
    const fakeRequire = (id: string) => {
      required.push(id);
      if (id === './wrapper.js') return { wrapHandler: (load: () => unknown, path: string) => (calls.push([load, path]), 'wrapped') };
      return { main: () => 'user' };
    };
    const exports: Record<string, unknown> = {};
    new Function('require', 'exports', entry.source)(fakeRequire, exports);
    expect(exports.main).toBe('wrapped');
    expect(required).toEqual(['./wrapper.js']); // the handler itself is not loaded yet
    const [load, exportPath] = calls[0];
    expect(exportPath).toBe('main');
    expect((load as () => { main: () => string })().main()).toBe('user');
    expect(required).toEqual(['./wrapper.js', '../h.js']);
  });

  it('an entry with a profile and a deployment reads the deployment at load and passes both to the wrapper', () => {
    const [plain] = redirectHandlers({ f: { handler: 'h.main' } }, options(['h.js'])).entries;
    const entry = entryWith(plain, { generatedDir: '.gen', wrapperFile: 'wrapper.js' }, { profileHash: 'lp1', deploymentFile: 'f.deployment.json' });
    const deployment = { hash: 'dh1', parts: ['x'] };
    const required: string[] = [];
    let given: unknown;
    const fakeRequire = (id: string) => {
      required.push(id);
      if (id === './wrapper.js') return { wrapHandler: (_load: unknown, _path: string, opts: unknown) => ((given = opts), 'wrapped') };
      if (id === './f.deployment.json') return deployment;
      return { main: () => 'user' };
    };
    new Function('require', 'exports', entry.source)(fakeRequire, {});
    expect(required).toEqual(['./wrapper.js', './f.deployment.json']);
    expect(given).toEqual({ profile: 'lp1', deployment });
  });
});
