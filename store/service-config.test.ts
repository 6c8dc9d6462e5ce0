import { describe, expect, it } from 'vitest';
import { itemToServiceConfig, serviceConfigHash, serviceConfigItem, type ServiceConfig } from './service-config';

const base: ServiceConfig = { service: 'shop', stage: 'dev', actions: ['_/b', '_/a'], sensitive: { tables: ['cards'], files: ['/x'] }, alerts: 'incident-alert', deployedAt: 1 };

describe('service config items', () => {
  it('round-trips through the stored form', () => {
    expect(itemToServiceConfig(serviceConfigItem(base))).toEqual({ ...base, actions: ['_/a', '_/b'] });
    expect(serviceConfigItem(base)).toMatchObject({ pk: 'SERVICES', sk: 'SVC#shop#dev' });
  });

  it.each([
    ['a later deploy time', { deployedAt: 99 }, true],
    ['the actions in another order', { actions: ['_/a', '_/b'] }, true],
    ['the same settings with keys in another order', { sensitive: { files: ['/x'], tables: ['cards'] } }, true],
    ['another action', { actions: ['_/a'] }, false],
    ['another allowlist', { allowlist: ['h'] }, false],
    ['no alert hook', { alerts: undefined }, false],
    ['another stage', { stage: 'prod' }, false],
  ])('the hash with %s is the same: %s', (_name, change, same) => {
    expect(serviceConfigHash({ ...base, ...change }) === serviceConfigHash(base)).toBe(same);
  });
});
