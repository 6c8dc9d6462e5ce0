import { describe, expect, it } from 'vitest';
import { formatDuration, renderRequestsTable } from './requests';

const T = Date.UTC(2026, 10, 3, 12, 0, 0, 250);

describe('renderRequestsTable', () => {
  it('aligns columns, shows UTC start, duration, entry, count and actions', () => {
    const text = renderRequestsTable([
      { request: 'req-2', start: T + 60_000, end: T + 60_420, entry: '/_/purchase', activations: 4, actions: ['/_/authorize-cc', '/_/get-price', '/_/purchase'] },
      { request: 'a-much-longer-request-id', activations: 0, actions: [] },
    ]);
    expect(text).toBe(
      [
        'REQUEST                   START (UTC)              DURATION  ENTRY        ACTIVATIONS  ACTIONS',
        'req-2                     2026-11-03 12:01:00.250  420ms     /_/purchase  4            /_/authorize-cc, /_/get-price, /_/purchase',
        'a-much-longer-request-id  -                        -         -            0            -',
        '',
      ].join('\n'),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, 999, '999ms'],
    [0, 1_500, '1.50s'],
    [0, 12_340, '12.3s'],
    [0, 125_000, '2m5s'],
    [10, 5, '-'],
  ])('%i..%i = %s', (start, end, expected) => {
    expect(formatDuration(start, end)).toBe(expected);
  });
  it('is "-" without both ends', () => {
    expect(formatDuration(undefined, 5)).toBe('-');
  });
});
