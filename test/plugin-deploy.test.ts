// Deploying with the plugin under the real serverless v3 CLI and serverless-openwhisk, against
// the embedded platform: `sls deploy`, `sls deploy -f`, `sls package` + `sls deploy --package`;
// `sls invoke` returns the handler's result and the activation's logs carry the wrapper's records.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../invokers/local/index';
import { LOG_ID_OPEN, RECORD_LINE_START } from '../protocol/wrapper-records';
import { assertBuilt, makeHome, makeService, removeScratch, sls, snapshot, writeFiles } from './plugin-harness';

const GEN = '.serverless-provenance';
const dirs: string[] = [];
const platformLog: string[] = [];
let platform: Platform | undefined;
let env: { HOME: string; OW_APIHOST: string; OW_AUTH: string };

beforeAll(async () => {
  assertBuilt();
  const home = makeHome();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-deploy-store-'));
  dirs.push(home, storeDir);
  platform = await startPlatform({ storeDir, idleTimeoutMs: 60_000, log: (line) => platformLog.push(line) });
  env = { HOME: home, OW_APIHOST: platform.apihost, OW_AUTH: platform.auth };
});

afterAll(async () => {
  await platform?.stop();
  removeScratch(dirs);
});

function client() {
  return openwhisk({ apihost: env.OW_APIHOST, api_key: env.OW_AUTH });
}

function handlerSource(word: string): string {
  return [
    'exports.main = (params) => {',
    `  console.log('${word} called for', params.name);`,
    `  return { greeting: '${word} ' + params.name };`,
    '};',
    '',
  ].join('\n');
}

function service(name: string, functions: Record<string, string>): string {
  const yml = [
    `service: ${name}`,
    'frameworkVersion: "3"',
    'provider:',
    '  name: openwhisk',
    '  runtime: nodejs:20',
    'functions:',
    ...Object.keys(functions).flatMap((fn) => [`  ${fn}:`, `    handler: handlers/${fn}.main`]),
    'plugins:',
    '  - serverless-openwhisk',
    '  - serverless-provenance',
    '',
  ].join('\n');
  const files: Record<string, string> = { 'serverless.yml': yml };
  for (const [fn, source] of Object.entries(functions)) files[`handlers/${fn}.js`] = source;
  const dir = makeService(files);
  dirs.push(dir);
  return dir;
}

/** `sls invoke -f fn -d data`: the result object it prints. */
async function invoke(dir: string, fn: string, data: object): Promise<unknown> {
  const result = await sls(dir, ['invoke', '-f', fn, '-d', JSON.stringify(data)], env);
  expect(result.code, result.output).toBe(0);
  const text = result.stdout;
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
}

/** The newest activation of an action: its logs, after the platform has collected them. */
async function lastActivationLogs(action: string): Promise<string[]> {
  const ow = client();
  for (let attempt = 0; attempt < 50; attempt++) {
    const [latest] = (await ow.activations.list({ name: action, limit: 1, docs: true })) as Array<{ logs?: string[] }>;
    if (latest?.logs?.some((l) => l.includes('"t":"end"'))) return latest.logs;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no activation of ${action} with complete logs\n${platformLog.join('\n')}`);
}

/** What the deployed action runs: its main and the package.json main inside its zip. */
async function deployedEntry(action: string): Promise<{ main: string; packageMain: string; files: string[] }> {
  const doc = (await client().actions.get({ name: action })) as { exec: { main?: string; code: string; binary?: boolean } };
  const zip = new AdmZip(Buffer.from(doc.exec.code, 'base64'));
  const manifest = JSON.parse(zip.readAsText('package.json')) as { main: string };
  return { main: doc.exec.main ?? 'main', packageMain: manifest.main, files: zip.getEntries().map((e) => e.entryName) };
}

function expectWrapped(logs: string[], word: string): void {
  const records = logs.filter((l) => l.includes(RECORD_LINE_START));
  expect(records.some((l) => l.includes('"t":"begin"')), logs.join('\n')).toBe(true);
  expect(records.some((l) => l.includes('"t":"end"') && l.includes('"ok":true')), logs.join('\n')).toBe(true);
  // the user's console line, with the ids injected by the wrapper
  expect(logs.some((l) => l.includes(LOG_ID_OPEN) && l.includes(`${word} called for`)), logs.join('\n')).toBe(true);
}

describe('deploying with serverless-provenance', () => {
  it('sls deploy, then sls invoke: the wrapped handler answers and its activation carries the records', async () => {
    const dir = service('provdeploy', { hello: handlerSource('hello'), bye: handlerSource('bye') });
    const before = snapshot(dir);

    const deployed = await sls(dir, ['deploy'], env);
    expect(deployed.code, deployed.output).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);

    const entry = await deployedEntry('provdeploy-dev-hello');
    expect(entry).toMatchObject({ main: 'main', packageMain: `${GEN}/hello.js` });
    expect(entry.files).toEqual(expect.arrayContaining(['handlers/hello.js', `${GEN}/hello.js`, `${GEN}/wrapper.js`]));

    expect(await invoke(dir, 'hello', { name: 'ada' })).toEqual({ greeting: 'hello ada' });
    expectWrapped(await lastActivationLogs('provdeploy-dev-hello'), 'hello');
    expect(await invoke(dir, 'bye', { name: 'bob' })).toEqual({ greeting: 'bye bob' });
    expectWrapped(await lastActivationLogs('provdeploy-dev-bye'), 'bye');

    // sls deploy -f: one function, new code, still wrapped, service dir still untouched
    writeFiles(dir, { 'handlers/hello.js': handlerSource('howdy') });
    const changed = snapshot(dir);
    const one = await sls(dir, ['deploy', '-f', 'hello'], env);
    expect(one.code, one.output).toBe(0);
    expect(snapshot(dir)).toEqual(changed);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);
    expect((await deployedEntry('provdeploy-dev-hello')).packageMain).toBe(`${GEN}/hello.js`);
    expect(await invoke(dir, 'hello', { name: 'cy' })).toEqual({ greeting: 'howdy cy' });
    expectWrapped(await lastActivationLogs('provdeploy-dev-hello'), 'howdy');
    // the other function was not redeployed
    expect(await invoke(dir, 'bye', { name: 'dee' })).toEqual({ greeting: 'bye dee' });
  });

  it('sls package, then sls deploy --package deploys exactly what was packaged', async () => {
    const dir = service('provpkg', { hello: handlerSource('packaged') });
    const packaged = await sls(dir, ['package', '--package', 'out'], env);
    expect(packaged.code, packaged.output).toBe(0);
    expect(fs.existsSync(path.join(dir, 'out', 'provpkg.zip'))).toBe(true);

    // Change the source after packaging: the deployed code must still be the packaged one.
    writeFiles(dir, { 'handlers/hello.js': handlerSource('edited') });
    const before = snapshot(dir);
    const deployed = await sls(dir, ['deploy', '--package', 'out'], env);
    expect(deployed.code, deployed.output).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);

    expect((await deployedEntry('provpkg-dev-hello')).packageMain).toBe(`${GEN}/hello.js`);
    expect(await invoke(dir, 'hello', { name: 'eve' })).toEqual({ greeting: 'packaged eve' });
    expectWrapped(await lastActivationLogs('provpkg-dev-hello'), 'packaged');
  });

  it('sls deploy --package with nothing packaged says what to do', async () => {
    const dir = service('provnopkg', { hello: handlerSource('x') });
    const result = await sls(dir, ['deploy', '--package', 'missing'], env);
    expect(result.code).toBe(1);
    expect(result.output).toContain('provnopkg.zip is missing. Package first with "serverless package --package missing"');
  });
});
