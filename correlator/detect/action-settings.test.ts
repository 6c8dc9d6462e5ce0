import { describe, expect, it } from 'vitest';
import { detectionOptionsFrom } from './action-settings';

describe('the correlator action\'s detection settings', () => {
  it.each([
    ['nothing given: the deployed services decide', {}, {}, []],
    ['a sensitive parameter wins over the services', { sensitive: { tables: ['t'] } }, {}, ['sensitive']],
    ['an allowlist from the environment wins too', {}, { PROVENANCE_ALLOWLIST: 'a.example,b.example:80' }, ['allowlist']],
  ])('%s', (_name, params, env, fixed) => {
    const options = detectionOptionsFrom(params, env);
    expect(options).toMatchObject({ fixed });
  });

  it('the platform\'s API host and DynamoDB endpoint are inside', () => {
    const options = detectionOptionsFrom({}, { __OW_API_HOST: 'http://10.0.0.1:3233' }, 'http://10.0.0.2:8000');
    expect(options).toMatchObject({ config: { inside: [{ host: '10.0.0.1', port: 3233 }, { host: '10.0.0.2', port: 8000 }] } });
  });
});
