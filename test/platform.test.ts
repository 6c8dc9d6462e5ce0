// The embedded platform for real: a platform on 127.0.0.1, real container processes in their own
// cgroups and namespaces, driven through the `openwhisk` npm client and plain HTTP.
import AdmZip from 'adm-zip';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../protocol/batch';
import { startPlatform, type Platform } from '../invokers/local/index';
import { runtimeScript } from '../invokers/local/runtime-script';
import { poll } from './wait';

type Client = ReturnType<typeof openwhisk>;
type Annotated = { annotations: Array<{ key: string; value: unknown }> };

const annotation = (r: Annotated, key: string) => r.annotations.find((a) => a.key === key)?.value;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ACTIONS = {
  hello: `function main(params) {
  console.log('hello ' + params.name);
  console.error('to stderr');
  return { greeting: 'hello ' + params.name, host: require('os').hostname(), tid: process.env.__OW_TRANSACTION_ID, aid: process.env.__OW_ACTIVATION_ID };
}`,
  // leaves a file in /tmp and says whether an earlier activation of this container left it
  tmp: `const fs = require('fs');
async function main(params) {
  const existed = fs.existsSync('/tmp/planted');
  fs.writeFileSync('/tmp/planted', 'x');
  await new Promise((r) => setTimeout(r, params.sleep || 0));
  return { existed, host: require('os').hostname() };
}`,
  slow: `async function main(params) {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, params.ms));
  return { start, end: Date.now(), host: require('os').hostname(), aid: process.env.__OW_ACTIVATION_ID };
}`,
  inner: `function main() { return { tid: process.env.__OW_TRANSACTION_ID, aid: process.env.__OW_ACTIVATION_ID }; }`,
  outer: `const openwhisk = require('openwhisk');
async function main() {
  const child = await openwhisk().actions.invoke({ name: 'inner', blocking: true });
  return { tid: process.env.__OW_TRANSACTION_ID, child: child.response.result, childActivation: child.activationId };
}`,
  fails: `function main(p) { if (p.mode === 'throw') throw new Error('boom'); if (p.mode === 'reject') return Promise.reject(new Error('nope')); return { error: 'card declined' }; }`,
};

describe('embedded OpenWhisk-compatible platform', () => {
  let storeDir: string;
  let platform: Platform;
  let ow: Client;
  const batches: Batch[] = [];
  const pidsSeen = new Set<number>();
  const cgroupsSeen = new Set<string>();
  let isolationLine = '';

  const remember = () => {
    for (const c of platform.containers()) {
      if (c.pid) pidsSeen.add(c.pid);
      if (c.cgroupId) cgroupsSeen.add(c.container);
    }
  };

  beforeAll(async () => {
    runtimeScript(); // a clear error if `npm run build` has not been run
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
    platform = await startPlatform({
      storeDir,
      onBatch: async (b) => {
        batches.push(b);
      },
      log: (l) => {
        if (l.includes('container isolation')) isolationLine = l;
      },
    });
    ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    for (const [name, code] of Object.entries(ACTIONS)) {
      const limits = name === 'slow' ? { concurrency: 2 } : undefined;
      await ow.actions.create({ name, action: code, kind: 'nodejs:20', ...(limits ? { limits } : {}) } as never);
    }
  });

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  it('says at start-up which isolation it has', () => {
    expect(isolationLine).toMatch(/^platform: container isolation: /);
    expect(platform.apihost).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists the namespace and the actions', async () => {
    expect(await ow.namespaces.list()).toEqual(['guest']);
    const names = (await ow.actions.list()).map((a) => a.name).sort();
    expect(names).toEqual(Object.keys(ACTIONS).sort());
  });

  it('runs a plain-code action: cold start with initTime, then warm in the same container without it', async () => {
    const cold = (await ow.actions.invoke({ name: 'hello', params: { name: 'ann' }, blocking: true })) as unknown as Record<string, any>;
    expect(cold.response).toMatchObject({ status: 'success', statusCode: 0, success: true });
    expect(cold.response.result.greeting).toBe('hello ann');
    expect(cold.activationId).toMatch(/^[0-9a-f]{32}$/);
    expect(cold.response.result.aid).toBe(cold.activationId);
    expect(cold).toMatchObject({ namespace: 'guest', name: 'hello', version: '0.0.1', subject: 'guest', publish: false });
    expect(cold.end - cold.start).toBe(cold.duration);
    expect(annotation(cold as Annotated, 'path')).toBe('guest/hello');
    expect(annotation(cold as Annotated, 'kind')).toBe('nodejs:20');
    expect(annotation(cold as Annotated, 'limits')).toEqual({ timeout: 60000, memory: 256, logs: 10, concurrency: 1 });
    expect(typeof annotation(cold as Annotated, 'waitTime')).toBe('number');
    expect(typeof annotation(cold as Annotated, 'initTime')).toBe('number');
    expect(cold.logs).toHaveLength(2);
    expect(cold.logs[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout: hello ann$/);
    expect(cold.logs[1]).toMatch(/Z stderr: to stderr$/);

    const warm = (await ow.actions.invoke({ name: 'hello', params: { name: 'bob' }, blocking: true })) as unknown as Record<string, any>;
    expect(annotation(warm as Annotated, 'initTime')).toBeUndefined();
    expect(warm.response.result.host).toBe(cold.response.result.host);
    expect(warm.logs).toEqual([expect.stringMatching(/stdout: hello bob$/), expect.stringMatching(/stderr: to stderr$/)]);
    remember();
  });

  it('runs a zipped action whose package.json names the main file', async () => {
    const zip = new AdmZip();
    zip.addFile('package.json', Buffer.from(JSON.stringify({ main: 'lib/handler.js' })));
    zip.addFile('lib/handler.js', Buffer.from(`exports.handle = (p) => ({ zipped: true, sum: require('./add')(p.a, p.b), cwd: process.cwd() });`));
    zip.addFile('lib/add.js', Buffer.from('module.exports = (a, b) => a + b;'));
    await ow.actions.create({ name: 'zipped', action: zip.toBuffer(), kind: 'nodejs:20', exec: { main: 'handle' } } as never);
    const result = (await ow.actions.invoke({ name: 'zipped', params: { a: 2, b: 3 }, blocking: true, result: true })) as Record<string, unknown>;
    expect(result).toMatchObject({ zipped: true, sum: 5 });
    expect(String(result.cwd)).toMatch(/\/action$/);
  });

  it('non-blocking invoke answers 202 with the id; the activation, logs and result appear', async () => {
    const started = Date.now();
    const { activationId } = (await ow.actions.invoke({ name: 'hello', params: { name: 'nb' } })) as { activationId: string };
    expect(activationId).toMatch(/^[0-9a-f]{32}$/);
    const record = (await poll('the activation record', () => ow.activations.get({ name: activationId }), 10_000, 50)) as unknown as { response: { result: unknown }; logs: string[] };
    expect(record.response.result).toMatchObject({ greeting: 'hello nb' });
    expect(await ow.activations.logs({ name: activationId })).toEqual({ logs: record.logs });
    expect(await ow.activations.result({ name: activationId })).toMatchObject({ status: 'success', success: true, result: { greeting: 'hello nb' } });
    const listed = (await ow.activations.list({ name: 'hello', docs: true, limit: 1, since: started } as never)) as unknown as Array<Record<string, unknown>>;
    expect(listed.map((a) => a.activationId)).toEqual([activationId]);
    expect(listed[0]).toHaveProperty('logs');
    const briefs = (await ow.activations.list({ limit: 2 } as never)) as unknown as Array<Record<string, unknown>>;
    expect(briefs).toHaveLength(2);
    expect(briefs[0]).not.toHaveProperty('logs');
  });

  it('takes the request id from X-Request-ID, echoes it, and carries it into a nested invocation', async () => {
    const res = await fetch(`${platform.apihost}/api/v1/namespaces/_/actions/outer?blocking=true`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}`, 'content-type': 'application/json', 'x-request-id': 'req-nested-1' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-nested-1');
    const outer = (await res.json()) as Record<string, any>;
    expect(outer.response.result.tid).toBe('req-nested-1');
    expect(outer.response.result.child.tid).toBe('req-nested-1');
    const child = await ow.activations.get({ name: outer.response.result.childActivation });
    expect(annotation(child as unknown as Annotated, 'transId')).toBe('req-nested-1');
    expect(annotation(outer as Annotated, 'transId')).toBe('req-nested-1');
  });

  it('generates a transaction id when the caller sends none', async () => {
    const r = (await ow.actions.invoke({ name: 'inner', blocking: true, result: true })) as { tid: string };
    expect(r.tid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('runs two activations at once in ONE container when concurrency > 1, and collects no logs', async () => {
    // warm one container first: a cold container takes new activations only once initialized
    await ow.actions.invoke({ name: 'slow', params: { ms: 0 }, blocking: true });
    const [a, b] = (await Promise.all([
      ow.actions.invoke({ name: 'slow', params: { ms: 700 }, blocking: true }),
      sleep(100).then(() => ow.actions.invoke({ name: 'slow', params: { ms: 700 }, blocking: true })),
    ])) as unknown as Array<Record<string, any>>;
    const ra = a.response.result;
    const rb = b.response.result;
    expect(ra.host).toBe(rb.host);
    expect(ra.start < rb.end && rb.start < ra.end).toBe(true);
    // each activation still sees its own activation id (the runtime sets it per /run)
    expect(new Set([ra.aid, rb.aid, a.activationId, b.activationId]).size).toBe(2);
    expect(a.logs).toEqual([]);
    remember();
  });

  it('gives each container a private /tmp that persists across its activations', async () => {
    const first = (await ow.actions.invoke({ name: 'tmp', blocking: true, result: true })) as Record<string, unknown>;
    expect(first.existed).toBe(false);
    const second = (await ow.actions.invoke({ name: 'tmp', blocking: true, result: true })) as Record<string, unknown>;
    expect(second).toEqual({ existed: true, host: first.host });
    // two at once: the busy warm container is joined by a fresh one, whose /tmp is empty
    const both = (await Promise.all([
      ow.actions.invoke({ name: 'tmp', params: { sleep: 500 }, blocking: true, result: true }),
      ow.actions.invoke({ name: 'tmp', params: { sleep: 500 }, blocking: true, result: true }),
    ])) as Array<Record<string, unknown>>;
    const hosts = new Set(both.map((r) => r.host));
    expect(hosts.size).toBe(2);
    for (const r of both) expect(r.existed).toBe(r.host === first.host);
    if (platform.isolation.privateTmp) expect(fs.existsSync('/tmp/planted')).toBe(false);
    remember();
  });

  it('reports errors like OpenWhisk: application error, developer error, 404, 409, 401', async () => {
    const call = async (params: object) => {
      try {
        await ow.actions.invoke({ name: 'fails', params, blocking: true });
        return undefined;
      } catch (err) {
        return err as { statusCode: number; error: Record<string, any> };
      }
    };
    const app = await call({});
    expect(app?.statusCode).toBe(502);
    expect(app?.error.response).toMatchObject({ status: 'application error', statusCode: 1, result: { error: 'card declined' } });
    const rejected = await call({ mode: 'reject' });
    expect(rejected?.error.response).toMatchObject({ status: 'application error', result: { error: { message: 'nope' } } });
    const thrown = await call({ mode: 'throw' });
    expect(thrown?.error.response).toMatchObject({ status: 'action developer error', statusCode: 2 });
    expect(thrown?.error.response.result.error).toMatch(/boom/);

    await expect(ow.actions.invoke({ name: 'missing', blocking: true })).rejects.toMatchObject({ statusCode: 404 });
    await expect(ow.actions.create({ name: 'hello', action: 'function main(){}' })).rejects.toMatchObject({ statusCode: 409 });

    const bad = openwhisk({ apihost: platform.apihost, api_key: 'nobody:wrong' });
    await expect(bad.actions.list()).rejects.toMatchObject({ statusCode: 401 });
    const res = await fetch(`${platform.apihost}/api/v1/namespaces/_/actions`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'The supplied authentication is invalid', code: expect.any(String) });
    await expect(ow.actions.list({ namespace: 'someone-else' } as never)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('enforces the time limit by killing the container', async () => {
    await ow.actions.create({ name: 'sleeper', action: ACTIONS.slow, limits: { timeout: 300 } } as never);
    const before = platform.containers().length;
    let caught: { statusCode: number; error: Record<string, any> } | undefined;
    try {
      await ow.actions.invoke({ name: 'sleeper', params: { ms: 3000 }, blocking: true });
    } catch (err) {
      caught = err as typeof caught;
    }
    expect(caught?.statusCode).toBe(502);
    expect(caught?.error.response).toMatchObject({ status: 'action developer error', result: { error: 'The action exceeded its time limits of 300 milliseconds.' } });
    expect(annotation(caught!.error as Annotated, 'timeout')).toBe(true);
    expect(platform.containers().filter((c) => c.action === '/guest/sleeper')).toEqual([]);
    expect(platform.containers().length).toBe(before);
  });

  it('an update retires the old containers: the next activation is cold and runs the new code', async () => {
    await ow.actions.invoke({ name: 'inner', blocking: true });
    await ow.actions.update({ name: 'inner', action: 'function main() { return { v: 2 }; }' });
    const r = (await ow.actions.invoke({ name: 'inner', blocking: true })) as unknown as Record<string, any>;
    expect(r.response.result).toEqual({ v: 2 });
    expect(r.version).toBe('0.0.2');
    expect(typeof annotation(r as Annotated, 'initTime')).toBe('number');
  });

  it('ships every container line to the agent, with container info and cgroup ids', async () => {
    await platform.flush();
    const lines = batches.flatMap((b) => b.lines);
    expect(lines.some((l) => l.line === 'hello ann' && l.stream === 'stdout')).toBe(true);
    expect(lines.filter((l) => l.line === 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX').length).toBeGreaterThan(2);
    const numbers = batches.map((b) => b.batch);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const containers = batches.flatMap((b) => b.containers);
    expect(containers.every((c) => c.invoker === platform.invoker)).toBe(true);
    if (platform.isolation.cgroups) expect(containers.every((c) => /^\d+$/.test(c.cgroupId ?? ''))).toBe(true);
    // per container and stream, sequence numbers have no gaps
    const byStream = new Map<string, number[]>();
    for (const l of lines) byStream.set(`${l.container}/${l.stream}`, [...(byStream.get(`${l.container}/${l.stream}`) ?? []), l.seq]);
    for (const seqs of byStream.values()) expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it('keeps deployed actions across a restart, and stop() leaves no process or cgroup behind', async () => {
    remember();
    expect(pidsSeen.size).toBeGreaterThan(2);
    await platform.stop();
    for (const pid of pidsSeen) expect(alive(pid)).toBe(false);
    if (platform.isolation.cgroupBase) {
      for (const id of cgroupsSeen) expect(fs.existsSync(path.join(platform.isolation.cgroupBase, id))).toBe(false);
    }
    platform = await startPlatform({ storeDir, log: () => undefined });
    ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const r = (await ow.actions.invoke({ name: 'hello', params: { name: 'again' }, blocking: true, result: true })) as Record<string, unknown>;
    expect(r.greeting).toBe('hello again');
  });
});

describe('idle retirement', () => {
  it('retires a container after the idle timeout; the next activation is cold again', async () => {
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-idle-'));
    const platform = await startPlatform({ storeDir, idleTimeoutMs: 400, log: () => undefined });
    try {
      const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
      await ow.actions.create({ name: 'a', action: ACTIONS.inner });
      const first = await ow.actions.invoke({ name: 'a', blocking: true });
      expect(annotation(first as unknown as Annotated, 'initTime')).toBeDefined();
      const pid = platform.containers()[0].pid!;
      expect(platform.containers()).toHaveLength(1);
      await poll('no containers left', async () => (platform.containers().length === 0 ? true : undefined), 5_000, 50);
      expect(alive(pid)).toBe(false);
      const again = await ow.actions.invoke({ name: 'a', blocking: true });
      expect(annotation(again as unknown as Annotated, 'initTime')).toBeDefined();
    } finally {
      await platform.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
