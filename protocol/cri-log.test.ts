import { describe, expect, it } from 'vitest';
import { decodeCriLogLine, encodeCriLogEntry, msToRfc3339Nano } from './cri-log';

const T = Date.UTC(2026, 11, 3, 6, 30, 1);

describe('decodeCriLogLine', () => {
  it.each([
    ['2026-12-03T06:30:01.123456789Z stdout F hello world', { stream: 'stdout', log: 'hello world\n', time: T + 123.456789 }],
    ['2026-12-03T06:30:01Z stderr P first half ', { stream: 'stderr', log: 'first half ', time: T }],
    ['2026-12-03T06:30:01.5Z stdout F', { stream: 'stdout', log: '\n', time: T + 500 }],
    ['2026-12-03T06:30:01.5Z stdout F ', { stream: 'stdout', log: '\n', time: T + 500 }],
    ['2026-12-03T06:30:01.5Z stdout F:x  two  spaces', { stream: 'stdout', log: ' two  spaces\n', time: T + 500 }],
    ['2026-12-03T06:30:01Z stdin F nope', undefined],
    ['2026-12-03T06:30:01Z stdout X nope', undefined],
    ['not-a-time stdout F nope', undefined],
    ['2026-12-03T06:30:01Z stdo', undefined],
    ['', undefined],
  ])('%j', (line, expected) => {
    const got = decodeCriLogLine(line);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toEqual({ ...expected, time: expect.closeTo(expected.time, 3) });
  });
});

describe('encodeCriLogEntry', () => {
  it('round-trips through the decoder, keeping sub-millisecond time', () => {
    const t = T + 7.25;
    const full = encodeCriLogEntry('stderr', t, 'a @prov/1 {"x":1}');
    expect(full.endsWith('\n')).toBe(true);
    expect(decodeCriLogLine(full.slice(0, -1))).toEqual({ stream: 'stderr', log: 'a @prov/1 {"x":1}\n', time: expect.closeTo(t, 4) });
    expect(decodeCriLogLine(encodeCriLogEntry('stdout', t, 'part', true).slice(0, -1))?.log).toBe('part');
  });

  it('writes the nanosecond form the kubelet writes', () => {
    // a double holding ms since the epoch keeps about a microsecond of the fraction
    expect(msToRfc3339Nano(T + 123.456789)).toMatch(/^2026-12-03T06:30:01\.123456\d{3}Z$/);
    expect(msToRfc3339Nano(T)).toBe('2026-12-03T06:30:01.000000000Z');
  });
});
