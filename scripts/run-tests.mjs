// Runs the whole vitest suite and ends with one plain closing line, "tests: N passed, N failed, N skipped",
// which CI reads whatever reporter vitest prints. Exit code is vitest's.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const resultsFile = join(tmpdir(), `serverless-provenance-vitest-${process.pid}.json`);
const run = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`);
} catch {
  console.log('tests: 0 passed, 1 failed (vitest wrote no results)');
} finally {
  rmSync(resultsFile, { force: true });
}
process.exit(run.status ?? 1);
