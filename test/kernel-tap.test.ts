// The kernel tap on the real kernel: the agent's kernel work gives the same events on a worker
// thread as on the calling thread, and suspending capture unloads the probe (what the container
// does meanwhile is not captured) while resuming captures the same container again.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationWriter } from './batch-builder';
import type { KernelEventLite } from '../protocol/batch';
import { kernelWorkerPath } from '../invokers/agent/kernel-pipeline-host';
import { KernelTap } from '../invokers/agent/kernel-tap';
import { ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

const why = probeUnavailable() ?? (fs.existsSync(kernelWorkerPath()) ? null : `${kernelWorkerPath()} is missing: run \`npm run build\``);

function openTap(pipeline: 'worker' | 'thread', got: KernelEventLite[]): KernelTap {
  const opened = KernelTap.open({ pipeline, sink: (events) => got.push(...events) });
  if (!opened.tap) throw new Error(`kernel capture is off: ${opened.status.on ? '' : opened.status.reason}`);
  return opened.tap;
}

/** One activation in the cgroup: begin record, the shell's file work, end record (as the wrapper writes them). */
function activation(cgDir: string, name: string, tmp: string): string {
  const A = new ActivationWriter(name.padEnd(32, '0').slice(0, 32), `req-${name}`, 'cd'.repeat(16));
  const begin = A.begin(Date.now(), { act: '/_/tap', ns: '_', pid: 1, host: 'tap', cold: false });
  const end = A.record({ t: 'end', ok: true, dur: 1 }, Date.now());
  const file = path.join(tmp, `${name}.txt`);
  const r = spawnSync(
    '/bin/sh',
    ['-c', `echo $$ > ${cgDir}/cgroup.procs && printf '%s\\n' "$1" && echo ${name} > ${file} && cat ${file} > /dev/null && printf '%s\\n' "$2"`, 'sh', begin, end],
    { encoding: 'utf8' },
  );
  expect(r.status).toBe(0);
  return A.activationId;
}

/** What an event says, without the timestamps (each probe reads the clock itself). */
const gist = (e: KernelEventLite) => `${e.a ?? '-'} ${e.op} ${e.comm ?? ''} ${e.path ?? ''} ${e.path2 ?? ''} n=${e.n ?? 1} bytes=${e.bytes ?? 0}`;

describeNeeding(why)('kernel tap (real kernel)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-tap-'));

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('worker thread and calling thread', () => {
    const cg = makeCgroup('tap-pipelines');
    const onWorker: KernelEventLite[] = [];
    const onThread: KernelEventLite[] = [];
    let worker: KernelTap;
    let thread: KernelTap;
    let act: string;

    beforeAll(async () => {
      ensureBuilt('addon');
      // two probes at once, each capturing the same cgroup: the same syscalls reach both
      worker = openTap('worker', onWorker);
      thread = openTap('thread', onThread);
      for (const t of [worker, thread]) t.addContainer({ container: 'c', cgroupId: cg.id });
      act = activation(cg.dir, 'pipelines', tmp);
      await Promise.all([worker.removeContainer('c'), thread.removeContainer('c')]);
    }, 60_000);

    afterAll(async () => {
      await worker?.close();
      await thread?.close();
      cg.remove();
    });

    it('says where each runs', () => {
      expect(worker.stats().pipeline).toBe('worker');
      expect(thread.stats().pipeline).toBe('thread');
    });

    it('hands on the same events, attributed to the activation', () => {
      const file = path.join(tmp, 'pipelines.txt');
      expect(onThread.some((e) => e.a === act && e.path === file && e.op === 'write')).toBe(true);
      expect(onWorker.map(gist).sort()).toEqual(onThread.map(gist).sort());
    });

    it('counts the same work on both sides', () => {
      const w = worker.stats();
      const t = thread.stats();
      expect(w.shipped).toBe(onWorker.length);
      expect(t.shipped).toBe(onThread.length);
      expect(w.kept).toBe(t.kept);
      expect(w.busyMs).toBeGreaterThan(0);
    });
  });

  describe('suspend and resume', () => {
    const cg = makeCgroup('tap-suspend');
    const got: KernelEventLite[] = [];
    let tap: KernelTap;
    const acts: Record<string, string> = {};
    const records: number[] = [];

    beforeAll(async () => {
      ensureBuilt('addon');
      tap = openTap('worker', got);
      tap.addContainer({ container: 'c', cgroupId: cg.id });
      acts.before = activation(cg.dir, 'before', tmp);
      await tap.suspend();
      records.push(tap.stats().records);
      expect(tap.suspended).toBe(true);
      acts.during = activation(cg.dir, 'during', tmp);
      await tap.sync(); // resolves at once: nothing is captured
      records.push(tap.stats().records);
      tap.resume();
      acts.after = activation(cg.dir, 'after', tmp);
      await tap.removeContainer('c');
      records.push(tap.stats().records);
    }, 60_000);

    afterAll(async () => {
      await tap?.close();
      cg.remove();
    });

    it('captures before the suspension and after the resumption', () => {
      for (const name of ['before', 'after']) {
        expect(got.some((e) => e.a === acts[name] && e.path === path.join(tmp, `${name}.txt`) && e.op === 'write')).toBe(true);
      }
    });

    it('captures nothing while suspended, and keeps counting across the reload', () => {
      expect(got.some((e) => e.path === path.join(tmp, 'during.txt'))).toBe(false);
      expect(records[0]).toBeGreaterThan(0);
      expect(records[1]).toBe(records[0]);
      expect(records[2]).toBeGreaterThan(records[1]);
      expect(tap.suspended).toBe(false);
    });
  });
});
