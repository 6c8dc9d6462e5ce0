// How __OW_ALLOW_CONCURRENT is read: the runtime (whether to accept an overlapping /run) and the
// wrapper (whether activations can overlap) must agree.
import { describe, expect, it } from 'vitest';
import { allowsConcurrency } from './action-runtime';

describe('allowsConcurrency', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['', false],
    [undefined, false],
    ['concurrent', false],
  ] as const)('reads %j as %s', (value, expected) => {
    expect(allowsConcurrency(value)).toBe(expected);
  });
});
