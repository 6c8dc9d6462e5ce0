// The tail on real files in a temp dir: appends, a line split across reads, rotation by rename
// and truncation in place.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonFileTail } from './json-file-tail';

const entry = (log: string) => `${JSON.stringify({ log, stream: 'stdout', time: '2026-12-03T06:24:08Z' })}\n`;

describe('JsonFileTail', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  function setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tail-'));
    dirs.push(dir);
    const file = path.join(dir, 'c-json.log');
    fs.writeFileSync(file, '');
    const got: Array<[string, number]> = [];
    const rotations: string[] = [];
    const tail = new JsonFileTail(file, { line: (l) => got.push([l.line, l.seq]), rotated: (w) => rotations.push(w), log: () => undefined });
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

  it.each([
    {
      what: 'replaced',
      rotate: (file: string) => {
        fs.appendFileSync(file, entry('last of old\n'));
        fs.renameSync(file, `${file}.1`);
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
