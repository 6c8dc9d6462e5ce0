// Pull mode against the embedded platform's REST API: the platform runs without its agent sink, so
// nothing reaches the store unless `provenance collect` (the built bin, a real process) pulls it.
// A wrapped service deployed with the real serverless v3 CLI; its entry action logs and invokes a
// second one. The first collect ingests both activations of each request (records, log lines, the
// invocation between them, the pull-mode warning); a second collect fetches nothing new.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../invokers/local/index';
import type { LocalDynamo, ProvenanceStore } from '../store/index';
import { DEFAULT_TABLE } from '../store/types';
import type { RequestGraph } from '../upg/types';
import { assertBuilt, makeService, sls, stopAllThenRemove } from './plugin-harness';
import { serverlessEnv, startStoreAndPlatform, wrappedServiceYml } from './platform-harness';
import { PROVENANCE_BIN, runNode } from './run-node';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SERVICE = 'pulled';
const stops: Array<() => unknown> = [];
const dirs: string[] = [];
let platform: Platform;
let dynamo: LocalDynamo;
let store: ProvenanceStore;
let serviceDir: string;
let env: Record<string, string> & { HOME: string };

beforeAll(async () => {
  assertBuilt();
  // no correlator: the agent ships nothing
  ({ dynamo, store, platform } = await startStoreAndPlatform({ stops, dirs }, { prefix: 'collect', correlator: 'none' }));
  env = serverlessEnv({ dirs }, platform);
  serviceDir = makeService({
    'serverless.yml': wrappedServiceYml(SERVICE, { outer: 'handlers/outer.main', inner: 'handlers/inner.main' }),
    'handlers/outer.js': [
      "const openwhisk = require('openwhisk');",
      'exports.main = async (params) => {',
      "  console.log('outer got ' + params.n);",
      `  return openwhisk().actions.invoke({ name: '${SERVICE}-dev-inner', blocking: true, result: true, params: { n: params.n } });`,
      '};',
      '',
    ].join('\n'),
    'handlers/inner.js': [
      "const fs = require('fs');",
      'exports.main = async (params) => {',
      "  fs.writeFileSync('/tmp/pulled-' + params.n, String(params.n));",
      "  console.log('inner wrote ' + params.n);",
      '  return { n: params.n };',
      '};',
      '',
    ].join('\n'),
  });
  dirs.push(serviceDir);
}, 120_000);

afterAll(() => stopAllThenRemove(stops, dirs));

const collectArgs = () => [PROVENANCE_BIN, 'collect', '--apihost', platform.apihost, '--auth', platform.auth, '--endpoint', dynamo.endpoint, '--table', DEFAULT_TABLE, '--region', 'us-east-1', '--json'];

describe('provenance collect', () => {
  it('ingests what the REST API holds, once', async () => {
    const deploy = await sls(serviceDir, ['deploy'], env, 120_000);
    expect(deploy.code, deploy.output).toBe(0);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    for (const n of [1, 2]) expect(await ow.actions.invoke({ name: `${SERVICE}-dev-outer`, blocking: true, result: true, params: { n } })).toEqual({ n });
    expect(await store.listRequests()).toEqual([]); // only collect can deliver

    const first = await runNode(collectArgs(), { cwd: os.tmpdir(), timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as { collected: number; requests: string[] };
    expect(summary.collected).toBe(4);
    expect(summary.requests).toHaveLength(2);

    for (const request of summary.requests) {
      const trace = await runNode([PROVENANCE_BIN, 'trace', request, '--json', '--endpoint', dynamo.endpoint, '--table', DEFAULT_TABLE, '--region', 'us-east-1'], { cwd: os.tmpdir() });
      expect(trace.code, trace.stderr).toBe(0);
      const graph = JSON.parse(trace.stdout) as RequestGraph;
      const activations = graph.nodes.filter((n) => n.kind === 'activation');
      expect(activations.map((n) => (n as { action?: string }).action).sort()).toEqual([expect.stringMatching(/pulled-dev-inner$/), expect.stringMatching(/pulled-dev-outer$/)]);
      const logs = graph.nodes.filter((n) => n.kind === 'log').map((n) => (n as { text?: string }).text);
      expect(logs).toEqual(expect.arrayContaining([expect.stringMatching(/^outer got \d$/), expect.stringMatching(/^inner wrote \d$/)]));
      expect(graph.nodes.some((n) => n.kind === 'file' && /\/tmp\/pulled-\d$/.test((n as { path?: string }).path ?? ''))).toBe(true);
      expect(graph.edges.some((e) => e.kind === 'wasStartedBy' || e.op === 'invoke')).toBe(true);
      expect(graph.warnings?.map((w) => w.code)).toContain('pulled');
    }

    const second = await runNode(collectArgs(), { cwd: os.tmpdir(), timeoutMs: 60_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ collected: 0, requests: [] });
  }, 300_000);

  it('sls provenance collect pulls; with mode: pull, sls provenance trace pulls first', async () => {
    const yml = fs.readFileSync(path.join(serviceDir, 'serverless.yml'), 'utf8');
    fs.writeFileSync(
      path.join(serviceDir, 'serverless.yml'),
      `${yml}custom:\n  provenance:\n    mode: pull\n    endpoint: ${dynamo.endpoint}\n    table: ${DEFAULT_TABLE}\n    region: us-east-1\n`,
    );
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const before = new Set((await store.listRequests()).map((r) => r.request));
    await ow.actions.invoke({ name: `${SERVICE}-dev-outer`, blocking: true, result: true, params: { n: 3 } });
    const collected = await sls(serviceDir, ['provenance', 'collect', '--json'], env, 120_000);
    expect(collected.code, collected.output).toBe(0);
    const summary = JSON.parse(collected.stdout.slice(collected.stdout.indexOf('{'), collected.stdout.lastIndexOf('}') + 1)) as { collected: number; requests: string[] };
    expect(summary.collected).toBe(2);
    const [third] = summary.requests;
    expect(before.has(third!)).toBe(false);

    await ow.actions.invoke({ name: `${SERVICE}-dev-outer`, blocking: true, result: true, params: { n: 4 } });
    const traced = await sls(serviceDir, ['provenance', 'trace', third!, '--json'], env, 120_000);
    expect(traced.code, traced.output).toBe(0);
    expect(traced.output).toContain('inner wrote 3');
    // the trace pulled the fourth request in on its way
    const after = (await store.listRequests()).map((r) => r.request).filter((r) => !before.has(r) && r !== third);
    expect(after).toHaveLength(1);
  }, 300_000);

  it('says in one line when the credentials are refused', async () => {
    const run = await runNode([PROVENANCE_BIN, 'collect', '--apihost', platform.apihost, '--auth', 'nobody:wrong', '--endpoint', dynamo.endpoint, '--table', DEFAULT_TABLE, '--region', 'us-east-1'], { cwd: os.tmpdir() });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^provenance: .*refused the credentials \(HTTP 401\).*check --auth/)]);
  }, 60_000);
});
