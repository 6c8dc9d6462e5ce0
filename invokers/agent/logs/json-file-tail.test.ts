// The tail on real files in a temp dir, in both formats it reads (Docker's json-file log and the
// kubelet's CRI log): appends, a line split across reads, a line the runtime cut into partial
// entries, rotation by rename and truncation in place.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCriLogEntry } from '../../../protocol/cri-log';
import { JsonFileTail } from './json-file-tail';
import type { LogFormat } from './log-format';

const T = Date.UTC(2026, 11, 3, 6, 24, 8);
/** one entry of the file: `text` ends a line of output when it ends with "\n", else it is a partial entry */
const writers: Record<LogFormat, (text: string) => string> = {
  'json-file': (log) => `${JSON.stringify({ log, stream: 'stdout', time: '2026-12-03T06:24:08Z' })}\n`,
  cri: (log) => (log.endsWith('\n') ? encodeCriLogEntry('stdout', T, log.slice(0, -1)) : encodeCriLogEntry('stdout', T, log, true)),
};

describe.each(['json-file', 'cri'] as const)('JsonFileTail on a %s log', (format) => {
  const entry = writers[format];
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  function setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tail-'));
    dirs.push(dir);
    const file = path.join(dir, format === 'cri' ? '0.log' : 'c-json.log');
    fs.writeFileSync(file, '');
    const got: Array<[string, number]> = [];
    const rotations: string[] = [];
    const tail = new JsonFileTail(file, { line: (l) => got.push([l.line, l.seq]), rotated: (w) => rotations.push(w), log: () => undefined }, undefined, 200, format);
    return { file, got, rotations, tail };
  }

  it('reads appended lines, also one written in two parts', () => {
    const { file, got, tail } = setup();
    fs.appendFileSync(file, entry('one\n'));
    const two = entry('two\n');
    fs.appendFileSync(file, two.slice(0, 10));
    tail.readNow();
    fs.appendFileSync(file, two.slice(10));
    tail.readNow();
    tail.stop();
    expect(got).toEqual([['one', 0], ['two', 1]]);
  });

  it('joins the partial entries of a long line, and ends an unfinished one when the container is gone', () => {
    const { file, got, tail } = setup();
    fs.appendFileSync(file, entry('a long ') + entry('line ') + entry('ends\n') + entry('cut off at the end'));
    tail.readNow();
    expect(got).toEqual([['a long line ends', 0]]);
    tail.readNow(true);
    expect(got).toEqual([['a long line ends', 0], ['cut off at the end', 1]]);
  });

  it.each([
    {
      what: 'replaced',
      rotate: (file: string) => {
        fs.appendFileSync(file, entry('last of old\n'));
        fs.renameSync(file, `${file}.20261203-062408`);
        fs.writeFileSync(file, entry('first of new\n'));
      },
    },
    {
      what: 'truncated',
      rotate: (file: string) => {
        fs.truncateSync(file, 0);
        fs.writeFileSync(file, entry('after\n'));
      },
    },
  ])('goes on after the log is $what, numbering on', ({ what, rotate }) => {
    const { file, got, rotations, tail } = setup();
    fs.appendFileSync(file, entry('a\n') + entry('b\n') + entry('c\n'));
    tail.readNow();
    rotate(file);
    tail.readNow();
    tail.stop();
    expect(rotations).toEqual([what]);
    expect(got.map(([, seq]) => seq)).toEqual(got.map((_, i) => i));
    expect(got.at(-1)![0]).toBe(what === 'replaced' ? 'first of new' : 'after');
    if (what === 'replaced') expect(got.map(([l]) => l)).toContain('last of old');
  });
});
