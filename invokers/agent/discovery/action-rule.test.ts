import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTION_RULE, isActionContainer, parsePattern } from './action-rule';

describe('which containers are action containers', () => {
  it.each([
    ['a prewarmed container', '/wsk0_1_prewarm_nodejs20', undefined, true],
    ['an action container', 'wsk0_17_guest_hello', {}, true],
    ['the invoker itself', '/invoker0', undefined, false],
    ['an action container opted out', 'wsk0_2_x', { 'serverless-provenance.ignore': 'true' }, false],
  ])('%s', (_, name, labels, want) => expect(isActionContainer(DEFAULT_ACTION_RULE, name, labels)).toBe(want));

  it("'all' takes every container but the opted-out", () => {
    const rule = { ...DEFAULT_ACTION_RULE, pattern: parsePattern('all') };
    expect(isActionContainer(rule, 'anything', {})).toBe(true);
    expect(isActionContainer(rule, 'anything', { 'serverless-provenance.ignore': '' })).toBe(false);
  });

  it('says what is wrong with a bad pattern', () => {
    expect(() => parsePattern('(')).toThrow(/--containers "\(" is not a regular expression/);
  });
});
