// Workflows as OpenWhisk runs them, on the embedded platform through the `openwhisk` client and
// plain HTTP: sequences, triggers and rules (fired by a client, by an action, by an alarm), web
// actions and API gateway routes; every nested activation carries its cause.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type ActivationRecord, type Platform } from '../invokers/local/index';
import { runtimeScript } from '../invokers/local/runtime-script';
import { poll } from './wait';

type Client = ReturnType<typeof openwhisk>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ACTIONS: Record<string, string> = {
  // each step adds its name to a trail and says which parent the platform told it
  step: `function main(p) { return { ...p, trail: (p.trail || []).concat('step'), parents: (p.parents || []).concat(process.env.__OW_PARENT_ACTIVATION_ID || '-'), tid: process.env.__OW_TRANSACTION_ID }; }`,
  double: `function main(p) { return { n: (p.n || 1) * 2, trail: (p.trail || []).concat('double'), parents: (p.parents || []).concat(process.env.__OW_PARENT_ACTIVATION_ID || '-') }; }`,
  fail: `function main() { return { error: 'stop here' }; }`,
  record: `function main(p) { return { got: p, parent: process.env.__OW_PARENT_ACTIVATION_ID, tid: process.env.__OW_TRANSACTION_ID }; }`,
  fires: `const openwhisk = require('openwhisk');
async function main(p) { const r = await openwhisk().triggers.invoke({ name: 'inner-trigger', params: { from: 'action', v: p.v } }); return { fired: r.activationId }; }`,
  web: `function main(p) { return { statusCode: 201, headers: { 'x-seen': p.__ow_method }, body: { method: p.__ow_method, path: p.__ow_path, q: p.q, name: p.name, auth: p.__ow_headers['x-require-whisk-auth'] || null, rid: process.env.__OW_TRANSACTION_ID } }; }`,
  raw: `function main(p) { return { body: p.__ow_body, query: p.__ow_query, text: 'plain' }; }`,
};

describe('workflows on the embedded platform', () => {
  let storeDir: string;
  let platform: Platform;
  let ow: Client;
  const activation = (id: string) => ow.activations.get({ name: id }) as unknown as Promise<ActivationRecord>;

  beforeAll(async () => {
    runtimeScript();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-platform-'));
    platform = await startPlatform({ storeDir, kernelCapture: false, log: () => {} });
    ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    for (const [name, code] of Object.entries(ACTIONS)) {
      const annotations = name === 'web' ? { 'web-export': true, 'require-whisk-auth': 's3cret' } : name === 'raw' ? { 'web-export': true, 'raw-http': true } : undefined;
      await ow.actions.create({ name, action: code, kind: 'nodejs:20', ...(annotations ? { annotations } : {}) } as never);
    }
  });

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  it('runs a sequence: components in order, each result feeding the next, logs = component ids, components caused by the sequence', async () => {
    await ow.actions.create({ name: 'seq', action: { exec: { kind: 'sequence', components: ['/_/step', '/_/double', '/_/step'] } } } as never);
    const got = (await ow.actions.get({ name: 'seq' })) as unknown as { exec: { kind: string; components: string[]; code?: string } };
    expect(got.exec).toEqual({ kind: 'sequence', components: ['/guest/step', '/guest/double', '/guest/step'] });

    const seq = (await ow.actions.invoke({ name: 'seq', params: { n: 5 }, blocking: true, headers: { 'x-request-id': 'req-seq-1' } } as never)) as unknown as ActivationRecord;
    expect(seq.response.result).toMatchObject({ n: 10, trail: ['step', 'double', 'step'], tid: 'req-seq-1' });
    expect(seq.logs).toHaveLength(3);
    const parts = await Promise.all(seq.logs.map(activation));
    expect(parts.map((p) => p.name)).toEqual(['step', 'double', 'step']);
    for (const p of parts) expect(p.cause).toBe(seq.activationId);
    // the first component's input came from the sequence, each next one's from the previous component
    expect(seq.response.result.parents).toEqual([seq.activationId, parts[0].activationId, parts[1].activationId]);
    expect(parts[0].start).toBeLessThanOrEqual(parts[1].start);
    expect(seq.annotations.find((a) => a.key === 'kind')?.value).toBe('sequence');
    expect(parts[0].annotations.find((a) => a.key === 'causedBy')?.value).toBe('sequence');
  });

  it('stops a sequence at the first failing component with its error (502 on a blocking invoke)', async () => {
    await ow.actions.create({ name: 'seq-fail', action: { exec: { kind: 'sequence', components: ['/_/step', '/_/fail', '/_/double'] } } } as never);
    const err = await ow.actions.invoke({ name: 'seq-fail', blocking: true }).then(() => undefined, (e: { statusCode: number; error: ActivationRecord }) => e);
    expect(err?.statusCode).toBe(502);
    expect(err?.error.response.result).toEqual({ error: 'stop here' });
    expect(err?.error.logs).toHaveLength(2);
  });

  it('fires a trigger: the trigger activation lists the active rules\' activations, which it caused; disabled rules do not run', async () => {
    await ow.triggers.create({ name: 't1', trigger: { parameters: [{ key: 'fixed', value: 1 }] } } as never);
    await ow.rules.create({ name: 'r1', trigger: 't1', action: 'record' } as never);
    await ow.rules.create({ name: 'r2', trigger: 't1', action: 'step' } as never);
    const t = (await ow.triggers.get({ name: 't1' })) as unknown as { rules: Record<string, { status: string; action: { name: string } }> };
    expect(t.rules['guest/r1']).toEqual({ status: 'active', action: { name: 'record', path: 'guest' } });
    await ow.rules.disable({ name: 'r2' });
    expect(((await ow.rules.get({ name: 'r2' })) as unknown as { status: string }).status).toBe('inactive');

    const fired = (await ow.triggers.invoke({ name: 't1', params: { card: '4111' } })) as unknown as { activationId: string };
    const trig = await poll('the trigger activation', () => activation(fired.activationId));
    expect(trig.response.result).toEqual({ fixed: 1, card: '4111' });
    expect(trig.logs).toHaveLength(1);
    const line = JSON.parse(trig.logs[0]);
    expect(line).toMatchObject({ statusCode: 0, success: true, rule: 'guest/r1', action: 'guest/record' });
    const ran = await poll('the rule\'s action activation', () => activation(line.activationId));
    expect(ran.cause).toBe(fired.activationId);
    expect(ran.response.result).toMatchObject({ got: { fixed: 1, card: '4111' }, parent: fired.activationId });
  });

  it('fires a trigger from inside an action in the same request', async () => {
    await ow.triggers.create({ name: 'inner-trigger' } as never);
    await ow.rules.create({ name: 'inner-rule', trigger: 'inner-trigger', action: 'record' } as never);
    const r = (await ow.actions.invoke({ name: 'fires', params: { v: 3 }, blocking: true, headers: { 'x-request-id': 'req-fires' } } as never)) as unknown as ActivationRecord;
    const trig = await poll('the trigger activation', () => activation(String(r.response.result.fired)));
    const ruleRun = await poll('the rule\'s action activation', async () => {
      const rec = await activation(JSON.parse(trig.logs[0]).activationId);
      return rec.response ? rec : undefined;
    });
    expect(ruleRun.response.result).toMatchObject({ got: { from: 'action', v: 3 }, tid: 'req-fires' });
  });

  it('answers 204 and starts nothing when a trigger has no active rule', async () => {
    await ow.triggers.create({ name: 'lonely' } as never);
    const res = await fetch(`${platform.apihost}/api/v1/namespaces/_/triggers/lonely`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(204);
  });

  it('fires an alarm trigger on its cron schedule while the platform runs, and stops when the feed is deleted', async () => {
    await ow.triggers.create({ name: 'tick', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/alarms/alarm' }] } } as never);
    await ow.feeds.create({ name: '/whisk.system/alarms/alarm', trigger: 'tick', params: { cron: '* * * * * *', trigger_payload: JSON.stringify({ beat: true }) } } as never);
    await ow.rules.create({ name: 'on-tick', trigger: 'tick', action: 'record' } as never);
    const fromAlarm = await poll('an activation from the alarm', async () => {
      const list = (await ow.activations.list({ name: 'record', docs: true, limit: 50 } as never)) as unknown as ActivationRecord[];
      return list.find((a) => (a.response.result.got as Record<string, unknown> | undefined)?.beat === true);
    }, 10_000);
    expect(fromAlarm.cause).toMatch(/^[0-9a-f]{32}$/);
    const trig = await activation(fromAlarm.cause!);
    expect(trig.name).toBe('tick');
    await ow.feeds.delete({ name: '/whisk.system/alarms/alarm', trigger: 'tick' } as never);
    await sleep(1200);
    const before = ((await ow.activations.list({ name: 'tick', count: true } as never)) as unknown as { activations: number }).activations;
    await sleep(2200);
    const after = ((await ow.activations.list({ name: 'tick', count: true } as never)) as unknown as { activations: number }).activations;
    expect(after).toBe(before);
  });

  it('runs a web action from its URL: __ow_* parameters, .http response, X-Request-ID as the request id, require-whisk-auth', async () => {
    const url = `${platform.apihost}/api/v1/web/guest/default/web.http/some/path?q=1`;
    expect((await fetch(url)).status).toBe(401);
    const res = await fetch(url, { method: 'POST', headers: { 'x-require-whisk-auth': 's3cret', 'content-type': 'application/json', 'x-request-id': 'req-web-1' }, body: JSON.stringify({ name: 'ann' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('post');
    expect(res.headers.get('x-openwhisk-activation-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(await res.json()).toEqual({ method: 'post', path: '/some/path', q: '1', name: 'ann', auth: 's3cret', rid: 'req-web-1' });
    const raw = await fetch(`${platform.apihost}/api/v1/web/guest/default/raw.json?a=b`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hi there' });
    expect(await raw.json()).toEqual({ body: 'hi there', query: 'a=b', text: 'plain' });
    const text = await fetch(`${platform.apihost}/api/v1/web/guest/default/raw.text`);
    expect(await text.text()).toBe('plain');
  });

  it('creates an API gateway route for a web action and serves it, adding the route\'s secret', async () => {
    const swagger = {
      swagger: '2.0', basePath: '/shop', info: { title: 'shop', version: '1.0' },
      paths: { '/items/{id}': { get: { operationId: 'get-/items/{id}', 'x-openwhisk': { action: 'web', namespace: '_', package: 'default', url: 'https://x/api/v1/web/_/default/web.http' } } } },
      'x-ibm-configuration': { assembly: { execute: [{ 'operation-switch': { case: [{ operations: ['get-/items/{id}'], execute: [{ 'set-variable': { actions: [{ set: 'message.headers.X-Require-Whisk-Auth', value: 's3cret' }] } }, { invoke: { 'target-url': 'x', verb: 'keep' } }] }] } }] } },
    };
    await ow.routes.create({ swagger } as never);
    const listed = (await ow.routes.list()) as unknown as { apis: Array<{ value: { gwApiUrl: string; apidoc: { basePath: string } } }> };
    expect(listed.apis.map((a) => a.value.apidoc.basePath)).toEqual(['/shop']);
    const res = await fetch(`${listed.apis[0].value.gwApiUrl}/items/42`);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ method: 'get', path: '/shop/items/42', auth: 's3cret' });
    expect((await fetch(`${listed.apis[0].value.gwApiUrl}/items/42`, { method: 'DELETE' })).status).toBe(405);
    await ow.routes.delete({ basepath: '/shop' } as never);
    expect((await fetch(`${listed.apis[0].value.gwApiUrl}/items/42`)).status).toBe(404);
  });
});
