import { describe, expect, it } from 'vitest';
import type { ActionDoc } from './action-doc';
import { makeResponse } from './activation-record';
import { ApiError } from './api-error';
import { webAuth, webParams, webResponse, webTarget, type WebTarget } from './web-action';

const action = (annotations: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}): ActionDoc => ({
  namespace: 'guest', name: 'a', version: '0.0.1', publish: false,
  exec: { kind: 'nodejs:20', code: 'x', binary: false },
  annotations: Object.entries({ 'web-export': true, ...annotations }).map(([key, value]) => ({ key, value })),
  parameters: Object.entries(parameters).map(([key, value]) => ({ key, value })),
  limits: { timeout: 1000, memory: 256, logs: 10, concurrency: 1 },
  updated: 0,
});

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? err.status : -1;
  }
  return undefined;
};

describe('webTarget', () => {
  it.each([
    [['guest', 'default', 'hello.json'], { ref: { namespace: 'guest', name: 'hello' }, extension: 'json', path: '' }],
    [['guest', 'default', 'hello'], { ref: { namespace: 'guest', name: 'hello' }, extension: 'http', path: '' }],
    [['guest', 'shop', 'cart.http', 'items', '7'], { ref: { namespace: 'guest', pkg: 'shop', name: 'cart' }, extension: 'http', path: '/items/7' }],
  ])('%j', (segments, expected) => {
    expect(webTarget(segments)).toEqual(expected);
  });

  it.each([
    [['guest', 'default'], 404],
    [['guest', 'default', 'hello.xml'], 406],
  ])('%j -> %i', (segments, code) => {
    expect(status(() => webTarget(segments))).toBe(code);
  });
});

describe('webAuth', () => {
  it.each([
    [{}, { kind: 'none' }],
    [{ 'require-whisk-auth': true }, { kind: 'basic' }],
    [{ 'require-whisk-auth': 'abc' }, { kind: 'secret', value: 'abc' }],
    [{ 'require-whisk-auth': 42 }, { kind: 'secret', value: '42' }],
    [{ 'require-whisk-auth': false }, { kind: 'none' }],
  ])('%j', (annotations, expected) => {
    expect(webAuth(action(annotations))).toEqual(expected);
  });
});

describe('webParams', () => {
  const target: WebTarget = { ref: { namespace: 'guest', name: 'a' }, extension: 'json', path: '/p' };
  const req = (contentType: string | undefined, body: string, query = '') => ({
    method: 'POST',
    headers: { ...(contentType ? { 'content-type': contentType } : {}), 'X-Custom': 'v' },
    query: new URLSearchParams(query),
    rawQuery: query,
    body: Buffer.from(body),
  });

  it.each([
    ['a JSON object body merges into the parameters', {}, req('application/json', '{"x":1}', 'q=2'), { d: 0, x: 1, q: '2' }],
    ['a form body merges too', {}, req('application/x-www-form-urlencoded', 'x=1&y=2'), { d: 0, x: '1', y: '2' }],
    ['other text arrives as __ow_body', {}, req('text/plain', 'hello'), { d: 0, __ow_body: 'hello' }],
    ['binary arrives base64', {}, req('image/png', '\u0001\u0002'), { d: 0, __ow_body: 'AQI=' }],
    ['raw: body and query as they came', { 'raw-http': true }, req('application/json', '{"x":1}', 'q=2'), { d: 0, __ow_body: '{"x":1}', __ow_query: 'q=2' }],
  ])('%s', (_what, annotations, request, expected) => {
    const params = webParams(action(annotations, { d: 0 }), target, request);
    expect(params).toMatchObject({ ...expected, __ow_method: 'post', __ow_path: '/p', __ow_headers: { 'content-type': request.headers['content-type'], 'x-custom': 'v' } });
  });

  it('malformed JSON is a 400', () => {
    expect(status(() => webParams(action(), target, req('application/json', '{')))).toBe(400);
  });
});

describe('webResponse', () => {
  const t = (extension: WebTarget['extension']): WebTarget => ({ ref: { namespace: 'guest', name: 'a' }, extension, path: '' });
  it.each([
    ['json', makeResponse('success', { a: 1 }), 200, 'application/json', '{"a":1}'],
    ['http', makeResponse('success', { statusCode: 201, headers: { 'Content-Type': 'text/plain' }, body: 'hi' }), 201, 'text/plain', 'hi'],
    ['http', makeResponse('success', { body: { a: 1 } }), 200, 'application/json', '{"a":1}'],
    ['http', makeResponse('success', {}), 204, undefined, ''],
    ['http', makeResponse('success', { headers: { 'content-type': 'image/png' }, body: 'AQI=' }), 200, 'image/png', '\u0001\u0002'],
    ['text', makeResponse('success', { text: 'plain' }), 200, 'text/plain', 'plain'],
    ['html', makeResponse('success', { html: '<b>x</b>' }), 200, 'text/html', '<b>x</b>'],
    ['http', makeResponse('application error', { error: { statusCode: 404, body: 'gone' } }), 404, 'text/html', 'gone'],
  ] as const)('%s %j', (ext, response, code, type, body) => {
    const r = webResponse(t(ext), response);
    expect(r.status).toBe(code);
    expect(r.headers['content-type']).toBe(type);
    expect(r.body.toString('latin1')).toBe(body);
  });

  it.each([
    ['an application error', 'json', makeResponse('application error', { error: 'declined' }), 400],
    ['a crashed action', 'json', makeResponse('action developer error', { error: 'boom' }), 502],
    ['a .text result without text', 'text', makeResponse('success', { a: 1 }), 400],
    ['a bad status code', 'http', makeResponse('success', { statusCode: 99 }), 400],
  ] as const)('%s -> %i', (_what, ext, response, code) => {
    expect(status(() => webResponse(t(ext), response))).toBe(code);
  });
});
