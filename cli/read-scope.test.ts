// Whose provenance a reader gets, on local stores made in a scratch folder (no platform answers
// here: a closed loopback port stands for a stopped one).
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNamespaceProps } from '../invokers/local/platform-info';
import { ensureOperatorKey } from '../store/operator-key';
import { resolveReadScope } from './read-scope';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'read-scope-'));
const bare = path.join(scratch, 'bare');
const two = path.join(scratch, 'two');
const env = { HOME: scratch };
let closed = '';
let operator = '';

beforeAll(async () => {
  fs.mkdirSync(bare);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((r) => server.close(r));
  writeNamespaceProps(two, closed, [{ namespace: 'a', auth: 'ua:ka' }, { namespace: 'b', auth: 'ub:kb' }]);
  operator = ensureOperatorKey(two);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const local = (dir: string) => ({ dir, table: 'provenance' });

describe('resolveReadScope', () => {
  it('a store of one namespace read without credentials reads everything, as before tenants', async () => {
    expect(await resolveReadScope({}, local(bare), env)).toEqual({ kind: 'all', why: 'single-tenant' });
    expect(await resolveReadScope({}, local(bare), { ...env, OW_APIHOST: closed })).toEqual({ kind: 'all', why: 'single-tenant' });
  });

  it('a store of two namespaces read without credentials says how to choose', async () => {
    await expect(resolveReadScope({}, local(two), env)).rejects.toThrow(/serves namespaces a, b: say which one you read as/);
  });

  it("a stopped platform's key is checked against the keys it last handed out", async () => {
    expect(await resolveReadScope({ apihost: closed, auth: 'ub:kb' }, local(two), env)).toEqual({ kind: 'namespace', namespace: 'b' });
    await expect(resolveReadScope({ apihost: closed, auth: 'ub:wrong' }, local(two), env)).rejects.toThrow(/cannot check the OpenWhisk key from --auth: .* did not answer \(ECONNREFUSED\)/);
  });

  // 'RIGHT' stands for the store's operator key, made in beforeAll
  it.each([
    ['the right key', 'RIGHT', undefined, { kind: 'all', why: 'operator' }],
    ['the key from the environment', true, 'RIGHT', { kind: 'all', why: 'operator' }],
    ['a wrong key', 'wrong', undefined, /the operator key was refused/],
    ['no key at all', true, undefined, /--operator needs the store's operator key/],
  ] as Array<[string, string | true, string | undefined, unknown]>)('the operator with %s', async (_name, given, fromEnv, want) => {
    const opts = { operator: given === 'RIGHT' ? operator : given };
    const e = { ...env, ...(fromEnv ? { PROVENANCE_OPERATOR_KEY: operator } : {}) };
    const run = resolveReadScope(opts, local(two), e);
    if (want instanceof RegExp) await expect(run).rejects.toThrow(want);
    else expect(await run).toEqual(want);
  });

  it('a store without an operator key refuses --operator; on DynamoDB the table\'s IAM policy decides', async () => {
    await expect(resolveReadScope({ operator: 'x' }, local(bare), env)).rejects.toThrow(/has no operator key/);
    expect(await resolveReadScope({ operator: true }, { endpoint: 'http://127.0.0.1:1', table: 'provenance' }, env)).toEqual({ kind: 'all', why: 'operator' });
  });
});
