// Bundles what must run as one self-contained CommonJS file inside an OpenWhisk action:
//  - dist/wrapper/bundle.js: the wrapper, copied by the plugin into every action artifact;
//  - dist/correlator/bundle.js: the correlator action deployed by the root serverless.yml (the package's
//    node_modules are far over OpenWhisk's size limit).
// Run from anywhere: paths are relative to the package root.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning' };

// The store module can also serve a local LevelDB through dynalite; the correlator action only ever
// talks to a DynamoDB endpoint, so dynalite (and its native LevelDB) stay out of its bundle. If anything
// did ask for it, it says so instead of failing obscurely.
const noDynalite = {
  name: 'no-dynalite',
  setup(b) {
    b.onResolve({ filter: /^dynalite$/ }, () => ({ path: 'dynalite', namespace: 'no-dynalite' }));
    b.onLoad({ filter: /.*/, namespace: 'no-dynalite' }, () => ({
      contents:
        "module.exports = function dynalite() { throw new Error('the correlator action writes to a DynamoDB endpoint only: set the endpoint parameter or PROVENANCE_DYNAMODB_ENDPOINT'); };",
      loader: 'js',
    }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['wrapper/index.ts'],
    outfile: 'dist/wrapper/bundle.js',
    // Modules the action may or may not have are resolved at run time from the action's own require.
    external: ['openwhisk', 'winston', '@aws-sdk/*'],
    // Every container reads, compiles and (in the zip) unpacks this file in its cold start: minified
    // it is half the size (bench/README.md, "Cold start"). No source map: it would be as large again.
    minify: true,
  }),
  build({
    ...common,
    entryPoints: ['correlator/handler.ts'],
    outfile: 'dist/correlator/bundle.js',
    plugins: [noDynalite],
    // store/local.ts resolves dynalite's LevelDB only when serving a local store dir, never here.
    logOverride: { 'require-resolve-not-external': 'silent' },
  }),
]);
