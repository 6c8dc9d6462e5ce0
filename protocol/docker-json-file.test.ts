import { describe, expect, it } from 'vitest';
import { decodeJsonFileLine, rfc3339NanoToMs } from './docker-json-file';

describe('decodeJsonFileLine', () => {
  it.each([
    ['{"log":"hi\\n","stream":"stdout","time":"2026-12-03T06:30:01.123456789Z"}', { stream: 'stdout', log: 'hi\n', time: Date.UTC(2026, 11, 3, 6, 30, 1) + 123.456789 }],
    ['{"log":"e","stream":"stderr","time":"2026-12-03T06:30:01Z"}', { stream: 'stderr', log: 'e', time: Date.UTC(2026, 11, 3, 6, 30, 1) }],
    ['{"log":"x","stream":"stdin","time":"2026-12-03T06:30:01Z"}', undefined],
    ['{"log":"torn', undefined],
    ['null', undefined],
  ])('%s', (line, expected) => {
    const got = decodeJsonFileLine(line);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toEqual({ ...expected, time: expect.closeTo(expected.time, 3) });
  });

  it('keeps sub-millisecond order', () => {
    expect(rfc3339NanoToMs('2026-12-03T06:30:01.000001Z')).toBeLessThan(rfc3339NanoToMs('2026-12-03T06:30:01.000002Z'));
    expect(rfc3339NanoToMs('2026-12-03T07:30:01.5+01:00')).toBe(Date.UTC(2026, 11, 3, 6, 30, 1) + 500);
  });
});
