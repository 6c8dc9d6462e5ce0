import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { route } from './router';

describe('route', () => {
  it.each([
    ['GET', '/api/v1', { kind: 'info' }],
    ['GET', '/api/v1/namespaces', { kind: 'namespaces.list' }],
    ['GET', '/api/v1/namespaces/_/actions', { kind: 'actions.list', ns: '_' }],
    ['PUT', '/api/v1/namespaces/_/actions/hello', { kind: 'actions.put', ns: '_', segments: ['hello'] }],
    ['POST', '/api/v1/namespaces/guest/actions/pkg/hello', { kind: 'actions.invoke', ns: 'guest', segments: ['pkg', 'hello'] }],
    ['DELETE', '/api/v1/namespaces/_/actions/a%20b', { kind: 'actions.delete', ns: '_', segments: ['a b'] }],
    ['GET', '/api/v1/namespaces/_/activations', { kind: 'activations.list', ns: '_' }],
    ['GET', '/api/v1/namespaces/_/activations/abc', { kind: 'activations.get', ns: '_', id: 'abc' }],
    ['GET', '/api/v1/namespaces/_/activations/abc/logs', { kind: 'activations.logs', ns: '_', id: 'abc' }],
    ['GET', '/api/v1/namespaces/_/activations/abc/result', { kind: 'activations.result', ns: '_', id: 'abc' }],
    ['PUT', '/api/v1/namespaces/_/packages/p', { kind: 'packages.put', ns: '_', name: 'p' }],
    ['GET', '/api/v1/namespaces/_/triggers', { kind: 'triggers.list', ns: '_' }],
    ['PUT', '/api/v1/namespaces/_/triggers/t', { kind: 'triggers.put', ns: '_', name: 't' }],
    ['POST', '/api/v1/namespaces/_/triggers/t', { kind: 'triggers.fire', ns: '_', name: 't' }],
    ['DELETE', '/api/v1/namespaces/_/triggers/t', { kind: 'triggers.delete', ns: '_', name: 't' }],
    ['GET', '/api/v1/namespaces/_/rules', { kind: 'rules.list', ns: '_' }],
    ['PUT', '/api/v1/namespaces/_/rules/r', { kind: 'rules.put', ns: '_', name: 'r' }],
    ['POST', '/api/v1/namespaces/_/rules/r', { kind: 'rules.status', ns: '_', name: 'r' }],
    ['POST', '/api/v1/namespaces/whisk.system/actions/alarms/alarm', { kind: 'feed.alarm' }],
    ['GET', '/api/v1/web/whisk.system/apimgmt/getApi.http', { kind: 'routes.list' }],
    ['POST', '/api/v1/web/whisk.system/apimgmt/createApi.http', { kind: 'routes.create' }],
    ['DELETE', '/api/v1/web/whisk.system/apimgmt/deleteApi.http', { kind: 'routes.delete' }],
    ['PATCH', '/api/v1/web/guest/default/hello.json/a/b', { kind: 'web', segments: ['guest', 'default', 'hello.json', 'a', 'b'] }],
    ['GET', '/api/guest/shop/items/7', { kind: 'gateway', ns: 'guest', path: '/shop/items/7' }],
  ])('%s %s', (method, path, expected) => {
    expect(route(method, path)).toEqual(expected);
  });

  it.each([
    ['GET', '/nope', 404],
    ['GET', '/api/v1/namespaces/_/actions/a/b/c', 404],
    ['PATCH', '/api/v1/namespaces/_/actions/a', 405],
    ['POST', '/api/v1/namespaces/_/activations', 405],
    ['GET', '/api/v1/namespaces/_/activations/a/other', 404],
    ['GET', '/api/v1/namespaces/_/actions/%E0%A4%A', 400],
    ['PATCH', '/api/v1/namespaces/_/triggers/t', 405],
    ['GET', '/api/v1/namespaces/_/rules/r/x', 404],
    ['GET', '/api/v1/namespaces/whisk.system/actions/alarms/alarm', 405],
    ['POST', '/api/v1/web/whisk.system/apimgmt/getApi.http', 405],
    ['GET', '/api', 404],
  ])('%s %s -> %d', (method, path, status) => {
    let caught: unknown;
    try {
      route(method, path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).status).toBe(status);
  });
});
