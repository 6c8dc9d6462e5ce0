import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultFormat, writeResult } from './result';
import { bufferOutput } from '../output';
import { CliError } from '../errors';

describe('--format of trace, report and lineage', () => {
  it.each<[{ json?: boolean; format?: string }, string]>([
    [{}, 'text'],
    [{ json: true }, 'json'],
    [{ format: 'html' }, 'html'],
    [{ json: true, format: 'json' }, 'json'],
    [{ format: 'PROV-O' }, 'prov-o'],
  ])('%j -> %s', (options, expected) => {
    expect(resultFormat(options)).toBe(expected);
  });

  it.each<[{ json?: boolean; format?: string }, RegExp]>([
    [{ format: 'svg' }, /unknown --format "svg": use one of/],
    [{ json: true, format: 'html' }, /--json and --format html contradict/],
  ])('%j is a usage error (exit 2)', (options, message) => {
    let err: unknown;
    try {
      resultFormat(options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
  });

  it('--out writes the file and says where; a missing folder is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prov-trace-out-'));
    try {
      const out = bufferOutput();
      writeResult('<html></html>\n', 'html', join(dir, 'r.html'), out);
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toBe('<html></html>\n');
      expect(out.text()).toBe(`wrote html to ${join(dir, 'r.html')}\n`);
      expect(() => writeResult('x', 'dot', join(dir, 'no', 'such', 'r.dot'), out)).toThrow(/cannot write dot to .*ENOENT \(does its folder exist\?\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
