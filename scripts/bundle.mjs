// Bundles what must run as one self-contained CommonJS file inside an action artifact.
import { build } from 'esbuild';

await build({
  entryPoints: ['wrapper/index.ts'],
  outfile: 'dist/wrapper/bundle.js',
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  // Modules the action may or may not have are resolved at run time from the action's own require.
  external: ['openwhisk', 'winston', '@aws-sdk/*'],
  logLevel: 'warning',
});
