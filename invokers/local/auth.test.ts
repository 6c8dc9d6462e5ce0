import { describe, expect, it } from 'vitest';
import { credentialsFromHeader, generateAuth, isAuthorized, transactionIdFrom, validateAuth } from './auth';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('auth', () => {
  it('generates uuid:key credentials that validate', () => {
    const auth = generateAuth();
    expect(auth).toMatch(/^[0-9a-f-]{36}:[\w-]{64}$/);
    expect(validateAuth(auth)).toBe(auth);
  });

  it.each(['nocolon', 'a b:c', ':key', 'uuid:'])('rejects %j', (auth) => {
    expect(() => validateAuth(auth)).toThrow(/<uuid>:<key>/);
  });

  it.each([
    [basic('u:k'), true],
    [basic('u:x'), false],
    [basic('u:kk'), false],
    ['Bearer abc', false],
    [undefined, false],
  ])('%s -> %s', (header, ok) => {
    expect(isAuthorized(header, 'u:k')).toBe(ok);
  });

  it('reads credentials from the header', () => {
    expect(credentialsFromHeader(basic('a:b'))).toBe('a:b');
  });

  it('takes X-Request-ID when sane, else generates or refuses', () => {
    expect(transactionIdFrom('req-1', () => 'gen')).toBe('req-1');
    expect(transactionIdFrom(undefined, () => 'gen')).toBe('gen');
    expect(transactionIdFrom(['first', 'second'], () => 'gen')).toBe('first');
    expect(() => transactionIdFrom('has space', () => 'gen')).toThrow(/X-Request-ID/);
  });
});
