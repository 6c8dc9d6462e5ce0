// `provenance local start` as a user runs it (the built bin, a real process), and the real
// Serverless Framework v3 CLI with serverless-openwhisk deploying to it, invoking, reading logs and
// info, and removing. Stopping with SIGTERM leaves no process and no platform.json behind.
import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';
import { startLocalStart, type LocalStartProcess } from './platform-harness';

const root = packageRoot();
const sls = path.join(root, 'node_modules', '.bin', 'serverless');

function childPids(pid: number): number[] {
  const out = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const pairs = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of pairs) if (pp === p) { found.push(c); walk(c); }
  };
  walk(pid);
  return found;
}

describe('provenance local start + serverless v3', () => {
  let dir: string;
  let proc: ChildProcess;
  let env: Record<string, string>;
  let local: LocalStartProcess;

  beforeAll(async () => {
    expect(fs.existsSync(path.join(root, 'dist', 'cli', 'index.js'))).toBe(true); // `npm run build` first
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-cli-'));
    local = await startLocalStart(path.join(dir, 'store'), ['--idle-timeout', '60'], dir);
    proc = local.proc;
    env = {
      PATH: process.env.PATH ?? '',
      HOME: dir, // no ~/.wskprops surprises
      OW_APIHOST: local.apihost,
      OW_AUTH: local.auth,
      OW_NAMESPACE: local.namespace,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    };
    const svc = path.join(dir, 'svc');
    fs.mkdirSync(svc);
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(svc, 'node_modules'));
    fs.writeFileSync(
      path.join(svc, 'serverless.yml'),
      [
        'service: clitest',
        "frameworkVersion: '3'",
        'configValidationMode: off',
        'provider:',
        '  name: openwhisk',
        '  runtime: nodejs:20',
        'functions:',
        '  hi:',
        '    handler: handler.main',
        'package:',
        '  patterns:',
        "    - '!node_modules/**'",
        'plugins:',
        '  - serverless-openwhisk',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(svc, 'handler.js'), "exports.main = (p) => { console.log('greeting ' + p.who); return { hi: p.who }; };\n");
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => {
    const r = spawnSync(sls, args, { cwd: path.join(dir, 'svc'), env, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };

  it('prints the credentials and writes platform.json and a .wskprops', () => {
    const stdout = local.stdout();
    expect(stdout).toMatch(/^OW_APIHOST=http:\/\/127\.0\.0\.1:\d+$/m);
    expect(stdout).toMatch(/^OW_AUTH=[^:\s]+:\S+$/m);
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'store', 'platform.json'), 'utf8'));
    expect(info).toMatchObject({ pid: proc.pid, apihost: env.OW_APIHOST, auth: env.OW_AUTH, dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const wskprops = /^WSK_CONFIG_FILE=(.*)$/m.exec(stdout)![1];
    expect(fs.readFileSync(wskprops, 'utf8')).toContain(`AUTH=${env.OW_AUTH}`);
    expect(local.stderr()).toMatch(/container isolation: /);
  });

  it('deploys, invokes, shows logs and info, and removes with the real serverless CLI', () => {
    const deploy = run('deploy');
    expect(deploy.out).toContain('Deployment successful!');
    const invoke = run('invoke', '-f', 'hi', '-d', '{"who":"sls"}');
    expect(invoke.status).toBe(0);
    expect(JSON.parse(invoke.out.slice(invoke.out.indexOf('{'), invoke.out.lastIndexOf('}') + 1))).toEqual({ hi: 'sls' });
    const logs = run('logs', '-f', 'hi');
    expect(logs.out).toContain('greeting sls');
    const info = run('info');
    expect(info.out).toContain('clitest-dev-hi');
    const remove = run('remove');
    expect(remove.out).toContain('Resource removal successful!');
    expect(run('info').out).toContain('no actions deployed');
  });

  it('stops on SIGTERM with no process left and platform.json removed', async () => {
    const children = childPids(proc.pid!);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of children) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'store', 'platform.json'))).toBe(false);
  });
});
