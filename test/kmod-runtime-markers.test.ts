// The embedded platform's action runtime keeps the stdio marker rule (protocol/stdio-markers.ts)
// as the kernel sees it: the runtime runs in a test cgroup under the real probe, stdout and stderr
// pipes as a container's, and after each activation its sentinel writes reach the capture whole
// on both streams, while the action's own log lines are summed (their text comes from the log).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch, type KernelEvent } from '../kmod/decode';
import { reassembleChunks } from '../kmod/reassemble';
import { EventType } from '../kmod/schema';
import { StdioLineSplitter } from '../kmod/stdio-lines';
import { ACTIVATION_SENTINEL, CODE_DIR_ENV, PORT_ENV } from '../protocol/action-runtime';
import { afterExec, ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { post, readyPort } from './action-runtime-client';
import { describeNeeding } from './prerequisites';

const RUNTIME = path.join(__dirname, '..', 'dist', 'invokers', 'local', 'runtime', 'server.js');
const ACTION = `function main(p) { console.log('log line ' + p.n); console.error('err line ' + p.n); return { n: p.n }; }`;
const RUNS = 3;

describeNeeding(probeUnavailable() ?? (fs.existsSync(RUNTIME) ? null : `${RUNTIME} is not built: run npm run build`))('the action runtime keeps the stdio marker rule, under the probe', () => {
  const cg = makeCgroup('runtime-markers');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-runtime-markers-'));
  let cap: Capture;
  let runtime: ChildProcess;
  let events: KernelEvent[] = [];

  beforeAll(async () => {
    ensureBuilt('addon');
    cap = openCapture({ backend: 'bpf' });
    cap.addCgroup(cg.id);
    runtime = spawn('/bin/sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec "${process.execPath}" "${RUNTIME}"`], {
      env: { ...process.env, [PORT_ENV]: '0', [CODE_DIR_ENV]: dir },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    runtime.stdout!.resume();
    runtime.stderr!.resume();
    const port = await readyPort(runtime);
    expect((await post(port, '/init', { value: { name: 'markers', main: 'main', code: ACTION } })).status).toBe(200);
    for (let n = 1; n <= RUNS; n++) {
      const run = { value: { n }, namespace: '_', action_name: '/_/markers', activation_id: `act${n}`, transaction_id: `tx${n}`, deadline: String(Date.now() + 60_000) };
      expect((await post(port, '/run', run)).status).toBe(200);
    }
    runtime.kill('SIGTERM');
    await new Promise((r) => runtime.on('exit', r));
    for (let quiet = 0; quiet < 2; ) {
      const b = await cap.pollAsync(150);
      if (b) events.push(...decodeBatch(b).events);
      else quiet++;
    }
    // from the runtime's exec on: the shell's write into cgroup.procs (through fd 1) comes before
    events = reassembleChunks(afterExec(events, runtime.pid!));
  }, 60_000);

  afterAll(() => {
    if (runtime && runtime.exitCode === null && runtime.signalCode === null) runtime.kill('SIGKILL');
    cap?.close();
    cg.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([1, 2])('fd %i: each activation ends with a sentinel the kernel kept whole; no log line was kept', (fd) => {
    const writes = events.filter((e) => e.type === EventType.WRITE && e.fd === fd);
    const s = new StdioLineSplitter([fd]);
    expect(writes.flatMap((e) => s.push(e)).map((l) => l.line)).toEqual(Array(RUNS).fill(ACTIVATION_SENTINEL));
    // the log lines are there, counted: one per activation on each stream
    const summed = events.filter((e) => e.type === EventType.IO_REPEAT && e.params.of === EventType.WRITE && e.fd === fd);
    expect(summed.reduce((n, e) => n + Number(e.params.count), 0)).toBe(RUNS);
  });
});
