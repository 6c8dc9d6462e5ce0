import { describe, expect, it } from 'vitest';
import { nextFire, parseCron } from './cron';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules of the alarms feed', () => {
  it.each([
    ['*/1 * * * *', '2026-12-03T06:30:10.500Z', '2026-12-03T06:31:00.000Z'],
    ['* * * * *', '2026-12-03T06:30:00.000Z', '2026-12-03T06:31:00.000Z'],
    ['*/2 * * * * *', '2026-12-03T06:30:09.000Z', '2026-12-03T06:30:10.000Z'],
    ['*/2 * * * * *', '2026-12-03T06:30:58.100Z', '2026-12-03T06:31:00.000Z'],
    ['0 9 * * 1-5', '2026-12-04T10:00:00.000Z', '2026-12-07T09:00:00.000Z'], // Friday after nine -> Monday
    ['30 4 1,15 * *', '2026-12-03T00:00:00.000Z', '2026-12-15T04:30:00.000Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 * * 7', '2026-12-03T00:00:00.000Z', '2026-12-06T00:00:00.000Z'], // 7 is Sunday too
    ['0 0 1 * 0', '2026-12-02T00:00:00.000Z', '2026-12-06T00:00:00.000Z'], // both day fields: either matches
    ['15-45/15 * * * * *', '2026-12-03T06:30:16.000Z', '2026-12-03T06:30:30.000Z'],
  ])('%s after %s fires at %s', (expr, after, expected) => {
    expect(iso(nextFire(parseCron(expr), at(after)))).toBe(expected);
  });

  it.each([
    ['* * * *', /5 fields/],
    ['61 * * * *', /minute out of range/],
    ['* * * 13 *', /month out of range/],
    ['*/0 * * * *', /out of range/],
    ['a * * * *', /invalid minute field/],
  ])('rejects %s with one clear line', (expr, message) => {
    expect(() => parseCron(expr)).toThrow(message);
  });

  it('never fires on an impossible date', () => {
    expect(nextFire(parseCron('0 0 31 2 *'), at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});
