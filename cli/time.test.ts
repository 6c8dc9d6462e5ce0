import { describe, expect, it } from 'vitest';
import { parseCount, parseTime } from './time';
import { CliError } from './errors';

const now = Date.UTC(2026, 10, 3, 12, 0, 0);

describe('parseTime', () => {
  it.each<[string | number, number]>([
    ['now', now],
    ['30m', now - 30 * 60_000],
    ['2h', now - 2 * 3_600_000],
    ['7d', now - 7 * 86_400_000],
    ['1w', now - 604_800_000],
    ['1.5h', now - 5_400_000],
    ['1793707200000', 1793707200000],
    [1793707200000, 1793707200000],
    ['2026-11-03', Date.UTC(2026, 10, 3)],
    ['2026-11-03T10:30:00Z', Date.UTC(2026, 10, 3, 10, 30)],
    ['2026-11-03T10:30:00+02:00', Date.UTC(2026, 10, 3, 8, 30)],
  ])('%s', (text, expected) => {
    expect(parseTime(text, '--since', now)).toBe(expected);
  });

  it.each(['yesterday', '', '12', '5 minutes', '2026-13-45', '-2h'])('refuses %j with a usage error naming the option', (text) => {
    expect(() => parseTime(text, '--until', now)).toThrow(CliError);
    expect(() => parseTime(text, '--until', now)).toThrow(/^bad --until/);
  });
});

describe('parseCount', () => {
  it.each<[string | number, number]>([['1', 1], ['25', 25], [3, 3], [' 7 ', 7]])('%s', (text, expected) => {
    expect(parseCount(text, '--limit')).toBe(expected);
  });
  it.each(['0', '-1', '2.5', 'ten', ''])('refuses %j', (text) => {
    try {
      parseCount(text, '--limit');
      expect.unreachable();
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(/^bad --limit/);
    }
  });
});
