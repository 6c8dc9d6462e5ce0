import { describe, expect, it } from 'vitest';
import type { Api } from './api';
import { checkNamespaces, Tenants } from './tenants';
import type { Route } from './router';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const api = (name: string) => ({ name }) as unknown as Api;
const tenants = () =>
  new Tenants([
    { namespace: 'guest', auth: 'u1:k1', api: api('guest') },
    { namespace: 'other', auth: 'u2:k2', api: api('other') },
  ]);

describe('checkNamespaces', () => {
  it('keeps the order: the first is the default', () => expect(checkNamespaces(['guest', 'other'])).toEqual(['guest', 'other']));
  it.each([
    [[], /at least one/],
    [['_'], /bad namespace "_"/],
    [['whisk.system'], /bad namespace/],
    [['a b'], /bad namespace/],
    [['guest', 'guest'], /given twice/],
  ])('%j is refused', (list, message) => expect(() => checkNamespaces(list)).toThrow(message));
});

describe('Tenants', () => {
  it.each([
    [basic('u1:k1'), 'guest'],
    [basic('u2:k2'), 'other'],
    [basic('u1:k2'), undefined],
    [basic('u2:k2x'), undefined],
    ['Bearer u1:k1', undefined],
    [undefined, undefined],
  ])('the key in %s picks %s', (header, ns) => expect(tenants().byHeader(header)?.namespace).toBe(ns));

  it.each([
    [{ kind: 'web', segments: ['other', 'default', 'hello'] }, 'other'],
    [{ kind: 'web', segments: ['_', 'default', 'hello'] }, 'guest'],
    [{ kind: 'gateway', ns: 'other', path: '/x' }, 'other'],
    [{ kind: 'gateway', ns: 'nobody', path: '/x' }, 'guest'],
    [{ kind: 'info' }, 'guest'],
  ] as Array<[Route, string]>)('public route %j is answered by %s', (route, ns) => expect(tenants().forPublicRoute(route).namespace).toBe(ns));

  it('refuses two namespaces with one key', () => {
    expect(() => new Tenants([{ namespace: 'a', auth: 'u:k', api: api('a') }, { namespace: 'b', auth: 'u:k', api: api('b') }])).toThrow(/same key/);
  });
});
