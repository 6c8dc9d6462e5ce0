import { describe, expect, it } from 'vitest';
import { requestsRange } from './requests';

const now = Date.UTC(2026, 10, 3, 12);

describe('requestsRange', () => {
  it.each([
    ['nothing asked', {}, {}],
    ['all three', { since: '2h', until: 'now', limit: '5' }, { since: now - 7_200_000, until: now, limit: 5 }],
    ['numbers from a caller that parsed them', { since: 1, until: 2, limit: 3 }, { since: 1, until: 2, limit: 3 }],
  ])('%s', (_name, options, expected) => {
    expect(requestsRange(options, now)).toEqual(expected);
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => requestsRange({ since: '2026-11-04', until: '2026-11-03' }, now)).toThrow(/--since is after --until/);
  });
});
