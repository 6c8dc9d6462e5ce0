// Fuzz target for the embedded platform's REST API: the real platform (startPlatform) on
// 127.0.0.1, sent generated requests shaped like OpenWhisk's (every collection, entity names with
// packages, odd encodings and lengths, the query parameters the API reads, good and bad
// credentials, action/package/trigger/rule documents, junk and oversized bodies, invocations of
// actions that answer, throw, or fail to load). Never a crash, a hang, or a 5xx other than the
// 502 OpenWhisk itself answers for an action's error and the 501 (with OpenWhisk's error shape)
// the platform answers for what it deliberately does not run, such as blackbox actions without Docker.
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPlatform } from '../invokers/local/index';
import { newReport, record, type FuzzReport } from './fuzz-run';
import { reasonOf, type FuzzOutcome } from './fuzz-targets';

interface Req {
  method: string;
  path: string;
  query: Array<[string, string]>;
  auth: 'good' | 'wrong' | 'none' | 'malformed';
  contentType?: string;
  body?: string;
}

const CODES = [
  'function main(p) { return { ok: true, got: Object.keys(p).length }; }',
  "function main() { throw new Error('boom'); }",
  'function main() { return new Promise((r) => setTimeout(() => r({ later: 1 }), 5)); }',
  'function main( {',
  'exports.main = () => ({ error: "returned an error" });',
  'function notMain() { return {}; }',
];
const NAMES = ['a1', 'a1', 'a2', 'a2', 'p1/a3', 'p1/a3', 'p1', 't1', 'r1', 'nope', '', 'a%00b', 'x'.repeat(300), '..%2F..', '%C3%BC', 'a1/extra', 'p1/p2/a4', '%', '%E0%A4%A'];
const COLLECTIONS = ['actions', 'actions', 'actions', 'packages', 'triggers', 'rules', 'activations', 'activations', 'namespaces', 'unknown'];
const NAMESPACES = ['_', '_', '_', 'guest', 'guest', 'other', '%5F', '', '..', 'a%2Fb'];

const jsonText = fc.oneof(
  fc.constantFrom(...CODES).map((code) => JSON.stringify({ exec: { kind: 'nodejs:20', code }, parameters: [{ key: 'k', value: 1 }] })),
  fc.constantFrom('nodejs:default', 'python:3', 'blackbox', 'sequence', '', 'nodejs:20').map((kind) => JSON.stringify({ exec: { kind, code: CODES[0], components: ['/_/a1', '/_/a2'], image: 'x' } })),
  fc.constant(JSON.stringify({ exec: { kind: 'sequence', components: ['/_/a1', '/_/nope'] } })),
  fc.constant(JSON.stringify({ trigger: '/_/t1', action: '/_/a1' })),
  fc.constant(JSON.stringify({ parameters: [{ key: 'x', value: 'y' }], annotations: [{ key: 'web-export', value: true }] })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom('exec', 'limits', 'parameters', 'annotations', 'publish', 'name', 'status', 'trigger', 'action', 'binding'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.integer({ min: 1, max: 4 }).map((n) => JSON.stringify({ exec: { kind: 'nodejs:20', code: 'x'.repeat(n * 300_000) } })),
  fc.constantFrom('{"a":', '[', '"\\ud800"', 'null', '{"__proto__":{"x":1}}', '{"exec":{"kind":"nodejs:20","code":null}}', '{"exec":{"kind":"nodejs:20","binary":true,"code":"not base64!"}}'),
);

const query = fc.array(
  fc.tuple(
    fc.constantFrom('blocking', 'result', 'overwrite', 'limit', 'skip', 'since', 'upto', 'docs', 'name', 'code', 'count', 'timeout'),
    fc.oneof(fc.constantFrom('true', 'false', '0', '-1', '5', '201', '1e3', 'x', '', '%', '99999999999999999999'), fc.string({ maxLength: 8 })),
  ),
  { maxLength: 3 },
);

export const request: fc.Arbitrary<Req> = fc.record({
  method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'PROPFIND') }),
  path: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...COLLECTIONS), fc.constantFrom(...NAMES)).map(([ns, c, n]) => `/api/v1/namespaces/${ns}/${c}${n ? `/${n}` : ''}`) },
    { weight: 1, arbitrary: fc.constantFrom('/', '/api', '/api/v1', '/api/v1/namespaces', '/api/v1/web/guest/default/a1.json', '/api/v1/web/guest/p1/a3/x/y', '/api/v1/web/_/default/a1.http', '//api//v1', '/api/v1/namespaces/_/activations/0123456789abcdef0123456789abcdef/logs') },
    { weight: 1, arbitrary: fc.webPath() },
  ),
  query,
  auth: fc.oneof({ weight: 8, arbitrary: fc.constant('good' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const, 'malformed' as const) }),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data'), { nil: undefined }),
  body: fc.option(jsonText, { nil: undefined }),
});

/** Per request: longer than this is a hang (a blocking invoke answers 202 after 2 s here). */
const REQUEST_TIMEOUT_MS = 15_000;

export async function send(base: string, auth: string, r: Req): Promise<FuzzOutcome | Error> {
  const url = new URL(base);
  let target: URL;
  try {
    target = new URL(r.path, url);
  } catch {
    return { rejected: 'client: not a URL' };
  }
  // the generated path stays on the platform: only its path and query are used
  const qs = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const href = `${base}${target.pathname}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = {};
  if (r.auth === 'good') headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  else if (r.auth === 'wrong') headers.authorization = `Basic ${Buffer.from('nobody:nothing').toString('base64')}`;
  else if (r.auth === 'malformed') headers.authorization = 'Basic !!!not-base64';
  if (r.contentType) headers['content-type'] = r.contentType;
  const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
  let res: Response;
  try {
    res = await fetch(href, { method: r.method, headers, body: hasBody ? r.body : undefined, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === 'TimeoutError') return Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${r.method} ${href.slice(0, 200)}`), { name: 'Hang' });
    return new Error(`connection failed (${err.cause?.code ?? err.message}): ${r.method} ${href.slice(0, 200)}`);
  }
  const text = await res.text();
  if (res.status >= 500 && res.status !== 502 && !(res.status === 501 && isOpenWhiskError(text))) return new Error(`HTTP ${res.status} for ${r.method} ${href.slice(0, 200)}: ${text.slice(0, 200)}`);
  if (res.status < 400) return { accepted: true };
  let why = '';
  try {
    why = String((JSON.parse(text) as { error?: unknown }).error ?? '');
  } catch {
    why = text.slice(0, 60);
  }
  return { rejected: `${res.status} ${reasonOf(why).slice(0, 70)}` };
}

/** OpenWhisk's error body: {error: message, code: transaction id}. */
function isOpenWhiskError(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown };
    return typeof body.error === 'string' && typeof body.code === 'string';
  } catch {
    return false;
  }
}

/** Start a platform, send `runs` generated requests (a few in flight at once), stop it. */
export async function runRestFuzz(runs: number, seed: number, inFlight = 4): Promise<FuzzReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-rest-'));
  const platform = await startPlatform({ storeDir: dir, port: 0, kernelCapture: false, blockingWaitMs: 2000, maxContainers: 8, log: () => {} });
  const report = newReport('rest-api');
  const t0 = performance.now();
  try {
    // entities for the generated requests to find: an action that answers, one that throws, a package and its action, a trigger and its rule
    const seedDocs: Array<[string, unknown]> = [
      ['actions/a1', { exec: { kind: 'nodejs:20', code: CODES[0] } }],
      ['actions/a2', { exec: { kind: 'nodejs:20', code: CODES[1] } }],
      ['packages/p1', {}],
      ['actions/p1/a3', { exec: { kind: 'nodejs:20', code: CODES[2] } }],
      ['triggers/t1', {}],
      ['rules/r1', { trigger: '/_/t1', action: '/_/a1' }],
    ];
    const reseed = async (): Promise<void> => {
      for (const [where, doc] of seedDocs) {
        const r = await send(platform.apihost, platform.auth, { method: 'PUT', path: `/api/v1/namespaces/_/${where}`, query: [['overwrite', 'true']], auth: 'good', contentType: 'application/json', body: JSON.stringify(doc) });
        if (!('accepted' in r)) throw new Error(`rest fuzz: could not create ${where}: ${r instanceof Error ? r.message : r.rejected}`);
      }
    };
    for (let done = 0, chunk = 0; done < runs; chunk++) {
      // generated DELETEs and PUTs change the entities: put them back every chunk
      await reseed();
      const inputs = fc.sample(request, { numRuns: Math.min(100, runs - done), seed: seed + chunk });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < inputs.length) {
          const r = inputs[next++]!;
          const s = performance.now();
          const outcome = await send(platform.apihost, platform.auth, r);
          const ms = performance.now() - s;
          if (outcome instanceof Error && outcome.name === 'Hang') record(report, r, { rejected: 'hang' }, REQUEST_TIMEOUT_MS + 1, REQUEST_TIMEOUT_MS);
          else record(report, r, outcome, ms, REQUEST_TIMEOUT_MS);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      done += inputs.length;
    }
    // and it still answers afterwards
    const after = await send(platform.apihost, platform.auth, { method: 'GET', path: '/api/v1/namespaces/_/actions', query: [], auth: 'good' });
    if (!('accepted' in after)) record(report, 'GET /api/v1/namespaces/_/actions after the run', after instanceof Error ? after : new Error(`the platform no longer lists actions: ${after.rejected}`), 0, REQUEST_TIMEOUT_MS);
  } finally {
    report.ms = performance.now() - t0;
    await platform.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return report;
}
