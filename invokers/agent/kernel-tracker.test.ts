import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../kmod/decode';
import { EventType } from '../../kmod/schema';
import { ActivationWriter } from '../../test/batch-builder';
import { KernelTracker } from './kernel-tracker';

const CG = 77n;
const OTHER_CG = 88n;
const RUNTIME = 1000;
let clock = 0n;

function ev(type: EventType, tgid: number, fields: Partial<KernelEvent> = {}): KernelEvent {
  clock += 1_000_000n; // 1 ms apart
  return {
    offset: 0,
    type,
    name: EventType[type].toLowerCase(),
    version: 1,
    tsNs: clock,
    durationNs: 0n,
    cgroupId: CG,
    ret: 0n,
    flags: 0n,
    pid: tgid,
    tgid,
    ppid: 1,
    syscallNr: 0,
    fd: -1,
    rflags: 0,
    comm: 'node',
    params: {},
    truncated: [],
    extra: [],
    ...fields,
  };
}

const write = (tgid: number, fd: number, text: string, extra: Partial<KernelEvent> = {}) =>
  ev(EventType.WRITE, tgid, { fd, ret: BigInt(Buffer.byteLength(text)), params: { count: 0n, offset: -1n, data: Buffer.from(text) }, ...extra });
const open = (tgid: number, path: string, fd: number, flags = 0o101) => ev(EventType.OPEN, tgid, { ret: BigInt(fd), flags: BigInt(flags), params: { dirfd: -100, path, mode: 0o644 } });
/** An IO_REPEAT: `count` more reads or writes of fd summed in the kernel since firstNs (the record's time is the last one's). */
const repeat = (tgid: number, fd: number, of: EventType, count: number, bytes: number, firstNs: bigint, extra: Partial<KernelEvent> = {}) =>
  ev(EventType.IO_REPEAT, tgid, { fd, ret: 10n, params: { of, count: BigInt(count), bytes: BigInt(bytes), first_ns: firstNs }, ...extra });
/** A fork record; nsPid: the child's pid in its own namespace (absent: a capture that does not record it). */
const fork = (parent: number, child: number, nsPid?: number) =>
  ev(EventType.PROC_FORK, parent, { syscallNr: -1, params: { child_pid: child, child_tgid: child, ...(nsPid === undefined ? {} : { child_ns_pid: nsPid }) } });

function tracker() {
  const t = new KernelTracker({ bootOffsetNs: 0n });
  t.addContainer({ container: 'c1', cgroupId: CG, cwd: '/action' });
  t.addContainer({ container: 'c2', cgroupId: OTHER_CG });
  return t;
}

function activation(id: string, request: string) {
  const w = new ActivationWriter(id.padEnd(32, '0'), request, 'ab'.repeat(16));
  return {
    id: w.activationId,
    begin: (pid = 7) => `${w.begin(1, { act: '/_/a', ns: '_', pid, host: 'c1', cold: false })}\n`,
    end: () => `${w.record({ t: 'end', ok: true, dur: 1 }, 2)}\n`,
  };
}

describe('KernelTracker', () => {
  it('splits the stream at begin/end records written to stdout and maps the runtime to the wrapper’s pid', () => {
    const t = tracker();
    const a = activation('a1', 'r1');
    t.push([
      open(RUNTIME, '/tmp/before', 20), // the container's start-up: no activation's
      write(RUNTIME, 1, a.begin(7)),
      open(RUNTIME, 'rel/x', 21),
      write(RUNTIME, 21, 'hello'),
      write(RUNTIME, 1, a.end()),
      open(RUNTIME, '/tmp/after', 22),
    ]);
    const { activations, loose } = t.take();
    expect(loose).toEqual([]);
    expect(activations).toHaveLength(1);
    expect(activations[0]).toMatchObject({ activationId: a.id, requestId: 'r1', container: 'c1', complete: true });
    expect(activations[0].events.map((e) => [e.op, e.path, e.pid, e.rt, e.a, e.r])).toEqual([
      ['open', '/action/rel/x', 7, true, a.id, 'r1'],
      ['write', '/action/rel/x', 7, true, a.id, 'r1'],
    ]);
    // before the first activation: the container's start-up (shipped apart); after it: housekeeping
    expect(t.stats.outsideActivations).toBe(1);
  });

  it('ships the container’s start-up once, with its first activation, as the container’s (runtime pid as the wrapper sees it)', () => {
    const t = tracker();
    const a = activation('a1', 'r1');
    const b = activation('b1', 'r2');
    t.push([
      ev(EventType.EXECVE, RUNTIME, { params: { dirfd: -100, path: '/usr/bin/node', argv: Buffer.from('node\0server.js\0') } }),
      open(RUNTIME, '/action/server.js', 20, 0),
    ]);
    expect(t.take().startups).toEqual([]); // held: no activation to reach yet
    t.push([write(RUNTIME, 1, a.begin(1)), write(RUNTIME, 1, a.end()), open(RUNTIME, '/tmp/between', 21), write(RUNTIME, 1, b.begin(1)), write(RUNTIME, 1, b.end())]);
    const { startups } = t.take();
    expect(startups).toHaveLength(1);
    expect(startups[0]).toMatchObject({ container: 'c1', activationId: a.id, requestId: 'r1', dropped: 0 });
    expect(startups[0].events.map((e) => [e.op, e.path, e.pid, e.rt, e.startup, e.a, e.r])).toEqual([
      ['exec', '/usr/bin/node', 1, true, true, a.id, 'r1'],
      ['open', '/action/server.js', 1, true, true, a.id, 'r1'],
    ]);
  });

  it('gives a child the activation it was forked in, for its whole life (late after the end)', () => {
    const t = tracker();
    const a = activation('a2', 'r2');
    t.push([
      write(RUNTIME, 1, a.begin()),
      fork(RUNTIME, 2000),
      ev(EventType.EXECVE, 2000, { comm: 'sh', params: { dirfd: -100, path: '/bin/sh', argv: Buffer.from('/bin/sh\0-c\0echo x > /tmp/y\0') } }),
      open(2000, '/tmp/y', 1, 0o1101),
      write(2000, 1, 'x\n'), // fd 1 is now /tmp/y, not the container's stdout
      write(RUNTIME, 1, a.end()),
      open(2000, '/tmp/late', 3),
    ]);
    const { activations, loose } = t.take();
    const ops = activations[0].events.map((e) => [e.op, e.pid, e.path ?? e.child, e.rt ?? false]);
    expect(ops).toEqual([
      ['fork', 7, 2000, true],
      ['exec', 2000, '/bin/sh', false],
      ['open', 2000, '/tmp/y', false],
      ['write', 2000, '/tmp/y', false],
    ]);
    expect(activations[0].events[1].args).toEqual(['/bin/sh', '-c', 'echo x > /tmp/y']);
    expect(loose).toEqual([expect.objectContaining({ op: 'open', path: '/tmp/late', a: activations[0].activationId, late: true })]);
  });

  it('numbers a forked child as its container does from the fork record, even once it is gone', () => {
    const t = new KernelTracker({ bootOffsetNs: 0n, nsPidOf: () => undefined }); // every child already gone from /proc
    t.addContainer({ container: 'c1', cgroupId: CG, cwd: '/action' });
    const a = activation('a1', 'r1');
    t.push([write(RUNTIME, 1, a.begin(1)), fork(RUNTIME, 5003, 14), open(5003, '/tmp/quick', 3), write(RUNTIME, 1, a.end())]);
    expect(t.take().activations[0].events.map((e) => [e.op, e.pid, e.child ?? e.path])).toEqual([
      ['fork', 1, 14],
      ['open', 14, '/tmp/quick'],
    ]);
  });

  it('keeps host pids when container numbering is off, whatever the fork record says', () => {
    const t = tracker();
    const a = activation('a1', 'r1');
    t.push([write(RUNTIME, 1, a.begin(1)), fork(RUNTIME, 5004, 15), open(5004, '/tmp/host', 3), write(RUNTIME, 1, a.end())]);
    expect(t.take().activations[0].events.map((e) => [e.op, e.pid, e.child ?? e.path])).toEqual([
      ['fork', 1, 5004],
      ['open', 5004, '/tmp/host'],
    ]);
  });

  it('numbers a forked child from /proc while it lives when the fork record does not say, else by the host pid', () => {
    const t = new KernelTracker({ bootOffsetNs: 0n, nsPidOf: (host) => (host === 5001 ? 12 : undefined) });
    t.addContainer({ container: 'c1', cgroupId: CG, cwd: '/action' });
    const a = activation('a1', 'r1');
    t.push([write(RUNTIME, 1, a.begin(1)), fork(RUNTIME, 5001), open(5001, '/tmp/in-ns', 3), fork(RUNTIME, 5002), open(5002, '/tmp/gone', 3), write(RUNTIME, 1, a.end())]);
    const events = t.take().activations[0].events;
    expect(events.map((e) => [e.op, e.pid, e.child ?? e.path])).toEqual([
      ['fork', 1, 12],
      ['open', 12, '/tmp/in-ns'],
      ['fork', 1, 5002],
      ['open', 5002, '/tmp/gone'],
    ]);
  });

  it('does not let a child move activation boundaries by printing a record', () => {
    const t = tracker();
    const a = activation('a3', 'r3');
    const forged = activation('f0', 'victim');
    t.push([write(RUNTIME, 1, a.begin()), fork(RUNTIME, 3000), write(3000, 1, forged.begin()), write(3000, 1, a.end())]);
    expect(t.inProgress().c1).toEqual([a.id]);
  });

  it('resolves sockets and pipes: connect/send to the peer, pipe ends share one name', () => {
    const t = tracker();
    const a = activation('a4', 'r4');
    t.push([
      write(RUNTIME, 1, a.begin()),
      ev(EventType.SOCKET, RUNTIME, { ret: 30n, params: { domain: 2, type: 0x80801, protocol: 0 } }),
      ev(EventType.CONNECT, RUNTIME, { fd: 30, ret: -115n, params: { addr: { family: 'inet', address: '127.0.0.1', port: 8080 } } }),
      write(RUNTIME, 30, 'GET /'),
      ev(EventType.PIPE, RUNTIME, { ret: 0n, params: { fd0: 31, fd1: 32 } }),
      write(RUNTIME, 32, 'p'),
      ev(EventType.READ, RUNTIME, { fd: 31, ret: 1n, params: { count: 1n, offset: -1n, data: Buffer.from('p') } }),
      ev(EventType.OPEN, RUNTIME, { ret: -2n, params: { dirfd: -100, path: '/nope', mode: 0 } }),
      write(RUNTIME, 1, a.end()),
    ]);
    const events = t.take().activations[0].events;
    expect(events.slice(0, 2).map((e) => [e.op, e.addr, e.port, e.proto, e.bytes])).toEqual([
      ['connect', '127.0.0.1', 8080, 'tcp', undefined],
      ['send', '127.0.0.1', 8080, 'tcp', 5],
    ]);
    expect(events[2].path).toMatch(/^pipe:/);
    expect(events[3]).toMatchObject({ op: 'read', path: events[2].path });
    expect(t.stats.failed).toBe(1);
  });

  it('marks events of a process shared by two activations as ambiguous (concurrency > 1)', () => {
    const t = tracker();
    const a = activation('a5', 'r5');
    const b = activation('b5', 'r6');
    t.push([write(RUNTIME, 1, a.begin()), write(RUNTIME, 1, b.begin()), open(RUNTIME, '/tmp/shared', 40)]);
    const { loose } = t.take();
    expect(loose).toEqual([expect.objectContaining({ op: 'open', amb: [a.id, b.id] })]);
    expect(loose[0].a).toBeUndefined();
  });

  it('closes an activation without an end record at the runtime’s sentinel, and only then', () => {
    const t = tracker();
    const a = activation('a6', 'r7');
    const b = activation('b6', 'r8');
    t.push([write(RUNTIME, 1, a.begin()), write(RUNTIME, 1, a.end()), write(RUNTIME, 1, 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n')]);
    t.push([write(RUNTIME, 1, b.begin()), write(RUNTIME, 2, 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n')]);
    // a's stderr sentinel was still pending: it must not close b
    expect(t.inProgress().c1).toEqual([b.id]);
    t.push([write(RUNTIME, 1, 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n')]);
    expect(t.inProgress().c1).toEqual([]);
    expect(t.take().activations.map((x) => x.activationId)).toEqual([a.id, b.id]);
  });

  it('keeps containers apart, ignores processes of no container, and charges drops to what ran', () => {
    const t = tracker();
    const a = activation('a7', 'r9');
    t.push([
      write(RUNTIME, 1, a.begin()),
      open(5000, '/tmp/elsewhere', 3),
      { ...open(5001, '/tmp/other-container', 3), cgroupId: OTHER_CG },
      { ...open(6000, '/tmp/foreign', 3), cgroupId: 999n },
    ]);
    t.noteDrops(5);
    t.push([write(RUNTIME, 1, a.end())]);
    t.noteDrops(0);
    t.noteDrops(2); // nothing in progress any more
    const out = t.take();
    expect(out.activations[0].events.map((e) => e.path)).toEqual(['/tmp/elsewhere']);
    expect(out.drops).toEqual({ [a.id]: 5 });
    expect(out.unplacedDrops).toBe(2);
    expect(t.stats.foreign).toBe(1);
  });

  it('turns repeats summed in the kernel into one flow with a count, bytes and a time span', () => {
    const t = tracker();
    const a = activation('a8', 'r10');
    t.push([write(RUNTIME, 1, a.begin()), open(RUNTIME, '/tmp/log', 9), write(RUNTIME, 9, 'first')]);
    const first = clock;
    t.push([repeat(RUNTIME, 9, EventType.WRITE, 40, 400, first + 10_000n), write(RUNTIME, 1, a.end())]);
    const events = t.take().activations[0].events;
    expect(events.map((e) => [e.op, e.path, e.n, e.bytes])).toEqual([
      ['open', '/tmp/log', undefined, undefined],
      ['write', '/tmp/log', undefined, 5],
      ['write', '/tmp/log', 40, 400],
    ]);
    expect(events[2].ts).toBe(Number(first + 10_000n) / 1e6);
    expect(events[2].te).toBeGreaterThan(events[2].ts);
  });

  it('places repeats that arrive after their activation ended (an idle worker thread) by their time, not as late', () => {
    const t = tracker();
    const a = activation('a9', 'r11');
    const b = activation('b9', 'r12');
    const WORKER = RUNTIME + 1; // a thread of the runtime: same process
    t.push([write(RUNTIME, 1, a.begin()), { ...open(RUNTIME, '/action/catalog.json', 11, 0), pid: WORKER }, { ...ev(EventType.READ, RUNTIME, { fd: 11, ret: 64n, params: { count: 64n, offset: -1n, data: Buffer.alloc(64) } }), pid: WORKER }]);
    const during = clock + 100n;
    t.push([write(RUNTIME, 1, a.end()), write(RUNTIME, 1, b.begin())]);
    t.push([{ ...repeat(RUNTIME, 11, EventType.READ, 3, 192, during), pid: WORKER }]);
    t.push([write(RUNTIME, 1, b.end())]);
    const out = t.take();
    const late = out.loose.find((e) => e.op === 'read');
    expect(late).toMatchObject({ a: a.id, n: 3, bytes: 192 });
    expect(late?.late).toBeUndefined();
    expect(out.activations.find((x) => x.activationId === b.id)?.events).toEqual([]);
  });

  it('counts stdio repeats (stdout sent to /dev/null) without reading lines or markers in them', () => {
    const t = tracker();
    const a = activation('a10', 'r13');
    t.push([write(RUNTIME, 1, a.begin()), repeat(RUNTIME, 1, EventType.WRITE, 7, 70, clock)]);
    expect(t.inProgress().c1).toEqual([a.id]);
    expect(t.stats.stdio).toBe(8);
  });
});
