import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../store/service-config';
import { resolveDefaultNamespace, withDeployNamespace } from './deploy-namespace';

const base: ServiceConfig = { service: 'shop', stage: 'dev', actions: ['_/shop-dev-a', '_/shop-dev-b'], deployedAt: 1 };

/** An address nothing listens on (a port just freed). */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((done) => s.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

// an API host that knows one key, as `GET /api/v1/namespaces` does
let server: Server;
let apihost = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const ok = req.url === '/api/v1/namespaces' && req.headers.authorization === `Basic ${Buffer.from('u:k').toString('base64')}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '["guest"]' : '{"error":"denied"}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  apihost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('the namespace deploy-time settings belong to', () => {
  it.each([
    ['every `_` resolved: the namespace\'s', ['_/a', '_/b'], ['guest/a', 'guest/b'], 'guest'],
    ['already named', ['guest/a', '_/b'], ['guest/a', 'guest/b'], 'guest'],
    ['spanning two namespaces: nobody\'s alone', ['other/a', '_/b'], ['guest/b', 'other/a'], undefined],
  ])('%s', (_what, actions, expected, namespace) => {
    const out = resolveDefaultNamespace({ ...base, actions }, 'guest');
    expect(out.actions).toEqual(expected);
    expect(out.namespace).toBe(namespace);
  });

  it('asks the API host whose the deploy key is', async () => {
    expect(await withDeployNamespace(base, { apihost, auth: 'u:k' })).toEqual({ settings: { ...base, namespace: 'guest', actions: ['guest/shop-dev-a', 'guest/shop-dev-b'] } });
  });

  it.each([
    ['a namespace the credentials name', { namespace: '/team/' }, 'team'],
    ['no `_` at all', {}, 'ns'],
  ])('needs no question with %s', async (_what, credentials, namespace) => {
    const settings = namespace === 'ns' ? { ...base, actions: ['ns/x'] } : base;
    expect((await withDeployNamespace(settings, credentials)).settings.namespace).toBe(namespace);
  });

  it.each<[string, { apihost?: string; auth?: string }, RegExp]>([
    ['no credentials', {}, /no API host and key/],
    ['a refused key', { auth: 'u:wrong' }, /refused the deploy key \(HTTP 401\)/],
    ['an API host that does not answer', { apihost: 'closed', auth: 'u:k' }, /did not say whose the deploy key is \(ECONNREFUSED\)/],
  ])('keeps `_` and says why with %s', async (what, credentials, why) => {
    const c = { apihost: credentials.apihost === 'closed' ? await closedPort() : apihost, ...(credentials.auth ? { auth: credentials.auth } : {}) };
    const out = await withDeployNamespace(base, what === 'no credentials' ? {} : c);
    expect(out.settings).toEqual(base);
    expect(out.unresolved).toMatch(why);
  });
});
