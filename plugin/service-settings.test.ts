import { describe, expect, it } from 'vitest';
import { parseProvenanceConfig } from './config';
import { serviceConfigOf } from './service-settings';

describe('the service config written at deploy', () => {
  const config = parseProvenanceConfig({ sensitive: { tables: ['cards'] }, allowlist: ['127.0.0.1:9000'], alerts: { url: 'http://127.0.0.1:7000/x' } }, ['a', 'b', 'c']);

  it.each([
    ['the framework\'s names, in the deploy credentials\' namespace', {}, { a: { name: 'shop-dev-a' }, b: { name: 'shop-dev-b' } }, ['_/shop-dev-a', '_/shop-dev-b']],
    ['provider.namespace', { namespace: 'team' }, { a: { name: 'shop-dev-a' } }, ['team/shop-dev-a']],
    ['a function\'s own namespace and name win', { namespace: '/team/' }, { a: { name: 'custom', namespace: 'other' }, b: { name: 'shop-dev-b' } }, ['other/custom', 'team/shop-dev-b']],
    ['no name filled in: <service>-<stage>-<function>', {}, { c: {} }, ['_/shop-prod-c']],
  ])('%s', (_name, provider, functions, actions) => {
    const stage = actions[0]!.includes('prod') ? 'prod' : 'dev';
    expect(serviceConfigOf({ service: 'shop', stage, ...provider, functions }, config, 5)).toEqual({
      service: 'shop',
      stage,
      actions,
      sensitive: { tables: ['cards'] },
      allowlist: ['127.0.0.1:9000'],
      alerts: { url: 'http://127.0.0.1:7000/x' },
      deployedAt: 5,
    });
  });

  it('settings not written are left out (the correlator then uses its defaults for them)', () => {
    expect(serviceConfigOf({ service: 's', stage: 'dev', functions: { a: { name: 's-dev-a' } } }, parseProvenanceConfig(undefined, ['a']), 1)).toEqual({
      service: 's', stage: 'dev', actions: ['_/s-dev-a'], deployedAt: 1,
    });
  });
});
