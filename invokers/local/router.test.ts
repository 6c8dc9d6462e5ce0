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
    ['GET', '/api/v1/namespaces/_/triggers', { kind: 'empty.list', ns: '_', collection: 'triggers' }],
    ['GET', '/api/v1/web/whisk.system/apimgmt/getApi.http', { kind: 'routes.list' }],
    ['PUT', '/api/v1/namespaces/_/rules/r', { kind: 'unsupported', what: 'rules' }],
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
