#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` via prepare).
let cli;
try {
  cli = require('../dist/cli/index.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/index.js')) {
    console.error('provenance: not built yet. Run `npm run build` (or `npm ci`) in the serverless-provenance folder.');
    process.exit(2);
  }
  throw err;
}
cli.main(process.argv).catch((err) => {
  console.error(`provenance: ${err && err.message ? err.message : err}`);
  process.exit(1);
});
