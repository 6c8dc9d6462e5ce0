// The REST API answers like OpenWhisk's: every bad request gets OpenWhisk's status and its
// `{error, code}` body (code = the transaction id), never a crash, a hang or a dropped connection.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../invokers/local/index';
import { MAX_ACTION_PUT_BYTES, MAX_CODE_BYTES, MAX_PAYLOAD_BYTES } from '../invokers/local/limits';
import { runtimeScript } from '../invokers/local/runtime-script';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Plain HTTP, so that bad bodies, methods and credentials reach the server as sent. */
function request(base: string, method: string, url: string, opts: { auth?: string | null; body?: string | Buffer; headers?: Record<string, string>; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (opts.body !== undefined && !opts.chunked) headers['content-length'] = String(Buffer.byteLength(opts.body));
    if (opts.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const req = http.request(`${base}${url}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${method} ${url} within 30 s`)));
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

const HELLO = `function main(p) { return { hello: p.name || 'world' }; }`;
const THROWS = `async function main() { const e = new TypeError('bad card'); e.detail = 7; throw e; }`;

describe('REST API errors, as OpenWhisk answers them', () => {
  let storeDir: string;
  let platform: Platform;
  let base: string;
  let auth: string;

  beforeAll(async () => {
    runtimeScript();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-api-test-'));
    platform = await startPlatform({ storeDir, kernelCapture: false, log: () => {} });
    base = platform.apihost;
    auth = platform.auth;
    for (const [name, code] of Object.entries({ hello: HELLO, throws: THROWS })) {
      const put = await request(base, 'PUT', `/api/v1/namespaces/_/actions/${name}`, { auth, body: JSON.stringify({ exec: { kind: 'nodejs:20', code } }) });
      expect(put.status).toBe(200);
    }
  });

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  const ok = () => auth;
  it.each<[string, string, string, { auth?: () => string | null; body?: string; headers?: Record<string, string> }, number, RegExp]>([
    ['malformed JSON', 'PUT', '/api/v1/namespaces/_/actions/broken', { body: '{"exec": ' }, 400, /^The request content was malformed/],
    ['parameters that are not an object', 'POST', '/api/v1/namespaces/_/actions/hello?blocking=true', { body: '[1,2]' }, 400, /must be a JSON object/],
    ['unknown route', 'GET', '/api/v1/namespaces/_/widgets', {}, 404, /^The requested resource does not exist\.$/],
    ['path outside the API', 'GET', '/nothing/here', {}, 404, /does not exist/],
    ['method the collection does not take', 'PATCH', '/api/v1/namespaces/_/actions/hello', {}, 405, /HTTP method not allowed/],
    ['POST on the activation list', 'POST', '/api/v1/namespaces/_/activations', {}, 405, /HTTP method not allowed/],
    ['no credentials', 'GET', '/api/v1/namespaces/_/actions', { auth: () => null }, 401, /authentication is invalid/],
    ['wrong credentials', 'GET', '/api/v1/namespaces/_/actions', { auth: () => 'someone:else' }, 401, /authentication is invalid/],
    ['another namespace', 'GET', '/api/v1/namespaces/other/actions', {}, 403, /not authorized to access 'other'/],
    ['unknown action', 'POST', '/api/v1/namespaces/_/actions/missing?blocking=true', { body: '{}' }, 404, /does not exist/],
    ['unknown activation', 'GET', '/api/v1/namespaces/_/activations/0123456789abcdef0123456789abcdef', {}, 404, /does not exist/],
    ['create without overwrite', 'PUT', '/api/v1/namespaces/_/actions/hello', { body: JSON.stringify({ exec: { kind: 'nodejs:20', code: HELLO } }) }, 409, /^resource already exists$/],
    ['unsupported kind', 'PUT', '/api/v1/namespaces/_/actions/py', { body: JSON.stringify({ exec: { kind: 'python:3', code: 'x' } }) }, 400, /kind 'python:3' is not supported/],
    ['sequence of a missing action', 'PUT', '/api/v1/namespaces/_/actions/seq', { body: JSON.stringify({ exec: { kind: 'sequence', components: ['/_/hello', '/_/nope'] } }) }, 400, /^Sequence component does not exist\.$/],
    ['sequence of itself', 'PUT', '/api/v1/namespaces/_/actions/selfish', { body: JSON.stringify({ exec: { kind: 'sequence', components: ['/_/selfish'] } }) }, 400, /may not refer to itself/],
    ['rule of a missing trigger', 'PUT', '/api/v1/namespaces/_/rules/r', { body: JSON.stringify({ trigger: '/_/nope', action: '/_/hello' }) }, 404, /trigger 'guest\/nope' does not exist/],
    ['firing a missing trigger', 'POST', '/api/v1/namespaces/_/triggers/nope', { body: '{}' }, 404, /does not exist/],
    ['bad rule status', 'POST', '/api/v1/namespaces/_/rules/nope', { body: '{"status":"on"}' }, 404, /does not exist/],
    ['web action that is not exported', 'GET', '/api/v1/web/guest/default/hello.json', { auth: () => null }, 404, /does not exist/],
    ['web action with an unknown extension', 'GET', '/api/v1/web/guest/default/hello.xml', { auth: () => null }, 406, /only available with these types/],
    ['gateway path with no route', 'GET', '/api/guest/shop/none', { auth: () => null }, 404, /No API route matches/],
    ['bad X-Request-ID', 'GET', '/api/v1/namespaces/_/actions', { headers: { 'x-request-id': 'has space' } }, 400, /X-Request-ID must be/],
  ])('%s: %s %s -> %i', async (_what, method, url, opts, status, message) => {
    const a = await request(base, method, url, { auth: (opts.auth ?? ok)(), body: opts.body, headers: { 'x-request-id': 'txn-table-1', ...(opts.headers ?? {}) } });
    expect(a.status).toBe(status);
    const body = JSON.parse(a.text) as { error: string; code: string };
    expect(body.error).toMatch(message);
    expect(body.code).toBe(status === 400 && opts.headers?.['x-request-id'] ? a.headers['x-request-id'] : 'txn-table-1');
    expect(a.headers['x-request-id']).toBe(body.code);
  });

  it('answers 413 with OpenWhisk\'s body, not a reset connection, for parameters over 1 MB (declared or chunked)', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) });
    for (const chunked of [false, true]) {
      const a = await request(base, 'POST', '/api/v1/namespaces/_/actions/hello?blocking=true', { auth, body: big, chunked });
      expect(a.status).toBe(413);
      const body = JSON.parse(a.text);
      expect(body.error).toBe(`Request larger than allowed: ${Buffer.byteLength(big)} > ${MAX_PAYLOAD_BYTES} bytes.`);
      expect(body.code).toMatch(/^[0-9a-f]{32}$/);
    }
    // the platform still answers afterwards
    expect((await request(base, 'POST', '/api/v1/namespaces/_/actions/hello?blocking=true&result=true', { auth, body: '{"name":"after"}' })).text).toBe('{"hello":"after"}');
  });

  it('refuses action code over 48 MB with 413, and a PUT body over the code limit plus its envelope', async () => {
    const code = 'A'.repeat(MAX_CODE_BYTES + 1);
    const a = await request(base, 'PUT', '/api/v1/namespaces/_/actions/huge', { auth, body: JSON.stringify({ exec: { kind: 'nodejs:20', code } }) });
    expect(a.status).toBe(413);
    expect(JSON.parse(a.text).error).toBe(`exec larger than allowed: ${MAX_CODE_BYTES + 1} > ${MAX_CODE_BYTES} bytes.`);
    const b = await request(base, 'PUT', '/api/v1/namespaces/_/actions/huge', { auth, body: JSON.stringify({ exec: { kind: 'nodejs:20', code: 'A'.repeat(MAX_ACTION_PUT_BYTES) } }) });
    expect(b.status).toBe(413);
    expect(JSON.parse(b.text).error).toMatch(/^Request larger than allowed: \d+ > \d+ bytes\.$/);
    expect((await request(base, 'GET', '/api/v1/namespaces/_/actions/huge', { auth })).status).toBe(404);
  }, 60_000);

  it('answers a failed blocking invoke with 502 and the error as the Node runtime returns it (name, message, stack)', async () => {
    const a = await request(base, 'POST', '/api/v1/namespaces/_/actions/throws?blocking=true', { auth, body: '{}' });
    expect(a.status).toBe(502);
    const record = JSON.parse(a.text);
    expect(record.response.status).toBe('application error');
    expect(record.response.result.error).toMatchObject({ name: 'TypeError', message: 'bad card', detail: 7 });
    expect(record.response.result.error.stack).toMatch(/^TypeError: bad card\n\s+at /);
    const result = await request(base, 'POST', '/api/v1/namespaces/_/actions/throws?blocking=true&result=true', { auth, body: '{}' });
    expect(result.status).toBe(502);
    expect(JSON.parse(result.text).error.name).toBe('TypeError');
  });
});
