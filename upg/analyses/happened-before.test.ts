import { describe, expect, it } from 'vitest';
import { surelyBefore } from './happened-before';

describe('surelyBefore', () => {
  it.each([
    { name: 'earlier millisecond', a: 1000, b: 1001, before: true },
    { name: 'kernel time in an earlier millisecond', a: 999.9, b: 1000, before: true },
    { name: 'wrapper ms vs a kernel time inside that ms', a: 749, b: 749.326, before: false },
    { name: 'kernel time vs the wrapper ms it falls in', a: 749.326, b: 749, before: false },
    { name: 'same time', a: 5, b: 5, before: false },
    { name: 'later', a: 6, b: 5.5, before: false },
    { name: 'unknown first', a: undefined, b: 5, before: false },
    { name: 'unknown second', a: 5, b: undefined, before: false },
  ])('$name', ({ a, b, before }) => {
    expect(surelyBefore(a, b)).toBe(before);
  });
});
