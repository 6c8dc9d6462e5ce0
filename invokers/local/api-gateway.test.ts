import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { buildApiDoc, matchRoute } from './api-gateway';

// the swagger serverless-openwhisk sends for `http: GET /items/{id}` and `http: POST /items`
const swagger = {
  swagger: '2.0',
  basePath: '/shop',
  info: { title: 'shop', version: '1.0' },
  paths: {
    '/items/{id}': { get: { operationId: 'get-/items/{id}', 'x-openwhisk': { action: 'svc-get', namespace: '_', package: 'default', url: 'https://h/api/v1/web/_/default/svc-get.http$(request.path)' } } },
    '/items': { post: { operationId: 'post-/items', 'x-openwhisk': { action: 'svc-add', namespace: 'guest', package: 'default', url: 'https://h/api/v1/web/guest/default/svc-add.json' } } },
  },
  'x-ibm-configuration': {
    assembly: {
      execute: [{ 'operation-switch': { case: [{ operations: ['get-/items/{id}'], execute: [{ 'set-variable': { actions: [{ set: 'message.headers.X-Require-Whisk-Auth', value: 'k1' }] } }, { invoke: { 'target-url': 'x', verb: 'keep' } }] }] } }],
    },
  },
};

describe('API gateway routes', () => {
  const api = buildApiDoc({ apidoc: { namespace: '_', swagger } }, 'guest', 1);

  it('reads the routes, their web actions and secrets from the swagger', () => {
    expect(api).toMatchObject({ namespace: 'guest', name: '/shop' });
    expect(api.routes).toEqual([
      { method: 'GET', relpath: '/items/{id}', target: 'guest/default/svc-get.http', secret: 'k1' },
      { method: 'POST', relpath: '/items', target: 'guest/default/svc-add.json' },
    ]);
  });

  it.each([
    ['GET', '/shop/items/7', 'svc-get', 'http'],
    ['post', '/shop/items', 'svc-add', 'json'],
  ])('%s %s -> %s.%s', (method, path, name, ext) => {
    const m = matchRoute([api], method, path);
    expect(m.target.ref.name).toBe(name);
    expect(m.target.extension).toBe(ext);
  });

  it.each([
    ['GET', '/shop/items', 405],
    ['GET', '/shop/other', 404],
    ['GET', '/shop/items/', 404],
  ])('%s %s -> %i', (method, path, code) => {
    let caught: unknown;
    try {
      matchRoute([api], method, path);
    } catch (err) {
      caught = err;
    }
    expect((caught as ApiError).status).toBe(code);
  });

  it("reads a path written without its leading '/' (`http: GET time`) as rooted at the base path", () => {
    const bare = buildApiDoc({ apidoc: { namespace: '_', swagger: { ...swagger, basePath: '/', paths: { time: swagger.paths['/items'] } } } }, 'guest', 1);
    expect(bare.routes.map((r) => r.relpath)).toEqual(['/time']);
    expect(matchRoute([bare], 'POST', '/time').target.ref.name).toBe('svc-add');
  });

  it('takes the single-route form of the openwhisk client, and refuses a body without either', () => {
    const single = buildApiDoc({ apidoc: { namespace: '_', gatewayBasePath: '/b', gatewayPath: '/p', gatewayMethod: 'get', action: { backendUrl: 'http://h/api/v1/web/guest/default/a.http', secureKey: 's' } } }, 'guest', 1);
    expect(single.routes).toEqual([{ method: 'GET', relpath: '/p', target: 'guest/default/a.http', secret: 's' }]);
    expect(() => buildApiDoc({ apidoc: {} }, 'guest', 1)).toThrow(/API document is not valid/);
  });
});
