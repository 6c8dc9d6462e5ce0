// `sls package` under the real serverless v3 CLI and the real serverless-openwhisk provider:
// the artifact carries the wrapper, one entry per function and the untouched handlers; the
// service dir is left as it was; configuration and plugin resolution behave.
import { decodeDeployment } from '../protocol/deployment';
import { profileHash } from '../lms/profile-hash';
import type { LmsProfile } from '../lms/types';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  makeHome,
  makeService,
  readZip,
  removeScratch,
  ROOT,
  sha,
  sls,
  snapshot,
  WRAPPER_BUNDLE,
} from './plugin-harness';

const GEN = '.serverless-provenance';
const dirs: string[] = [];
let home: string;

beforeAll(() => {
  assertBuilt();
  home = makeHome();
  dirs.push(home);
});
afterAll(() => removeScratch(dirs));

function service(files: Record<string, string>, where?: { outside?: boolean }): string {
  const dir = makeService(files, where);
  dirs.push(dir);
  return dir;
}

const HELLO = "exports.main = (params) => ({ greeting: 'hello ' + (params.name || 'world') });\n";
const NESTED = "module.exports = { handlers: { price: async () => ({ price: 42 }) } };\n";

function yml(functions: string, extra = ''): string {
  return [
    'service: provtest',
    'frameworkVersion: "3"',
    'provider:',
    '  name: openwhisk',
    '  runtime: nodejs:20',
    'functions:',
    functions,
    extra,
    'plugins:',
    '  - serverless-openwhisk',
    '  - serverless-provenance',
    '',
  ].join('\n');
}

describe('sls package', () => {
  it('puts the wrapper and one entry per function into the artifact and leaves the service dir as it was', async () => {
    const dir = service({
      'serverless.yml': yml(
        [
          '  hello:',
          '    handler: handlers/hello.main',
          '  price:',
          '    handler: lib/prices.handlers.price',
          '  flow:',
          '    sequence: [price, hello]',
          '  py:',
          '    handler: py/app.main',
          '    runtime: python:3',
        ].join('\n'),
      ),
      'handlers/hello.js': HELLO,
      'lib/prices.js': NESTED,
      'py/app.py': 'def main(args):\n    return {}\n',
    });
    const before = snapshot(dir);

    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('not wrapping "flow": a sequence runs other actions');
    expect(result.output).toContain('not wrapping "py": runtime "python:3" is not Node.js');

    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);

    const zip = readZip(path.join(dir, '.serverless', 'provtest.zip'));
    expect([...zip.keys()].sort()).toEqual(
      [
        `${GEN}/hello.js`,
        `${GEN}/hello.lms.json`,
        `${GEN}/hello.deployment.json`,
        `${GEN}/price.js`,
        `${GEN}/price.lms.json`,
        `${GEN}/price.deployment.json`,
        `${GEN}/wrapper.js`,
        'handlers/hello.js',
        'lib/prices.js',
        'py/app.py',
      ].sort(),
    );
    // each entry names its function's LMS profile, and sends the deployment it travels with (the
    // service's settings and that profile), both of which the artifact carries
    for (const fn of ['hello', 'price']) {
      const profile = JSON.parse(zip.get(`${GEN}/${fn}.lms.json`)!.toString()) as LmsProfile;
      expect(profile.v).toBe(1);
      const entry = zip.get(`${GEN}/${fn}.js`)!.toString();
      expect(entry).toContain(`const deployment = require("./${fn}.deployment.json");`);
      expect(entry).toContain(`, { profile: ${JSON.stringify(profileHash(profile))}, deployment });`);
      const { hash, parts } = JSON.parse(zip.get(`${GEN}/${fn}.deployment.json`)!.toString()) as { hash: string; parts: string[] };
      const decoded = decodeDeployment(hash, parts);
      expect(decoded).toEqual({ doc: expect.objectContaining({ service: 'provtest', stage: 'dev', actions: ['_/provtest-dev-flow', '_/provtest-dev-hello', '_/provtest-dev-price', '_/provtest-dev-py'], profile }) });
    }
    expect(zip.get('handlers/hello.js')!.toString()).toBe(HELLO);
    expect(zip.get('lib/prices.js')!.toString()).toBe(NESTED);
    expect(sha(zip.get(`${GEN}/wrapper.js`)!)).toBe(sha(fs.readFileSync(WRAPPER_BUNDLE)));
    expect(zip.get(`${GEN}/hello.js`)!.toString()).toContain(
      'exports.main = wrapHandler(() => require("../handlers/hello.js"), "main", { profile: "lp',
    );
    expect(zip.get(`${GEN}/price.js`)!.toString()).toContain(
      'exports.main = wrapHandler(() => require("../lib/prices.js"), "handlers.price", { profile: "lp',
    );
  });

  it('packages functions individually with the same content', async () => {
    const dir = service({
      'serverless.yml': yml(['  hello:', '    handler: handlers/hello.main', '  other:', '    handler: handlers/other.main'].join('\n'), 'package:\n  individually: true'),
      'handlers/hello.js': HELLO,
      'handlers/other.js': HELLO,
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    for (const fn of ['hello', 'other']) {
      const zip = readZip(path.join(dir, '.serverless', `${fn}.zip`));
      expect(zip.has(`${GEN}/${fn}.js`)).toBe(true);
      expect(zip.has(`${GEN}/wrapper.js`)).toBe(true);
      expect(zip.get(`handlers/${fn}.js`)!.toString()).toBe(HELLO);
    }
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);
  });

  it('honours custom.provenance.exclude and enabled: false', async () => {
    const dir = service({
      'serverless.yml': yml(['  hello:', '    handler: handlers/hello.main', '  other:', '    handler: handlers/other.main'].join('\n'), 'custom:\n  provenance:\n    exclude: [other]'),
      'handlers/hello.js': HELLO,
      'handlers/other.js': HELLO,
    });
    let result = await sls(dir, ['package'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('not wrapping "other": listed in custom.provenance.exclude');
    let zip = readZip(path.join(dir, '.serverless', 'provtest.zip'));
    expect(zip.has(`${GEN}/hello.js`)).toBe(true);
    expect(zip.has(`${GEN}/other.js`)).toBe(false);

    fs.writeFileSync(
      path.join(dir, 'serverless.yml'),
      yml(['  hello:', '    handler: handlers/hello.main'].join('\n'), 'custom:\n  provenance:\n    enabled: false'),
    );
    result = await sls(dir, ['package'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    zip = readZip(path.join(dir, '.serverless', 'provtest.zip'));
    expect([...zip.keys()].filter((k) => k.startsWith(GEN))).toEqual([]);
  });

  it('fails, naming the fix, when analysis settings have no wrapped function to travel in', async () => {
    const dir = service({
      'serverless.yml': yml('  py:\n    handler: py/app.main\n    runtime: python:3', 'custom:\n  provenance:\n    sensitive:\n      files: [token.json]'),
      'py/app.py': 'def main(args):\n    return {}\n',
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('custom.provenance sets analysis settings (sensitive, allowlist or alerts), but no function of this service is wrapped');
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);
  });

  it('never ships a local provenance store', async () => {
    const dir = service({
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main', 'custom:\n  provenance:\n    store: data/prov'),
      'handlers/hello.js': HELLO,
      '.provenance/db/CURRENT': 'x',
      'data/prov/db/CURRENT': 'x',
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    const names = [...readZip(path.join(dir, '.serverless', 'provtest.zip')).keys()];
    expect(names.filter((n) => n.startsWith('.provenance/') || n.startsWith('data/'))).toEqual([]);
  });

  it('removes the generated folder when packaging fails', async () => {
    const dir = service({
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main\n  broken:\n    handler: handlers/missing.main'),
      'handlers/hello.js': HELLO,
    });
    const before = snapshot(dir);
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('not wrapping "broken": its handler file handlers/missing.js does not exist');
    expect(result.output).toMatch(/Unable to read handler file in function broken|does not exist/);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it('removes the generated folder when packaging is interrupted with Ctrl-C', async () => {
    const dir = service({
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main'),
      'handlers/hello.js': HELLO,
    });
    // Incompressible data keeps the zipping busy long enough to interrupt it.
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'assets', 'big.bin'), randomBytes(24 * 1024 * 1024));
    const before = snapshot(dir);
    let sawGenerated = false;
    const result = await sls(dir, ['package'], { HOME: home }, 90_000, (child) => {
      const poll = setInterval(() => {
        if (!fs.existsSync(path.join(dir, GEN, 'hello.js'))) return;
        sawGenerated = true;
        clearInterval(poll);
        child.kill('SIGINT');
      }, 10);
      child.on('close', () => clearInterval(poll));
    });
    expect(sawGenerated, result.output).toBe(true);
    expect(result.signal ?? result.code).not.toBe(0);
    expect(fs.existsSync(path.join(dir, GEN))).toBe(false);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses to touch a folder of the same name that it did not create', async () => {
    const dir = service({
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main'),
      'handlers/hello.js': HELLO,
      [`${GEN}/mine.txt`]: 'user data',
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`${GEN} exists but was not generated by serverless-provenance. Rename or remove it`);
    expect(result.output).not.toMatch(/\.js:\d+:\d+/); // a user error: no stack trace
    expect(fs.readFileSync(path.join(dir, GEN, 'mine.txt'), 'utf8')).toBe('user data');
  });

  it('a bad custom.provenance value fails with one clear message and a non-zero exit', async () => {
    const dir = service({
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main', 'custom:\n  provenance:\n    enabled: maybe\n    exclude: [nope]'),
      'handlers/hello.js': HELLO,
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('custom.provenance.enabled must be true or false, got "maybe"');
    expect(result.output).toContain('custom.provenance.exclude[0] names "nope", which is not a function of this service (functions: hello)');
    expect(result.output).toContain('Fix custom.provenance in serverless.yml');
    expect(result.output).not.toMatch(/\.js:\d+:\d+/);
    expect(fs.existsSync(path.join(dir, '.serverless'))).toBe(false);
  });

  it('with configValidationMode: error the framework itself names the bad key', async () => {
    const dir = service({
      'serverless.yml': `configValidationMode: error\n${yml('  hello:\n    handler: handlers/hello.main', 'custom:\n  provenance:\n    table: 1')}`,
      'handlers/hello.js': HELLO,
    });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/custom\.provenance\.table/);
  });
});

describe('plugin resolution', () => {
  it('resolves for a service that installed serverless-provenance into its own node_modules', async () => {
    // What `npm install serverless-provenance` leaves: the published files under node_modules.
    const dir = service({
      'package.json': JSON.stringify({ name: 'my-service', version: '1.0.0', private: true, dependencies: { 'serverless-provenance': '*' } }),
      'serverless.yml': yml('  hello:\n    handler: handlers/hello.main'),
      'handlers/hello.js': HELLO,
    });
    const installed = path.join(dir, 'node_modules', 'serverless-provenance');
    fs.mkdirSync(installed, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(installed, 'package.json'));
    fs.cpSync(path.join(ROOT, 'dist'), path.join(installed, 'dist'), { recursive: true });
    // Mark the installed copy's wrapper, to see that the copy (not the repo's build) was used.
    fs.appendFileSync(path.join(installed, 'dist', 'wrapper', 'bundle.js'), '\n// installed copy\n');

    const result = await sls(dir, ['package', '--verbose'], { HOME: home });
    expect(result.code, result.output).toBe(0);
    const zip = readZip(path.join(dir, '.serverless', 'provtest.zip'));
    expect(zip.has(`${GEN}/hello.js`)).toBe(true);
    expect(zip.get(`${GEN}/wrapper.js`)!.toString()).toMatch(/\/\/ installed copy\n$/);
    // a runtime dependency, yet not shipped: the wrapper is already in the generated folder
    expect([...zip.keys()].filter((n) => n.startsWith('node_modules/'))).toEqual([]);
    expect(result.output).toContain('wrapped 1 function(s): hello');
  });

  it('says clearly when the plugin cannot be found', async () => {
    const dir = service({ 'serverless.yml': yml('  hello:\n    handler: handlers/hello.main'), 'handlers/hello.js': HELLO }, { outside: true });
    const result = await sls(dir, ['package'], { HOME: home });
    expect(result.code).toBe(1);
    expect(result.output).toContain('Serverless plugin "serverless-provenance" not found');
  });
});
