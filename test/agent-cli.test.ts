// `provenance agent`'s messages for what is wrong at start: no destination for batches, a bad
// option, a Docker socket that is not there (said in one line, retried, /healthz says so, and
// SIGTERM still ends it with 0).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needBuild, ROOT, metricsUrlOf, startAgent } from './agent-harness';
import { PROVENANCE_BIN, runNode } from './run-node';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    }).on('error', fail);
  });
}

describe('provenance agent at start', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    [[], /say where batches go: --store DIR/],
    [['--apihost', 'http://127.0.0.1:1'], /give all of --apihost URL --auth uuid:key --correlator-action NAME/],
    [['--store', dir, '--containers', '('], /--containers "\(" is not a regular expression/],
    [['--store', dir, '--docker-host', 'tcp://10.0.0.1:2375'], /only unix:\/\/ sockets are supported/],
    [['--store', dir, '--batch-ms', '0'], /bad --batch-ms 0/],
  ])('refuses %j with one line and status 2', async (args, message) => {
    needBuild();
    const r = await runNode([PROVENANCE_BIN, 'agent', ...args], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says which Docker socket it cannot reach and what to do, keeps trying, and stops cleanly', async () => {
    needBuild();
    const socket = path.join(dir, 'missing.sock');
    const agent = startAgent(['--docker-host', `unix://${socket}`, '--store', dir, '--no-kernel', '--metrics', '127.0.0.1:0']);
    try {
      const line = (await agent.waitFor(/discovery: cannot reach the Docker engine[^\n]*/))[0];
      expect(line).toContain(`unix://${socket}`);
      expect(line).toMatch(/the socket does not exist.*start dockerd, or pass --docker-host/);
      expect(agent.log()).toMatch(/agent: kernel capture off: --no-kernel was given/);
      const url = await metricsUrlOf(agent);
      const health = await get(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toContain(socket);
      expect((await get(`${url}/metrics`)).body).toMatch(/sp_agent_discovery_errors_total\{kind="engine-unreachable"\} [1-9]/);
    } finally {
      expect(await agent.stop('SIGTERM')).toBe(0);
    }
  });
});
