import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../kmod/decode';
import { PendingCgroups } from './pending-cgroups';

/** A minimal event: only what the buffer looks at (cgroup, time, tgid) matters here. */
function ev(cgroupId: number, tsNs: number, tgid = 1): KernelEvent {
  return { cgroupId: BigInt(cgroupId), tsNs: BigInt(tsNs), tgid } as unknown as KernelEvent;
}
const ts = (es: KernelEvent[]) => es.map((e) => Number(e.tsNs));

describe('PendingCgroups', () => {
  it('holds the events of an unknown cgroup and releases them in order, ahead of later ones', () => {
    const p = new PendingCgroups();
    expect(p.admit([ev(7, 1), ev(8, 2), ev(7, 3)])).toEqual([]);
    expect(ts(p.release(7n))).toEqual([1, 3]);
    expect(ts(p.admit([ev(7, 4), ev(8, 5)]))).toEqual([4]);
    expect(p.stats()).toMatchObject({ held: 2, heldCgroups: 1, released: 2 });
  });

  it('drops what an ignored cgroup held and sends later', () => {
    const p = new PendingCgroups();
    p.admit([ev(9, 1), ev(9, 2)]);
    p.ignore(9n);
    expect(p.admit([ev(9, 3)])).toEqual([]);
    expect(p.release(9n)).toEqual([]);
    expect(p.stats()).toMatchObject({ held: 0, ignored: 3 });
  });

  it.each([
    { name: 'full: the oldest cgroup goes first', opts: { maxEvents: 3 }, events: [ev(1, 1), ev(1, 2), ev(2, 3), ev(2, 4)], left: { 1: 0, 2: 2 }, stat: { evicted: 2 } },
    { name: 'too old: given up by kernel time', opts: { maxAgeNs: 10n }, events: [ev(1, 1), ev(2, 12), ev(2, 20)], left: { 1: 0, 2: 2 }, stat: { expired: 1 } },
  ])('bounds what it holds ($name)', ({ opts, events, left, stat }) => {
    const p = new PendingCgroups(opts);
    p.admit(events);
    for (const [id, n] of Object.entries(left)) expect(p.release(BigInt(id))).toHaveLength(n);
    expect(p.stats()).toMatchObject(stat);
  });

  it('lets through the events of tasks the caller follows', () => {
    const p = new PendingCgroups();
    expect(ts(p.admit([ev(5, 1, 42), ev(5, 2, 43)], (tgid) => tgid === 42))).toEqual([1]);
  });
});
