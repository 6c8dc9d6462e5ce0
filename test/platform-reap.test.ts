// Containers never outlive their platform: `provenance local start` as a separate process with
// several warm containers is SIGKILLed (its stop() never runs); no process of its containers may
// remain, and a platform started again on the same store leaves nothing of the first run.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';
import { CODE_DIR_ENV } from '../protocol/action-runtime';
import { startLocalStart } from './platform-harness';
import { until } from './wait';

const root = packageRoot();

const startLocal = (storeDir: string) => startLocalStart(storeDir, ['--idle-timeout', '600']);

/** Processes running with a container directory of this store as their code directory. */
function containerProcesses(storeDir: string): number[] {
  const prefix = `${CODE_DIR_ENV}=${fs.realpathSync(storeDir)}/platform/containers/`;
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (fs.readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').some((kv) => kv.startsWith(prefix))) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

function recordedContainers(storeDir: string): Array<{ id: string; cgroupDir?: string }> {
  const dir = path.join(storeDir, 'platform', 'containers');
  return fs
    .readdirSync(dir)
    .map((id) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, id, 'container.json'), 'utf8')) as { id: string; cgroupDir?: string };
      } catch {
        return undefined;
      }
    })
    .filter((r): r is { id: string; cgroupDir?: string } => r !== undefined);
}

const SLOW = `async function main(p) { await new Promise((r) => setTimeout(r, p.ms || 0)); return { host: require('os').hostname() }; }`;
// a process the action leaves behind, outliving its activation (and trying to outlive its container)
const PLANTER = `function main() {
  const child = require('child_process').spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  child.unref();
  return { planted: child.pid };
}`;

describe('containers never outlive their platform (process containers)', () => {
  let dir: string;
  let storeDir: string;
  const procs: ChildProcess[] = [];

  beforeAll(() => {
    expect(fs.existsSync(path.join(root, 'dist', 'cli', 'index.js'))).toBe(true); // `npm run build` first
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-reap-'));
    storeDir = path.join(dir, 'store');
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    // when the test fails, leave nothing behind either
    if (fs.existsSync(storeDir)) for (const pid of containerProcesses(storeDir)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL of the platform takes every container with it; a new platform on the store removes the rest', async () => {
    const first = await startLocal(storeDir);
    procs.push(first.proc);
    const ow = openwhisk({ apihost: first.apihost, api_key: first.auth });
    await ow.actions.create({ name: 'slow', action: SLOW, kind: 'nodejs:20' } as never);
    await ow.actions.create({ name: 'planter', action: PLANTER, kind: 'nodejs:20' } as never);
    // three slow activations at once need three containers; the planter a fourth
    const results = await Promise.all([
      ...[0, 1, 2].map(() => ow.actions.invoke({ name: 'slow', params: { ms: 500 }, blocking: true, result: true })),
      ow.actions.invoke({ name: 'planter', blocking: true, result: true }) as Promise<{ planted: number }>,
    ]);
    const planted = (results[3] as { planted: number }).planted;
    expect(planted).toBeGreaterThan(0);
    const records = recordedContainers(storeDir);
    expect(records.length).toBeGreaterThanOrEqual(4);
    expect(containerProcesses(storeDir).length).toBeGreaterThanOrEqual(5); // 4 runtimes + the planted sleep

    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    await until('no process of the killed platform\'s containers runs', () => containerProcesses(storeDir).length === 0, 5_000, 50);

    const second = await startLocal(storeDir);
    procs.push(second.proc);
    expect(second.stderr()).toMatch(/reaped \d+ container\(s\) an earlier run of this store left/);
    const left = fs.readdirSync(path.join(storeDir, 'platform', 'containers'));
    for (const r of records) {
      expect(left).not.toContain(r.id);
      if (r.cgroupDir) expect(fs.existsSync(r.cgroupDir)).toBe(false);
    }
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
    expect(containerProcesses(storeDir)).toEqual([]);
  }, 120_000);
});
