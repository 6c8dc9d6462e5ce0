import { describe, expect, it } from 'vitest';
import { nodeIds } from '../../upg/ids';
import type { GraphFragment } from '../../upg/types';
import { assemble } from '../assemble/assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';
import { KERNEL_AMBIGUOUS, KERNEL_EVENTS_DROPPED, KERNEL_REJECT } from './join';
import type { Batch, KernelEventLite } from '../../protocol/batch';
import { BatchError, validateBatch } from '../ingest/validate-batch';

const A = new ActivationWriter('a'.repeat(32), 'req-1', '11'.repeat(16));
const B = new ActivationWriter('b'.repeat(32), 'req-2', '22'.repeat(16));
const c1 = new ContainerOutput({ container: 'c1', invoker: 'inv', action: '/_/act', started: 1 });
c1.write(A.begin(100, { act: '/_/act', ns: '_', pid: 7, host: 'c1', cold: true }), 100);
c1.write(A.record({ t: 'fs', op: 'read', path: '/tmp/w' }, 101), 101);
const c2 = new ContainerOutput({ container: 'c2', invoker: 'inv', action: '/_/act', started: 1 });
c2.write(B.begin(100, { act: '/_/act', ns: '_', pid: 9, host: 'c2', cold: true }), 100);

const k = (extra: Partial<KernelEventLite>): KernelEventLite => ({ container: 'c1', a: A.activationId, r: 'req-1', op: 'write', ts: 110, pid: 7, ...extra });
const batchWith = (kernel: KernelEventLite[], more: Partial<Batch> = {}): Batch => ({ ...makeBatch('inv', 1, [c1, c2]), kernel, ...more });
const frag = (out: ReturnType<typeof assemble>, request: string): GraphFragment => out.fragments.find((f) => f.request === request)!;

describe('kernel join', () => {
  it('puts the runtime’s write on the same file node as the wrapper’s record, as the activation’s doing', () => {
    const out = assemble(classifyBatch(batchWith([k({ rt: true, path: '/tmp/w', bytes: 5, n: 3 })])), new Map());
    const f = frag(out, 'req-1');
    const file = nodeIds.file('inv', 'c1', '/tmp/w');
    // one node, touched by the wrapper's read record and by the kernel's write
    expect(f.nodes.filter((n) => n.kind === 'file' && n.path === '/tmp/w').map((n) => n.id)).toEqual([file]);
    expect(f.edges.find((e) => e.to === file && e.kind === 'used')).toMatchObject({ source: 'wrapper', op: 'read' });
    expect(f.edges.find((e) => e.from === file && e.kind === 'wasGeneratedBy')).toMatchObject({ source: 'kernel', to: nodeIds.activation(A.activationId), count: 3, bytes: 5, op: 'write' });
    expect(out.result.kernelEvents).toBe(3);
  });

  it('draws the container’s start-up as its own activity: the container’s doing, informing the first activation', () => {
    const out = assemble(
      classifyBatch(batchWith([
        k({ startup: true, rt: true, op: 'exec', ts: 50, path: '/usr/bin/node', args: ['node', 'server.js'] }),
        k({ startup: true, rt: true, op: 'listen', ts: 60, addr: '0.0.0.0', port: 8080, proto: 'tcp' }),
      ])),
      new Map(),
    );
    const f = frag(out, 'req-1');
    const startup = nodeIds.startup('inv', 'c1');
    const act = nodeIds.activation(A.activationId);
    expect(f.nodes.find((n) => n.id === startup)).toMatchObject({ kind: 'startup', firstSeen: 50, lastSeen: 60 });
    expect(f.edges.find((e) => e.from === act && e.to === startup)).toMatchObject({ kind: 'wasInformedBy', op: 'container start-up' });
    expect(f.edges.find((e) => e.from === startup && e.kind === 'wasAssociatedWith')).toMatchObject({ to: nodeIds.container('inv', 'c1') });
    // the socket is the start-up's, not the activation's; the exec names the runtime's process node (the begin record's pid)
    const sock = nodeIds.socket('tcp', '0.0.0.0', 8080);
    expect(f.edges.filter((e) => e.from === sock).map((e) => [e.to, e.activationId])).toEqual([[startup, undefined]]);
    expect(f.nodes.find((n) => n.id === nodeIds.process('inv', 'c1', 7))).toMatchObject({ exe: '/usr/bin/node' });
    // the activation's own times are not stretched back to the container's start
    expect(f.nodes.find((n) => n.id === act)!.firstSeen).toBe(100);
  });

  it('draws a child: forked by the runtime, exec’d, writing its own file', () => {
    const out = assemble(
      classifyBatch(batchWith([
        k({ op: 'fork', rt: true, child: 2000 }),
        k({ op: 'exec', pid: 2000, path: '/bin/sh', args: ['/bin/sh', '-c', 'echo x > /tmp/y'] }),
        k({ op: 'write', pid: 2000, path: '/tmp/y', bytes: 2 }),
        k({ op: 'connect', pid: 2000, addr: '10.0.0.1', port: 443, proto: 'tcp' }),
      ])),
      new Map(),
    );
    const f = frag(out, 'req-1');
    const sh = nodeIds.process('inv', 'c1', 2000);
    const runtime = nodeIds.process('inv', 'c1', 7);
    expect(f.nodes.find((n) => n.id === sh)).toMatchObject({ kind: 'process', exe: '/bin/sh', label: 'sh', args: ['/bin/sh', '-c', 'echo x > /tmp/y'] });
    const has = (from: string, to: string, kind: string, op: string) => f.edges.some((e) => e.from === from && e.to === to && e.kind === kind && e.op === op && e.source === 'kernel');
    expect(has(sh, runtime, 'wasStartedBy', 'fork')).toBe(true);
    expect(has(sh, nodeIds.activation(A.activationId), 'wasStartedBy', 'spawn')).toBe(true);
    expect(has(nodeIds.file('inv', 'c1', '/tmp/y'), sh, 'wasGeneratedBy', 'write')).toBe(true);
    expect(has(sh, nodeIds.file('inv', 'c1', '/bin/sh'), 'used', 'execve')).toBe(true);
    expect(has(nodeIds.socket('tcp', '10.0.0.1', 443), sh, 'wasGeneratedBy', 'connect')).toBe(true);
  });

  it.each<[string, Partial<KernelEventLite>, string]>([
    ['an activation with no begin', { a: 'z'.repeat(32) }, KERNEL_REJECT.noBegin],
    ['another container than the activation’s', { container: 'c2' }, KERNEL_REJECT.wrongContainer],
    ['another request than the activation’s', { r: 'req-2' }, KERNEL_REJECT.requestMismatch],
    ['nothing to draw (a write without a target)', { path: undefined }, KERNEL_REJECT.unusable],
  ])('refuses an event naming %s', (_name, extra, reason) => {
    const out = assemble(classifyBatch(batchWith([k({ path: '/tmp/q', ...extra })])), new Map());
    expect(out.result.rejected[reason]).toBe(1);
    expect(out.fragments.flatMap((f) => f.nodes).some((n) => n.kind === 'file' && n.path === '/tmp/q')).toBe(false);
  });

  it('warns instead of drawing ambiguous events, and reports drops on the activation’s request', () => {
    const out = assemble(
      classifyBatch(batchWith([{ container: 'c1', amb: [A.activationId, 'x'.repeat(32)], op: 'read', ts: 1, pid: 7, path: '/tmp/amb', n: 4 }], { kernelDrops: { [A.activationId]: 12 } })),
      new Map(),
    );
    const w = frag(out, 'req-1').warnings ?? [];
    expect(w.find((x) => x.code === KERNEL_AMBIGUOUS)).toMatchObject({ activationId: A.activationId, count: 4 });
    expect(w.find((x) => x.code === KERNEL_EVENTS_DROPPED)).toMatchObject({ activationId: A.activationId, count: 12 });
    expect(out.unplaced.find((x) => x.code === KERNEL_AMBIGUOUS)).toMatchObject({ activationId: 'x'.repeat(32) });
  });

  it.each<[string, unknown, RegExp]>([
    ['kernel not an array', { kernel: {} }, /\.kernel must be an array/],
    ['unknown op', { kernel: [{ container: 'c1', op: 'mmap', ts: 1, pid: 1 }] }, /\.kernel\[0\]\.op must be one of/],
    ['pid missing', { kernel: [{ container: 'c1', op: 'read', ts: 1 }] }, /\.kernel\[0\]\.pid must be an integer/],
    ['bad drop count', { kernelDrops: { a: -1 } }, /\.kernelDrops\["a"\] must be a non-negative integer/],
  ])('validation names what is wrong: %s', (_name, extra, message) => {
    expect(() => validateBatch({ ...makeBatch('inv', 1, [c1]), ...(extra as object) })).toThrow(BatchError);
    expect(() => validateBatch({ ...makeBatch('inv', 1, [c1]), ...(extra as object) })).toThrow(message);
  });
});
