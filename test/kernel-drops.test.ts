// Drop counting on the real kernel: while the agent cannot drain the ring buffer (its event loop is
// blocked), an activation's child floods it; the capture counts what it lost, the kernel tap charges
// the loss to the activation in progress, and the stored request graph says it is incomplete.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationWriter, ContainerOutput } from './batch-builder';
import { ingestBatch } from '../correlator/index';
import { KERNEL_EVENTS_DROPPED } from '../correlator/kernel/join';
import type { Batch, KernelEventLite } from '../protocol/batch';
import { KernelTap } from '../invokers/agent/kernel-tap';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import type { RequestGraph } from '../upg/types';
import { ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const why = probeUnavailable();

describeNeeding(why)('kernel capture drop counting (real kernel, real store)', () => {
  const cg = makeCgroup('drops');
  let dir: string;
  let dynamo: LocalDynamo;
  let store: ProvenanceStore;
  let tap: KernelTap;
  const got: { events: KernelEventLite[]; drops: Record<string, number>; unplaced: number } = { events: [], drops: {}, unplaced: 0 };
  const A = new ActivationWriter('a'.repeat(32), 'req-drops', 'ab'.repeat(16));
  let graph: RequestGraph;

  beforeAll(async () => {
    ensureBuilt('addon');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-drops-'));
    dynamo = await startLocalDynamo(dir);
    store = await openStore({ endpoint: dynamo.endpoint, table: 'kernel-drops', region: 'us-east-1' });
    const opened = KernelTap.open({
      sink: (events, drops, unplaced) => {
        got.events.push(...events);
        for (const [a, n] of Object.entries(drops)) got.drops[a] = (got.drops[a] ?? 0) + n;
        got.unplaced += unplaced;
      },
    });
    if (!opened.tap) throw new Error(`kernel capture is off: ${opened.status.on ? '' : opened.status.reason}`);
    tap = opened.tap;
    tap.addContainer({ container: 'flood', cgroupId: cg.id });

    const begin = A.begin(Date.now(), { act: '/_/flood', ns: '_', pid: 1, host: 'flood', cold: true });
    const end = A.record({ t: 'end', ok: true, dur: 1 }, Date.now());
    // spawnSync blocks this event loop: the tap cannot drain while dd writes ~200k records (8 MiB ring).
    // dd's stdout is a pipe and each 64-byte write is a line that starts like a record, so each is
    // kept whole (only stdio writes that may carry a marker are; any other is summed in the kernel)
    const r = spawnSync(
      '/bin/sh',
      ['-c', `echo $$ > ${cg.dir}/cgroup.procs && printf '%s\\n' "$1" && yes "@prov/1 $(printf '%055d' 0)" | dd bs=64 count=200000 iflag=fullblock 2>/dev/null | cat > /dev/null && printf '%s\\n' "$2"`, 'sh', begin, end],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    // the end record may itself be lost in the flood: the container going away closes the activation
    await tap.removeContainer('flood');

    // the batch the agent would ship: the container's lines from its pipe, and the kernel's part
    const out = new ContainerOutput({ container: 'flood', invoker: 'inv', action: '/_/flood', started: Date.now() });
    for (const line of r.stdout.trim().split('\n')) out.write(line, Date.now());
    const batch: Batch = { v: 1, invoker: 'inv', batch: 1, containers: [out.info], lines: out.lines, kernel: got.events, kernelDrops: got.drops };
    await ingestBatch(batch, store);
    graph = (await store.getRequestGraph('req-drops'))!;
  }, 60_000);

  afterAll(async () => {
    await tap?.close();
    cg?.remove();
    await store?.close();
    await dynamo?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts the records the kernel could not deliver', () => {
    expect(tap.stats().drops).toBeGreaterThan(0);
  });

  it('charges the loss to the activation that was in progress', () => {
    expect(got.drops[A.activationId]).toBeGreaterThan(0);
    expect(got.drops[A.activationId]).toBeLessThanOrEqual(tap.stats().drops + tap.stats().decodeErrors);
  });

  it('stores the request graph with a warning that it is incomplete', () => {
    const w = (graph.warnings ?? []).find((x) => x.code === KERNEL_EVENTS_DROPPED);
    expect(w).toMatchObject({ activationId: A.activationId });
    expect(w!.count).toBe(got.drops[A.activationId]);
  });

  it('still shows what it did capture of the flood, aggregated, on the child', () => {
    const reads = graph.edges.filter((e) => e.source === 'kernel' && e.op === 'read' && e.activationId === A.activationId);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.reduce((n, e) => n + (e.count ?? 1), 0)).toBeGreaterThan(1000);
  });
});
