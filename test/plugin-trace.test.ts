// `sls provenance trace <reqId>` (positional, as users type it), `--reqId`, and `sls provenance
// requests`, under the real serverless v3 CLI, over a store filled by the real pipeline: a
// service deployed with the plugin, invoked with a known X-Request-ID on the embedded platform,
// its output ingested by the correlator into a local dynalite store.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import { startPlatform, type Platform } from '../invokers/local/index';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { DEFAULT_TABLE } from '../store/types';
import type { RequestSummary } from '../upg/types';
import { assertBuilt, makeHome, makeService, removeScratch, sls } from './plugin-harness';

const dirs: string[] = [];
let storeDir: string;
let dir: string;
let home: string;
const reqId = `req-${randomUUID()}`;
const ingestErrors: unknown[] = [];

let dynamo: LocalDynamo | undefined;
let store: ProvenanceStore | undefined;
let platform: Platform | undefined;

async function stopAll(): Promise<void> {
  await platform?.stop();
  platform = undefined;
  await store?.close();
  store = undefined;
  await dynamo?.stop();
  dynamo = undefined;
}

beforeAll(async () => {
  assertBuilt();
  home = makeHome();
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-trace-store-'));
  dirs.push(home, storeDir);
  dir = makeService({
    'serverless.yml': [
      'service: provtrace',
      'frameworkVersion: "3"',
      'provider:',
      '  name: openwhisk',
      '  runtime: nodejs:20',
      'functions:',
      '  hello:',
      '    handler: handlers/hello.main',
      'plugins:',
      '  - serverless-openwhisk',
      '  - serverless-provenance',
      '',
    ].join('\n'),
    'handlers/hello.js': "exports.main = (p) => { console.log('hello', p.name); return { greeting: 'hello ' + p.name }; };\n",
  });
  dirs.push(dir);

  try {
    dynamo = await startLocalDynamo(storeDir);
    store = await openStore({ endpoint: dynamo.endpoint, table: DEFAULT_TABLE, region: 'us-east-1' }, { create: true });
    const sink = store;
    platform = await startPlatform({
      storeDir,
      idleTimeoutMs: 60_000,
      log: () => undefined,
      onBatch: async (batch) => {
        try {
          await ingestBatch(batch, sink);
        } catch (err) {
          ingestErrors.push(err);
          throw err;
        }
      },
    });
    const env = { HOME: home, OW_APIHOST: platform.apihost, OW_AUTH: platform.auth };
    const deployed = await sls(dir, ['deploy'], env);
    if (deployed.code !== 0) throw new Error(`sls deploy failed\n${deployed.output}`);

    // One request with an id we choose, as a caller sets X-Request-ID.
    const response = await fetch(`${platform.apihost}/api/v1/namespaces/_/actions/provtrace-dev-hello?blocking=true&result=true`, {
      method: 'POST',
      headers: {
        'authorization': `Basic ${Buffer.from(platform.auth).toString('base64')}`,
        'content-type': 'application/json',
        'x-request-id': reqId,
      },
      body: JSON.stringify({ name: 'ada' }),
    });
    expect(await response.json()).toEqual({ greeting: 'hello ada' });
    await platform.flush();
  } finally {
    // The CLI opens the store directory itself: nothing may hold it any more.
    await stopAll();
  }
  expect(ingestErrors).toEqual([]);
});

afterAll(async () => {
  await stopAll();
  removeScratch(dirs);
});

interface TraceJson {
  request: string;
  nodes: Array<{ id: string; kind: string; action?: string; activationId?: string }>;
  edges: Array<{ from: string; to: string; kind: string }>;
}

function parseTrace(stdout: string): TraceJson {
  return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1)) as TraceJson;
}

describe('sls provenance', () => {
  it('trace <reqId>, with the id as a positional word, prints the request graph as JSON', async () => {
    const result = await sls(dir, ['provenance', 'trace', reqId, '--json', '--store', storeDir], { HOME: home });
    expect(result.code, result.output).toBe(0);
    // stdout is the JSON document and nothing else, so it can be piped
    const graph = JSON.parse(result.stdout) as TraceJson;
    expect(graph).toEqual(parseTrace(result.stdout));
    expect(graph.request).toBe(reqId);
    const activations = graph.nodes.filter((n) => n.kind === 'activation');
    expect(activations).toHaveLength(1);
    expect(activations[0].action).toMatch(/provtrace-dev-hello$/);
    expect(graph.nodes.some((n) => n.kind === 'request')).toBe(true);
    expect(graph.edges.length).toBeGreaterThan(0);
  });

  it('trace --reqId <reqId> and the positional form give the same graph; options may come first', async () => {
    const named = await sls(dir, ['provenance', 'trace', '--reqId', reqId, '--json', '--store', storeDir], { HOME: home });
    const positional = await sls(dir, ['provenance', 'trace', '--store', storeDir, '--json', reqId], { HOME: home });
    expect(named.code, named.output).toBe(0);
    expect(positional.code, positional.output).toBe(0);
    expect(parseTrace(positional.stdout)).toEqual(parseTrace(named.stdout));
  });

  it('trace <reqId> without --json prints the readable tree', async () => {
    const result = await sls(dir, ['provenance', 'trace', reqId, '--store', storeDir], { HOME: home });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(reqId);
    expect(result.stdout).toContain('provtrace-dev-hello');
  });

  it('requests lists the request; custom.provenance.store is used when no flag is given', async () => {
    const yml = fs.readFileSync(path.join(dir, 'serverless.yml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'serverless.yml'), `${yml}custom:\n  provenance:\n    store: ${path.relative(dir, storeDir)}\n`);
    try {
      const result = await sls(dir, ['provenance', 'requests', '--json'], { HOME: home });
      expect(result.code, result.output).toBe(0);
      const requests = JSON.parse(result.stdout.slice(result.stdout.indexOf('['), result.stdout.lastIndexOf(']') + 1)) as RequestSummary[];
      expect(requests.map((r) => r.request)).toContain(reqId);
    } finally {
      fs.writeFileSync(path.join(dir, 'serverless.yml'), yml);
    }
  });

  it('an unknown request id is one clear error and a non-zero exit', async () => {
    const result = await sls(dir, ['provenance', 'trace', 'no-such-request', '--store', storeDir], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('provenance trace: no request no-such-request');
    expect(result.output).not.toMatch(/\.js:\d+:\d+/);
  });

  it('a missing store says what to do', async () => {
    const result = await sls(dir, ['provenance', 'requests', '--store', path.join(storeDir, 'nope')], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/provenance requests: no provenance store at .*nope/);
  });

  it('two request ids, or one given twice, are rejected with the usage', async () => {
    let result = await sls(dir, ['provenance', 'trace', reqId, 'other', '--store', storeDir], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('"provenance trace" takes one reqId, got 2 words');
    result = await sls(dir, ['provenance', 'trace', reqId, '--reqId', reqId], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('the reqId is given twice');
    result = await sls(dir, ['provenance', 'trace'], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('requires "--reqId" option');
  });
});
