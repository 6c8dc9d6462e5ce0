// The root serverless.yml as a user runs it: the real serverless v3 CLI with serverless-openwhisk
// deploys the bundled correlator to the embedded OpenWhisk platform; invoking the action with a
// batch (through the `openwhisk` client) stores the request's graph in a real dynalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import { startPlatform, type Platform } from '../invokers/local/index';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { makeHome, ROOT, sls } from './plugin-harness';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'correlator-deploy-test';
const RUNTIME = path.join(ROOT, 'dist', 'invokers', 'local', 'runtime', 'server.js');

let work: string;
let service: string;
let home: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;
let platform: Platform;

beforeAll(async () => {
  if (!fs.existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run \`npm run build\` before this test`);
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'prov-correlator-deploy-'));
  // The service folder sits inside the package so serverless finds serverless-openwhisk in its node_modules.
  const scratch = path.join(ROOT, 'test', '.correlator-tmp');
  fs.mkdirSync(scratch, { recursive: true });
  service = fs.mkdtempSync(path.join(scratch, 'svc-'));
  fs.copyFileSync(path.join(ROOT, 'serverless.yml'), path.join(service, 'serverless.yml'));
  fs.mkdirSync(path.join(service, 'dist', 'correlator'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'dist', 'correlator', 'bundle.js'), path.join(service, 'dist', 'correlator', 'bundle.js'));
  home = makeHome();
  dynamo = await startLocalDynamo(path.join(work, 'store'));
  store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
  platform = await startPlatform({ storeDir: path.join(work, 'platform'), idleTimeoutMs: 60_000, log: () => undefined });
});

afterAll(async () => {
  await platform?.stop();
  await store?.close();
  await dynamo?.stop();
  for (const dir of [work, service, home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const scratch = path.join(ROOT, 'test', '.correlator-tmp');
  if (fs.existsSync(scratch) && fs.readdirSync(scratch).length === 0) fs.rmdirSync(scratch);
});

describe('root serverless.yml', () => {
  it('deploys the correlator action, which ingests a batch into the store its parameters name', async () => {
    const env = {
      HOME: home,
      OW_APIHOST: platform.apihost,
      OW_AUTH: platform.auth,
      PROVENANCE_DYNAMODB_ENDPOINT: dynamo.endpoint,
      PROVENANCE_TABLE: TABLE,
    };
    const deploy = await sls(service, ['deploy'], env, 120_000);
    expect(deploy.code, deploy.output).toBe(0);
    expect(deploy.output).toContain('provenance-correlator');

    const W = new ActivationWriter('dep-W', 'req-deployed', 'c'.repeat(32));
    const c = new ContainerOutput({ container: 'c1', invoker: 'inv0', action: '/_/worker', started: 1 });
    c.write(W.begin(1000, { act: '/_/worker', ns: '_', pid: 3, host: 'c1', cold: true }), 1000)
      .write(W.record({ t: 'fs', op: 'write', path: '/tmp/out.txt', n: 4 }, 1001), 1001)
      .write(W.log('wrote the file'), 1002)
      .write(W.record({ t: 'end', ok: true, dur: 3 }, 1003), 1003)
      .sentinel(1004);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const result = await ow.actions.invoke({ name: 'provenance-correlator', blocking: true, result: true, params: { batch: makeBatch('inv0', 1, [c]) } });
    expect(result).toEqual({ ok: true, results: [{ requests: ['req-deployed'], records: 3, logLines: 1, rejected: {}, unattributed: 0 }] });

    const graph = await store.getRequestGraph('req-deployed');
    expect(graph?.nodes.find((n) => n.kind === 'file')).toMatchObject({ path: '/tmp/out.txt' });

    const refused = await ow.actions.invoke({ name: 'provenance-correlator', blocking: true, result: true, params: { batch: { v: 9 } } }).catch((err: { error?: { response?: { result?: unknown } } }) => err.error?.response?.result);
    expect(refused).toEqual({ error: expect.stringMatching(/batch\.v is 9; this correlator reads batch version 1/) });
  });
});
