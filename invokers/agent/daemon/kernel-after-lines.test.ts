import { describe, expect, it } from 'vitest';
import type { KernelEventLite } from '../../../protocol/batch';
import { KernelAfterLines } from './kernel-after-lines';

const ev = (a: string | undefined, ts: number, amb?: string[]): KernelEventLite => ({ container: 'c', op: 'open', ts, pid: 1, ...(a ? { a } : {}), ...(amb ? { amb } : {}) });

describe('KernelAfterLines', () => {
  it('holds events until their activation has begun, in order', () => {
    const k = new KernelAfterLines(1000);
    k.push({ events: [ev('x', 1), ev('y', 2), ev(undefined, 3)], drops: { x: 2, y: 1 }, unplacedDrops: 4 }, 0);
    expect(k.take(10)).toEqual({ events: [ev(undefined, 3)], drops: {}, unplacedDrops: 4, completed: [] });
    k.began('y');
    expect(k.take(20)).toEqual({ events: [ev('y', 2)], drops: { y: 1 }, unplacedDrops: 0, completed: [] });
    k.began('x');
    expect(k.take(30)).toEqual({ events: [ev('x', 1)], drops: { x: 2 }, unplacedDrops: 0, completed: [] });
    expect(k.held()).toBe(0);
  });

  it('lets ambiguous events go once every candidate began', () => {
    const k = new KernelAfterLines(1000);
    k.push({ events: [ev(undefined, 1, ['p', 'q'])], drops: {}, unplacedDrops: 0 }, 0);
    k.began('p');
    expect(k.take(1).events).toEqual([]);
    k.began('q');
    expect(k.take(2).events).toHaveLength(1);
  });

  it('lets events go after the longest wait, counted', () => {
    const k = new KernelAfterLines(100);
    k.push({ events: [ev('never', 1)], drops: { never: 1 }, unplacedDrops: 0 }, 0);
    expect(k.take(99).events).toEqual([]);
    expect(k.take(100)).toEqual({ events: [ev('never', 1)], drops: { never: 1 }, unplacedDrops: 0, completed: [] });
    expect(k.timedOut).toBe(1);
  });

  it('says an activation is kernel-complete only after its begin and after every held event of it', () => {
    const k = new KernelAfterLines(1000);
    k.push({ events: [ev('x', 1)], drops: {}, unplacedDrops: 0 }, 0);
    // the watermark for x comes in a later part than x's event, and y's with no event at all
    k.push({ events: [ev('y', 2)], drops: {}, unplacedDrops: 0, completed: ['x', 'y'] }, 0);
    expect(k.take(1).completed).toEqual([]);
    k.began('y');
    expect(k.take(2)).toEqual({ events: [ev('y', 2)], drops: {}, unplacedDrops: 0, completed: ['y'] });
    k.began('x');
    expect(k.take(3)).toEqual({ events: [ev('x', 1)], drops: {}, unplacedDrops: 0, completed: ['x'] });
    expect(k.take(4).completed).toEqual([]);
  });

  it('lets the watermark go with its events after the longest wait', () => {
    const k = new KernelAfterLines(100);
    k.push({ events: [ev('never', 1)], drops: {}, unplacedDrops: 0, completed: ['never'] }, 0);
    expect(k.take(100).completed).toEqual(['never']);
  });
});
