// What `npm run build` compiles into dist/ (and so what the package ships): the sources of the
// parts, never a test or a test helper. A helper reached from shipped code through an import (as
// bench/ once pulled test/batch-builder.ts in) would land in dist/test/ without anyone asking.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';

const ROOT = packageRoot(__dirname);

/** The project's own files in the build's program, relative to the root ('/'-separated). */
function builtSources(): string[] {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const listed = execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], { cwd: ROOT, encoding: 'utf8' });
  return listed
    .split('\n')
    .map((file) => path.relative(ROOT, file.trim()).split(path.sep).join('/'))
    .filter((file) => file !== '' && !file.startsWith('..') && !file.startsWith('node_modules/'));
}

const notShipped = (file: string) => file.startsWith('test/') || file.startsWith('bench/') || /\.test\.m?ts$/.test(file) || file.includes('/fixtures/');

describe('the build', () => {
  it.each([
    ['test/batch-builder.ts', true],
    ['bench/ingest-traffic.ts', true],
    ['correlator/kernel/join.test.ts', true],
    ['upg/export/fixtures/graph.ts', true],
    ['correlator/kernel/join.ts', false],
  ])('counts %s as not shipped: %s', (file, expected) => {
    expect(notShipped(file)).toBe(expected);
  });

  it('compiles no test, test helper or benchmark', () => {
    const sources = builtSources();
    expect(sources).toContain('correlator/index.ts');
    expect(sources.filter(notShipped)).toEqual([]);
  }, 120_000);
});
