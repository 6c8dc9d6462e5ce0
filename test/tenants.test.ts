// Tenants stay apart: one `provenance local start` (the built bin, a real process) serving two
// namespaces on one store, each with its own key, actions and activations; the CLI (real processes
// from dist/) reading as each namespace, as the operator, and with a wrong key. A request of
// `guest` invokes an action of `other` with other's key: each side sees its own part only.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';
import { startLocalStart, type LocalStartProcess } from './platform-harness';
import { PROVENANCE_BIN, runNode, type Run } from './run-node';
import { wrappedActionZip } from './wrapped-action';

const root = packageRoot();

const FRONT = `
const fs = require('fs');
const openwhisk = require('openwhisk');
exports.main = async (p) => {
  fs.writeFileSync('/tmp/front-note', 'written in guest');
  console.log('front of guest calls the other namespace');
  // through other's published package with guest's own key, or with other's key (as a trigger and
  // rule with its credentials would)
  const [ow, name] = p.via === 'shared' ? [openwhisk(), '/other/shared/pub'] : [openwhisk({ api_key: p.otherKey }), '/other/back'];
  const back = await ow.actions.invoke({ name, blocking: true, result: true, params: {} });
  return { back };
};`;

const BACK = `
const fs = require('fs');
exports.main = () => {
  fs.writeFileSync('/tmp/back-secret', 'only for other');
  console.log('back of other keeps its secret');
  return { ok: true };
};`;

const PUB = `
const fs = require('fs');
exports.main = () => {
  fs.writeFileSync('/tmp/pub-inside', 'inside the shared package');
  return { ok: true };
};`;

interface Key {
  apihost: string;
  auth: string;
}

function readProps(file: string): Key & { namespace: string } {
  const text = fs.readFileSync(file, 'utf8');
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)![1]!;
  return { apihost: get('APIHOST'), auth: get('AUTH'), namespace: get('NAMESPACE') };
}

async function rest(key: Key, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${key.apihost}/api/v1${p}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(key.auth).toString('base64')}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('tenants: two namespaces on one platform and one store', () => {
  let dir: string;
  let store: string;
  let local: LocalStartProcess;
  let guest: Key & { namespace: string; file: string };
  let other: Key & { namespace: string; file: string };
  let operatorKey: string;
  const CROSS = 'tenants-cross-request-1';
  const OTHER_ONLY = 'tenants-other-only-1';
  const SHARED = 'tenants-shared-package-1';

  /** the bin as a user runs it: a fresh HOME, and only what `env` adds */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    runNode([PROVENANCE_BIN, ...args, '--store', store], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeoutMs: 60_000 });
  const as = (who: { file: string }) => ({ WSK_CONFIG_FILE: who.file });

  beforeAll(async () => {
    expect(fs.existsSync(path.join(root, 'dist', 'cli', 'index.js'))).toBe(true); // `npm run build` first
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tenants-'));
    store = path.join(dir, 'store');
    local = await startLocalStart(store, ['--namespace', 'guest', '--namespace', 'other', '--no-kernel', '--idle-timeout', '60'], dir);
    const nsDir = path.join(store, 'platform', 'namespaces');
    guest = { ...readProps(path.join(nsDir, 'guest.wskprops')), file: path.join(nsDir, 'guest.wskprops') };
    other = { ...readProps(path.join(nsDir, 'other.wskprops')), file: path.join(nsDir, 'other.wskprops') };
    operatorKey = fs.readFileSync(path.join(store, 'operator.key'), 'utf8').trim();

    const code = (src: string) => ({ exec: { kind: 'nodejs:20', code: wrappedActionZip(src).toString('base64'), binary: true } });
    expect((await rest(guest, 'PUT', '/namespaces/_/actions/front?overwrite=true', code(FRONT))).status).toBe(200);
    expect((await rest(other, 'PUT', '/namespaces/_/actions/back?overwrite=true', code(BACK))).status).toBe(200);
    expect((await rest(other, 'PUT', '/namespaces/_/packages/shared?overwrite=true', { publish: true })).status).toBe(200);
    expect((await rest(other, 'PUT', '/namespaces/_/actions/shared/pub?overwrite=true', code(PUB))).status).toBe(200);
    const cross = await rest(guest, 'POST', '/namespaces/_/actions/front?blocking=true&result=true', { otherKey: other.auth }, { 'x-request-id': CROSS });
    expect(cross).toMatchObject({ status: 200, body: { back: { ok: true } } });
    expect((await rest(other, 'POST', '/namespaces/_/actions/back?blocking=true', {}, { 'x-request-id': OTHER_ONLY })).status).toBe(200);
    const shared = await rest(guest, 'POST', '/namespaces/_/actions/front?blocking=true&result=true', { via: 'shared' }, { 'x-request-id': SHARED });
    expect(shared).toMatchObject({ status: 200, body: { back: { ok: true } } });
    // both requests' activations ended in the store before anyone reads them (the operator looks)
    for (const [id, count] of [[CROSS, 2], [OTHER_ONLY, 1], [SHARED, 2]] as const) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await cli(['trace', id, '--json', '--operator', operatorKey]);
        const ended = r.code === 0 ? JSON.parse(r.stdout).nodes.filter((n: { kind: string; end?: number }) => n.kind === 'activation' && n.end !== undefined).length : 0;
        if (ended === count) break;
        if (Date.now() > deadline) throw new Error(`request ${id} did not arrive whole: ${r.stdout}${r.stderr}`);
        await new Promise((done) => setTimeout(done, 500));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await local?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('the platform keeps namespaces apart', () => {
    it('each key is its own namespace (GET /namespaces), and a wrong key is 401', async () => {
      expect(local.namespace).toBe('guest');
      expect((await rest(guest, 'GET', '/namespaces')).body).toEqual(['guest']);
      expect((await rest(other, 'GET', '/namespaces')).body).toEqual(['other']);
      expect(guest.auth).not.toBe(other.auth);
      const wrong = await rest({ ...guest, auth: `${guest.auth.split(':')[0]}:not-the-key` }, 'GET', '/namespaces');
      expect(wrong.status).toBe(401);
    });

    it('each namespace lists its own actions and activations, and cannot address the other\'s', async () => {
      expect((await rest(guest, 'GET', '/namespaces/_/actions')).body.map((a: { name: string }) => a.name)).toEqual(['front']);
      expect((await rest(other, 'GET', '/namespaces/_/actions')).body.map((a: { name: string }) => a.name).sort()).toEqual(['back', 'pub']);
      const otherActivations = (await rest(other, 'GET', '/namespaces/_/activations?limit=10')).body as Array<{ activationId: string; name: string }>;
      expect(otherActivations.map((a) => a.name)).toEqual(['back', 'back']);
      // an action of a shared package runs as its caller's activation, as in OpenWhisk
      const guestActivations = (await rest(guest, 'GET', '/namespaces/_/activations?limit=10')).body as Array<{ name: string }>;
      expect(guestActivations.map((a) => a.name).sort()).toEqual(['front', 'front', 'pub']);
      expect((await rest(guest, 'GET', `/namespaces/_/activations/${otherActivations[0]!.activationId}`)).status).toBe(404);
      expect((await rest(guest, 'GET', '/namespaces/other/actions')).status).toBe(403);
      expect((await rest(guest, 'POST', '/namespaces/other/actions/back?blocking=true', {})).status).toBe(403);
      // a published package of other is readable by guest; nothing else of other is, existing or not
      expect((await rest(guest, 'GET', '/namespaces/other/actions/shared/pub')).status).toBe(200);
      expect((await rest(other, 'PUT', '/namespaces/_/packages/private?overwrite=true', {})).status).toBe(200);
      expect((await rest(guest, 'GET', '/namespaces/other/actions/private/nothing')).status).toBe(403);
      expect((await rest(guest, 'GET', '/namespaces/other/actions/nopackage/nothing')).status).toBe(403);
    });
  });

  describe('reading provenance as a namespace', () => {
    it('guest sees its side of the cross-namespace request, that it called another namespace, and nothing inside it', async () => {
      const r = await cli(['trace', CROSS, '--json'], as(guest));
      expect(r.code, r.stderr).toBe(0);
      const g = JSON.parse(r.stdout);
      const actions = g.nodes.filter((n: { kind: string }) => n.kind === 'activation').map((n: { action: string }) => n.action);
      expect(actions).toEqual(['/guest/front']);
      expect(g.nodes.some((n: { kind: string; path?: string }) => n.kind === 'file' && n.path === '/tmp/front-note')).toBe(true);
      expect(g.nodes.find((n: { kind: string }) => n.kind === 'message')).toMatchObject({ action: '/other/back' });
      expect(g.warnings.map((w: { code: string }) => w.code)).toContain('other-namespace');
      expect(r.stdout).not.toMatch(/back-secret|keeps its secret|\/other\/back"[^}]*"to"/);
    });

    it('other sees its side of the same request and not guest\'s', async () => {
      const r = await cli(['trace', CROSS, '--json'], as(other));
      expect(r.code, r.stderr).toBe(0);
      const g = JSON.parse(r.stdout);
      expect(g.nodes.filter((n: { kind: string }) => n.kind === 'activation').map((n: { action: string }) => n.action)).toEqual(['/other/back']);
      expect(g.nodes.some((n: { kind: string; path?: string }) => n.kind === 'file' && n.path === '/tmp/back-secret')).toBe(true);
      expect(r.stdout).not.toMatch(/front-note|\/guest\/front|calls the other namespace/);
    });

    it("an action of other's shared package, called by guest's request, is other's side", async () => {
      const mine = JSON.parse((await cli(['trace', SHARED, '--json'], as(guest))).stdout);
      expect(mine.nodes.filter((n: { kind: string }) => n.kind === 'activation').map((n: { action: string }) => n.action)).toEqual(['/guest/front']);
      expect(JSON.stringify(mine)).not.toMatch(/pub-inside/);
      const theirs = JSON.parse((await cli(['trace', SHARED, '--json'], as(other))).stdout);
      expect(theirs.nodes.filter((n: { kind: string }) => n.kind === 'activation').map((n: { action: string }) => n.action)).toEqual(['/other/shared/pub']);
      expect(theirs.nodes.some((n: { kind: string; path?: string }) => n.kind === 'file' && n.path === '/tmp/pub-inside')).toBe(true);
    });

    it("guest asking for other's request is answered as if it did not exist (no existence oracle)", async () => {
      const theirs = await cli(['trace', OTHER_ONLY], as(guest));
      const nobodys = await cli(['trace', 'tenants-never-stored-1'], as(guest));
      expect(theirs.code).toBe(1);
      expect(theirs.code).toBe(nobodys.code);
      expect(theirs.stdout).toBe(nobodys.stdout);
      expect(theirs.stderr.replace(OTHER_ONLY, 'ID')).toBe(nobodys.stderr.replace('tenants-never-stored-1', 'ID'));
      expect(theirs.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('requests lists only what ran in the namespace, with only its own actions', async () => {
      const mine = JSON.parse((await cli(['requests', '--json'], as(guest))).stdout);
      const theirs = JSON.parse((await cli(['requests', '--json'], as(other))).stdout);
      const flat = (list: any) => (Array.isArray(list) ? list : list.requests) as Array<{ request: string; actions: string[] }>;
      expect(flat(mine).map((s) => s.request).sort()).toEqual([CROSS, SHARED].sort());
      expect(flat(mine).every((s) => s.actions.join() === '/guest/front')).toBe(true);
      expect(flat(theirs).map((s) => s.request).sort()).toEqual([CROSS, OTHER_ONLY, SHARED].sort());
      expect(JSON.stringify(flat(theirs))).not.toMatch(/\/guest\//);
    });

    it("the lineage of other's file is not guest's to read", async () => {
      const g = JSON.parse((await cli(['trace', CROSS, '--json'], as(other))).stdout);
      const file = g.nodes.find((n: { kind: string; path?: string }) => n.kind === 'file' && n.path === '/tmp/back-secret').id as string;
      const theirs = await cli(['lineage', file, '--json'], as(other));
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(theirs.stdout).toContain(CROSS);
      const mine = await cli(['lineage', file, '--json'], as(guest));
      expect(mine.stdout).not.toContain(CROSS);
    });
  });

  describe('credentials', () => {
    it('a wrong key is refused by the API host: 401, one clear line', async () => {
      const r = await cli(['trace', CROSS], { OW_APIHOST: guest.apihost, OW_AUTH: `${guest.auth.split(':')[0]}:wrong` });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^provenance: the OpenWhisk key from OW_AUTH was refused by http:\/\/127\.0\.0\.1:\d+ \(401\)/);
    });

    it('no credentials on a store of two namespaces: one line saying how to choose', async () => {
      const r = await cli(['requests']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/serves namespaces guest, other: say which one you read as/);
    });

    it('the operator reads every namespace; a wrong operator key is refused', async () => {
      const r = await cli(['trace', CROSS, '--json', '--operator', operatorKey]);
      expect(r.code, r.stderr).toBe(0);
      const actions = JSON.parse(r.stdout).nodes.filter((n: { kind: string }) => n.kind === 'activation').map((n: { action: string }) => n.action).sort();
      expect(actions).toEqual(['/guest/front', '/other/back']);
      const env = await cli(['trace', OTHER_ONLY, '--json', '--operator'], { PROVENANCE_OPERATOR_KEY: operatorKey });
      expect(env.code, env.stderr).toBe(0);
      const wrong = await cli(['trace', CROSS, '--operator', 'not-the-operator-key']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
      expect(wrong.stderr).toMatch(/the operator key was refused/);
    });
  });
});
