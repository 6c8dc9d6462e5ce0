import { describe, expect, it } from 'vitest';
import { webEntry } from './web-entry';

describe('webEntry', () => {
  it.each([
    ['not a web request', { name: 'x' }, undefined],
    ['no params', undefined, undefined],
    ['method and path', { __ow_method: 'post', __ow_path: '/a/b' }, { m: 'post', p: '/a/b' }],
    [
      'credentials redacted, other headers kept',
      { __ow_method: 'get', __ow_path: '', __ow_headers: { Authorization: 'Bearer t', cookie: 's=1', 'x-api-key': 'k', 'x-require-whisk-auth': 's', 'user-agent': 'curl' } },
      { m: 'get', p: '', h: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', 'x-require-whisk-auth': '[redacted]', 'user-agent': 'curl' } },
    ],
  ])('%s', (_what, params, expected) => {
    expect(webEntry(params)).toEqual(expected);
  });
});
