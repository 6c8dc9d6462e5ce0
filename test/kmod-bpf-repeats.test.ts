// The eBPF probe's in-kernel reduction and its durations option, against the real kernel: a
// thread's repeated reads and writes of one fd come out as one full record and one IO_REPEAT
// with the right count and bytes; stdio writes that carry no activation marker are summed from
// the first one on (kmod/include/sp_markers.h; test/kmod-bpf-markers.test.ts for the markers); a
// non-blocking read that finds nothing is not recorded; with durations on, records carry them
// and exit_group is recorded as it is entered.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureOptions } from '../kmod/binding';
import type { KernelEvent } from '../kmod/decode';
import { EventType } from '../kmod/schema';
import { afterExec, capturedIn, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

const cg = makeCgroup('bpf-repeats');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-repeats-'));
const captured = (script: string, opts: CaptureOptions = {}, exitCode = 0) => capturedIn(cg, script, opts, exitCode);

const repeats = (events: KernelEvent[], of: EventType, fd: number) =>
  events.filter((e) => e.type === EventType.IO_REPEAT && e.params.of === of && e.fd === fd);
const sum = (events: KernelEvent[], key: 'count' | 'bytes') => events.reduce((n, e) => n + Number(e.params[key]), 0);

describeNeeding(probeUnavailable())('eBPF probe: reduction in the kernel, durations', () => {
  afterAll(() => cg.remove());

  it.each([
    { name: 'stdin from /dev/zero, stdout to /dev/null: both summed (the writes carry no marker: from the first on)', script: 'exec dd if=/dev/zero of=/dev/null bs=64 count=1000 2>/dev/null', fullWrites: 0 },
    { name: 'stdout to a pipe, no marker in it: every write summed, none recorded', script: 'exec dd if=/dev/zero bs=64 count=1000 2>/dev/null', fullWrites: 0 },
  ])('$name', async ({ script, fullWrites }) => {
    const { events, pid } = await captured(script);
    const mine = afterExec(events, pid);
    const reads = mine.filter((e) => e.type === EventType.READ && e.fd === 0);
    const writes = mine.filter((e) => e.type === EventType.WRITE && e.fd === 1);
    // dd reads once more than it writes: the last read may only be summed when nothing else intervenes
    expect(reads.length).toBe(1);
    expect(reads.length + sum(repeats(mine, EventType.READ, 0), 'count')).toBe(1000);
    expect(Number(reads[0].ret) + sum(repeats(mine, EventType.READ, 0), 'bytes')).toBe(64000);
    expect(writes.length).toBe(fullWrites);
    expect(writes.length + sum(repeats(mine, EventType.WRITE, 1), 'count')).toBe(1000);
    expect(writes.reduce((n, e) => n + Number(e.ret), 0) + sum(repeats(mine, EventType.WRITE, 1), 'bytes')).toBe(64000);
    for (const r of repeats(mine, EventType.READ, 0)) expect(r.params.first_ns as bigint).toBeLessThanOrEqual(r.tsNs);
  });

  it('sums writes to a file between its open and its close, and keeps their order with the close', async () => {
    const f = path.join(dir, 'many.txt');
    const { events, pid } = await captured(`exec /usr/bin/python3 -c "
import os
fd = os.open('${f}', os.O_WRONLY | os.O_CREAT, 0o600)
for i in range(300): os.write(fd, b'0123456789')
os.close(fd)"`);
    const mine = afterExec(events, pid);
    const at = mine.findIndex((e) => e.type === EventType.OPEN && e.params.path === f);
    const fd = Number(mine[at].ret);
    const life = mine.slice(at + 1);
    const closed = life.findIndex((e) => e.type === EventType.CLOSE && e.fd === fd);
    const seq = life.slice(0, closed + 1).filter((e) => e.fd === fd).map((e) => e.type);
    expect(seq).toEqual([EventType.WRITE, EventType.IO_REPEAT, EventType.CLOSE]);
    const rep = repeats(mine, EventType.WRITE, fd)[0];
    expect([rep.params.count, rep.params.bytes]).toEqual([299n, 2990n]);
  });

  it('keeps marker writes whole again once stdout is no longer /dev/null', async () => {
    const { events, pid } = await captured(`exec /usr/bin/python3 -c "
import os
for i in range(5): os.write(1, b'@prov/1 gone')
r, w = os.pipe()
os.dup2(w, 1)
for i in range(3): os.write(1, b'@prov/1 line' + bytes([10]))
os.read(r, 100)" > /dev/null`);
    const mine = afterExec(events, pid);
    const full = mine.filter((e) => e.type === EventType.WRITE && e.fd === 1);
    expect(full.map((e) => String(e.params.data))).toEqual(['@prov/1 gone', '@prov/1 line\n', '@prov/1 line\n', '@prov/1 line\n']);
    expect(sum(repeats(mine, EventType.WRITE, 1), 'count')).toBe(4);
  });

  it('does not record a non-blocking read that found nothing (EAGAIN)', async () => {
    const { events, pid } = await captured(`exec /usr/bin/python3 -c "
import os
r, w = os.pipe()
os.set_blocking(r, False)
for i in range(5):
    try: os.read(r, 10)
    except BlockingIOError: pass"`);
    expect(events.filter((e) => e.tgid === pid && e.type === EventType.READ && e.ret === -11n)).toEqual([]);
  });

  it('with durations: records carry them, and exit_group is recorded as it is entered', async () => {
    const { events, pid } = await captured('exec /bin/sh -c "cat /etc/hostname > /dev/null; exit 3"', { durations: true }, 3);
    const mine = events.filter((e) => e.tgid === pid);
    const opens = mine.filter((e) => e.type === EventType.OPEN);
    expect(opens.length).toBeGreaterThan(0);
    expect(opens.every((e) => e.durationNs > 0n)).toBe(true);
    const exit = events.find((e) => e.type === EventType.EXIT_GROUP && e.params.status === 3n);
    expect(exit).toBeTruthy();
  });

  it('without durations: records say 0 (not measured)', async () => {
    const { events, pid } = await captured('exec /bin/cat /etc/hostname');
    const mine = events.filter((e) => e.tgid === pid && e.type === EventType.OPEN);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.durationNs === 0n)).toBe(true);
  });
});
