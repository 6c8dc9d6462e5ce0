import { describe, expect, it } from 'vitest';
import { buildRuleDoc, buildTriggerDoc, requestedStatus, triggerView } from './trigger-doc';

describe('trigger and rule documents', () => {
  it('builds a trigger and bumps its version on update, keeping what the update leaves out', () => {
    const t = buildTriggerDoc('guest', 't', { parameters: [{ key: 'a', value: 1 }] }, undefined, 5);
    expect(t).toEqual({ namespace: 'guest', name: 't', version: '0.0.1', publish: false, parameters: [{ key: 'a', value: 1 }], annotations: [], limits: {}, updated: 5 });
    expect(buildTriggerDoc('guest', 't', {}, t, 6)).toMatchObject({ version: '0.0.2', parameters: [{ key: 'a', value: 1 }] });
  });

  it.each([
    [{ trigger: '/_/t', action: '/_/a' }, { trigger: { path: 'guest', name: 't' }, action: { path: 'guest', name: 'a' } }],
    [{ trigger: '/guest/t', action: '/guest/pkg/a' }, { trigger: { path: 'guest', name: 't' }, action: { path: 'guest/pkg', name: 'a' } }],
    [{ trigger: 't', action: 'a' }, { trigger: { path: 'guest', name: 't' }, action: { path: 'guest', name: 'a' } }],
  ])('rule %j', (body, expected) => {
    expect(buildRuleDoc('guest', 'r', body, undefined, 1)).toMatchObject({ ...expected, status: 'active', version: '0.0.1' });
  });

  it.each([
    [{ trigger: '/_/t' }, /needs both/],
    [{ trigger: '/other/t', action: '/_/a' }, /not authorized/],
    [{ trigger: '/_/p/t', action: '/_/a' }, /cannot be in a package/],
    [{ trigger: 5, action: '/_/a' }, /fully qualified/],
  ])('refuses rule %j', (body, message) => {
    expect(() => buildRuleDoc('guest', 'r', body, undefined, 1)).toThrow(message);
  });

  it('reads a status change and shows a trigger with its rules', () => {
    expect(requestedStatus({ status: 'inactive' })).toBe('inactive');
    expect(() => requestedStatus({ status: 'on' })).toThrow(/active' or 'inactive/);
    const t = buildTriggerDoc('guest', 't', {}, undefined, 1);
    const r = buildRuleDoc('guest', 'r', { trigger: '/_/t', action: '/_/a' }, undefined, 1);
    expect(triggerView(t, [r])).toMatchObject({ rules: { 'guest/r': { status: 'active', action: { path: 'guest', name: 'a' } } } });
  });
});
