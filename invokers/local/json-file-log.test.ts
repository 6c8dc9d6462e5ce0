import { describe, expect, it } from 'vitest';
import { JsonFileLineAssembler, parseJsonFileLine, rfc3339NanoToMs, type JsonFileEntry, type JsonFileLine } from './json-file-log';

describe('parseJsonFileLine', () => {
  it.each([
    ['{"log":"hi\\n","stream":"stdout","time":"2026-12-03T06:30:01.123456789Z"}', { stream: 'stdout', log: 'hi\n', time: Date.UTC(2026, 11, 3, 6, 30, 1) + 123.456789 }],
    ['{"log":"e","stream":"stderr","time":"2026-12-03T06:30:01Z"}', { stream: 'stderr', log: 'e', time: Date.UTC(2026, 11, 3, 6, 30, 1) }],
    ['{"log":"x","stream":"stdin","time":"2026-12-03T06:30:01Z"}', undefined],
    ['{"log":"torn', undefined],
    ['null', undefined],
  ])('%s', (line, expected) => {
    const got = parseJsonFileLine(line);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toEqual({ ...expected, time: expect.closeTo(expected.time, 3) });
  });

  it('keeps sub-millisecond order', () => {
    expect(rfc3339NanoToMs('2026-12-03T06:30:01.000001Z')).toBeLessThan(rfc3339NanoToMs('2026-12-03T06:30:01.000002Z'));
    expect(rfc3339NanoToMs('2026-12-03T07:30:01.5+01:00')).toBe(Date.UTC(2026, 11, 3, 6, 30, 1) + 500);
  });
});

describe('JsonFileLineAssembler', () => {
  const entry = (stream: 'stdout' | 'stderr', log: string, time = 1): JsonFileEntry => ({ stream, log, time });
  const run = (entries: JsonFileEntry[], max = 1000, end = false) => {
    const out: JsonFileLine[] = [];
    const a = new JsonFileLineAssembler(max, (l) => out.push(l));
    for (const e of entries) a.push(e);
    if (end) a.end();
    return out;
  };

  it('joins the pieces of a long line per stream, with the time of its first piece', () => {
    expect(run([entry('stdout', 'ab', 1), entry('stderr', 'err\n', 2), entry('stdout', 'cd\n', 3)])).toEqual([
      { stream: 'stderr', time: 2, text: 'err' },
      { stream: 'stdout', time: 1, text: 'abcd' },
    ]);
  });

  it('cuts an over-long line and says how much', () => {
    const [line] = run([entry('stdout', 'x'.repeat(8)), entry('stdout', 'y'.repeat(8) + '\n')], 10);
    expect(line.text.startsWith('xxxxxxxxyy')).toBe(true);
    expect(line.text).toContain('6 more bytes');
  });

  it('a last piece without its newline is a line when the log ends', () => {
    expect(run([entry('stdout', 'tail')])).toEqual([]);
    expect(run([entry('stdout', 'tail')], 1000, true)).toEqual([{ stream: 'stdout', time: 1, text: 'tail' }]);
  });
});
