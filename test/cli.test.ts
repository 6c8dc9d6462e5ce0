// `provenance requests` and `provenance trace` as a user runs them: the built bin (run `npm run build`
// first; `npm test` does) as a child process, against store dirs prepared here with the real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingBlock } from '../cli/commands/trace';
import { completeness } from '../upg/completeness';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GraphFragment, RequestSummary } from '../upg/types';
import { openStore, startLocalDynamo } from '../store/index';
import { renderTree } from '../upg/render/tree';
import { toTraceJson } from '../upg/render/json';
import { runNode, withoutStoreEnv, type Run } from './run-node';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'provenance.js');
const root = mkdtempSync(join(tmpdir(), 'prov-cli-test-'));
const storeDir = join(root, 'store');
const T = Date.UTC(2026, 10, 3, 12, 0, 0);

/** Run the bin without blocking this process (which may be serving the DynamoDB the child reads). */
function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  return runNode([bin, ...args], { cwd: options.cwd ?? root, env: withoutStoreEnv(options.env) });
}

function purchase(request: string, start: number): GraphFragment {
  const ctr = 'ctr:inv0/c1';
  return {
    request,
    nodes: [
      { id: `req:${request}`, kind: 'request', requestId: request, start, end: start + 60, entry: '/_/purchase' },
      { id: `act:${request}-1`, kind: 'activation', activationId: `${request}-1`, requestId: request, action: '/_/purchase', container: ctr, start, end: start + 60, cold: true, ok: true },
      { id: `act:${request}-2`, kind: 'activation', activationId: `${request}-2`, requestId: request, action: '/_/get-price', container: 'ctr:inv0/c2', start: start + 10, end: start + 20, ok: true, parent: `${request}-1` },
      { id: ctr, kind: 'container', containerId: 'c1', action: '/_/purchase', invoker: 'inv0' },
      { id: 'ctr:inv0/c2', kind: 'container', containerId: 'c2', action: '/_/get-price', invoker: 'inv0' },
      { id: 'item:Products:p1', kind: 'item', table: 'Products', key: { id: 'p1' } },
      { id: 'sock:127.0.0.1:8443', kind: 'socket', address: '127.0.0.1', port: 8443, url: 'https://127.0.0.1:8443/charge' },
    ],
    edges: [
      { id: `${request}-assoc1`, from: `act:${request}-1`, to: ctr, kind: 'wasAssociatedWith', time: start },
      { id: `${request}-assoc2`, from: `act:${request}-2`, to: 'ctr:inv0/c2', kind: 'wasAssociatedWith', time: start + 10 },
      { id: `${request}-start`, from: `act:${request}-2`, to: `act:${request}-1`, kind: 'wasStartedBy', op: 'invoke', time: start + 10 },
      { id: `${request}-get`, from: `act:${request}-2`, to: 'item:Products:p1', kind: 'used', op: 'GetItem', time: start + 12 },
      { id: `${request}-net`, from: `act:${request}-1`, to: 'sock:127.0.0.1:8443', kind: 'used', op: 'connect', time: start + 30 },
    ],
  };
}

const older = purchase('req-older', T);
const newer = purchase('req-newer', T + 3_600_000);
let expectedSummaries: RequestSummary[];

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'cli', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before this test (npm test does)');
  }
  const store = await openStore({ dir: storeDir, table: 'provenance' }, { create: true });
  await store.writeFragment(older);
  await store.writeFragment(newer);
  expectedSummaries = await store.listRequests();
  await store.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('provenance requests', () => {
  it('--json prints the request summaries, newest first', async () => {
    const run = await runCli(['requests', '--json', '--store', storeDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as RequestSummary[];
    expect(printed).toEqual(expectedSummaries);
    expect(printed.map((r) => r.request)).toEqual(['req-newer', 'req-older']);
    expect(printed[0]).toEqual({ request: 'req-newer', start: T + 3_600_000, end: T + 3_600_060, entry: '/_/purchase', activations: 2, actions: ['/_/get-price', '/_/purchase'] });
  });

  it('prints a table by default, and honours --since and --limit', async () => {
    const table = await runCli(['requests', '--store', storeDir]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^REQUEST\s+START \(UTC\)\s+DURATION\s+ENTRY\s+ACTIVATIONS\s+ACTIONS$/);
    expect(table.stdout).toMatch(/req-newer\s+2026-11-03 13:00:00.000\s+60ms\s+\/_\/purchase\s+2\s+\/_\/get-price, \/_\/purchase/);
    const since = await runCli(['requests', '--json', '--store', storeDir, '--since', new Date(T + 1).toISOString()]);
    expect((JSON.parse(since.stdout) as RequestSummary[]).map((r) => r.request)).toEqual(['req-newer']);
    const limited = await runCli(['requests', '--json', '--store', storeDir, '--limit', '1', '--until', String(T)]);
    expect((JSON.parse(limited.stdout) as RequestSummary[]).map((r) => r.request)).toEqual(['req-older']);
  });

  it('finds the store through PROVENANCE_STORE, and ./.provenance by default', async () => {
    const viaEnv = await runCli(['requests', '--json'], { env: { PROVENANCE_STORE: storeDir } });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toEqual(expectedSummaries);
    const viaDefault = await runCli(['requests', '--json'], { cwd: join(root) , env: {} });
    expect(viaDefault.code).toBe(1);
    expect(viaDefault.stderr).toBe(
      'provenance: no provenance store at ./.provenance — run `npm run demo` or `npx provenance local start` first, or pass --store DIR (or set PROVENANCE_STORE)\n',
    );
  });
});

describe('provenance trace', () => {
  it('--json prints the stable graph contract', async () => {
    const run = await runCli(['trace', 'req-older', '--json', '--store', storeDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toEqual(toTraceJson(older));
    for (const node of printed.nodes) expect(Object.keys(node).slice(0, 2)).toEqual(['id', 'kind']);
  });

  it('prints the readable tree by default', async () => {
    const run = await runCli(['trace', 'req-newer', '--store', storeDir]);
    expect(run.code).toBe(0);
    // a graph still missing evidence says what first (upg/completeness.ts)
    expect(run.stdout).toBe(missingBlock(completeness(newer)) + renderTree(newer).replace(/\n?$/, '\n'));
    expect(run.stdout).toContain('req-newer');
    expect(run.stdout).toContain('get-price');
  });

  it('reads the store of a running platform (which holds the LevelDB) through platform.json', async () => {
    const running = await startLocalDynamo(storeDir);
    try {
      writeFileSync(join(storeDir, 'platform.json'), JSON.stringify({ pid: process.pid, dynamodb: running.endpoint, apihost: 'http://127.0.0.1:1', auth: 'a:b', started: T }));
      const run = await runCli(['trace', 'req-older', '--json', '--store', storeDir]);
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toEqual(toTraceJson(older));
      // --endpoint/--table read any DynamoDB (here the same dynalite).
      const viaEndpoint = await runCli(['requests', '--json', '--endpoint', running.endpoint, '--table', 'provenance']);
      expect(viaEndpoint.code).toBe(0);
      expect(JSON.parse(viaEndpoint.stdout)).toEqual(expectedSummaries);
      const wrongTable = await runCli(['requests', '--endpoint', running.endpoint, '--table', 'nope-table']);
      expect(wrongTable.code).toBe(1);
      expect(wrongTable.stderr).toMatch(/^provenance: no table nope-table at http:\/\/127\.0\.0\.1:\d+ — pass the right --table/);
    } finally {
      rmSync(join(storeDir, 'platform.json'), { force: true });
      await running.stop();
    }
  });
});

describe('bad input', () => {
  it.each<[string, number, () => Promise<string[]>, RegExp]>([
    ['an unknown request id', 1, async () => ['trace', 'no-such-request', '--store', storeDir], /^provenance: no request no-such-request in .*store — list recorded requests with `provenance requests`\n$/],
    ['a missing store dir', 1, async () => ['trace', 'req-older', '--store', join(root, 'absent')], /^provenance: no provenance store at .*absent — run `npm run demo` or `npx provenance local start` first/],
    ['an unreachable endpoint', 1, async () => ['requests', '--endpoint', `http://127.0.0.1:${await closedPort()}`], /^provenance: cannot reach DynamoDB at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) — is it running\? check --endpoint\n$/],
    ['a malformed endpoint', 2, async () => ['requests', '--endpoint', 'localhost:8000'], /^provenance: bad --endpoint "localhost:8000": give an http\(s\) URL/],
    ['--store with --endpoint', 2, async () => ['requests', '--store', storeDir, '--endpoint', 'http://127.0.0.1:1'], /^provenance: pass either --store DIR/],
    ['a bad --limit', 2, async () => ['requests', '--store', storeDir, '--limit', '0'], /^provenance: bad --limit "0": give a whole number above 0\n$/],
    ['a bad --since', 2, async () => ['requests', '--store', storeDir, '--since', 'last tuesday'], /^provenance: bad --since "last tuesday"/],
    ['an unknown option', 2, async () => ['requests', '--colour'], /^provenance: unknown option '--colour' \(see `provenance --help`\)\n$/],
    ['trace without an id', 2, async () => ['trace', '--store', storeDir], /^provenance: missing required argument 'reqId'/],
  ])('%s: one line on stderr, exit %i', async (_name, code, args, message) => {
    const run = await runCli(await args());
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.code).toBe(code);
  });
});

/** a port on 127.0.0.1 with nothing listening */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
