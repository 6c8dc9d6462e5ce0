import { describe, expect, it } from 'vitest';
import { itemToServiceConfig, serviceId, splitAction, serviceConfigHash, serviceConfigItem, type ServiceConfig } from './service-config';

const base: ServiceConfig = { service: 'shop', stage: 'dev', actions: ['_/b', '_/a'], sensitive: { tables: ['cards'], files: ['/x'] }, alerts: 'incident-alert', deployedAt: 1 };

describe('service config items', () => {
  it('round-trips through the stored form', () => {
    expect(itemToServiceConfig(serviceConfigItem(base))).toEqual({ ...base, actions: ['_/a', '_/b'] });
    expect(serviceConfigItem(base)).toMatchObject({ pk: 'SERVICES', sk: 'SVC#_#shop#dev' });
    const guest = { ...base, namespace: 'guest', actions: ['guest/a'] };
    expect(itemToServiceConfig(serviceConfigItem(guest))).toEqual(guest);
  });

  it.each([
    ['/guest/pkg/act', { namespace: 'guest', name: 'pkg/act' }],
    ['guest/act', { namespace: 'guest', name: 'act' }],
    ['act', { namespace: '_', name: 'act' }],
  ])('splits the action %s', (action, expected) => expect(splitAction(action)).toEqual(expected));

  it('keeps two namespaces\' services of one name and stage apart', () => {
    const keys = ['guest', 'other', undefined].map((namespace) => serviceConfigItem({ ...base, ...(namespace ? { namespace } : {}) }).sk);
    expect(keys).toEqual(['SVC#guest#shop#dev', 'SVC#other#shop#dev', 'SVC#_#shop#dev']);
    expect(serviceId({ ...base, namespace: 'guest' })).toBe('guest/shop/dev');
    expect(serviceId(base)).toBe('shop/dev');
  });

  it.each([
    ['a later deploy time', { deployedAt: 99 }, true],
    ['the actions in another order', { actions: ['_/a', '_/b'] }, true],
    ['the same settings with keys in another order', { sensitive: { files: ['/x'], tables: ['cards'] } }, true],
    ['another action', { actions: ['_/a'] }, false],
    ['another allowlist', { allowlist: ['h'] }, false],
    ['no alert hook', { alerts: undefined }, false],
    ['another stage', { stage: 'prod' }, false],
    ['another namespace', { namespace: 'other' }, false],
  ])('the hash with %s is the same: %s', (_name, change, same) => {
    expect(serviceConfigHash({ ...base, ...change }) === serviceConfigHash(base)).toBe(same);
  });
});
