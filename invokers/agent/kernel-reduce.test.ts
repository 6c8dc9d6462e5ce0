import { describe, expect, it } from 'vitest';
import type { KernelEventLite } from '../../protocol/batch';
import { reduceKernelEvents } from './kernel-reduce';

const O_WRONLY_CREAT = 0o101;
const O_RDONLY = 0;
let t = 0;
const e = (op: KernelEventLite['op'], extra: Partial<KernelEventLite> = {}): KernelEventLite => ({ container: 'c', a: 'A', op, ts: ++t, pid: 1, ...extra });
const ops = (list: KernelEventLite[]) => list.map((x) => `${x.op} ${x.path ?? x.addr ?? ''}${x.n ? ` x${x.n}` : ''}${x.bytes !== undefined ? ` ${x.bytes}B` : ''}`);

describe('reduceKernelEvents', () => {
  it.each<[string, KernelEventLite[], boolean, string[], number]>([
    [
      'drops a temp file created, written and deleted unread',
      [e('open', { path: '/tmp/s', openFlags: O_WRONLY_CREAT }), e('write', { path: '/tmp/s', bytes: 3 }), e('unlink', { path: '/tmp/s' }), e('write', { path: '/tmp/keep', bytes: 1 })],
      true,
      ['write /tmp/keep 1B'],
      1,
    ],
    [
      'keeps a temp file that was read before it died',
      [e('open', { path: '/tmp/s', openFlags: O_WRONLY_CREAT }), e('write', { path: '/tmp/s', bytes: 3 }), e('read', { path: '/tmp/s', bytes: 3 }), e('unlink', { path: '/tmp/s' })],
      true,
      ['write /tmp/s 3B', 'read /tmp/s 3B', 'unlink /tmp/s'],
      0,
    ],
    [
      'keeps a temp file that was renamed away (its contents live on)',
      [e('open', { path: '/tmp/s', openFlags: O_WRONLY_CREAT }), e('rename', { path: '/tmp/s', path2: '/tmp/final' }), e('unlink', { path: '/tmp/s' })],
      true,
      ['open /tmp/s', 'rename /tmp/s', 'unlink /tmp/s'],
      0,
    ],
    [
      'keeps a file that existed before (opened without O_CREAT)',
      [e('open', { path: '/tmp/old', openFlags: 1 }), e('unlink', { path: '/tmp/old' })],
      true,
      ['open /tmp/old', 'unlink /tmp/old'],
      0,
    ],
    [
      'keeps everything when the list is only part of the activation',
      [e('open', { path: '/tmp/s', openFlags: O_WRONLY_CREAT }), e('unlink', { path: '/tmp/s' })],
      false,
      ['open /tmp/s', 'unlink /tmp/s'],
      0,
    ],
    [
      'aggregates repeated writes per process and object, folding the open',
      [e('open', { path: '/f', openFlags: O_RDONLY }), e('read', { path: '/f', bytes: 4 }), e('read', { path: '/f', bytes: 6 }), e('read', { path: '/f', pid: 2, bytes: 1 }), e('send', { addr: '1.2.3.4', port: 80, bytes: 2 }), e('send', { addr: '1.2.3.4', port: 80, bytes: 2 })],
      true,
      ['read /f x2 10B', 'read /f 1B', 'send 1.2.3.4 x2 4B'],
      0,
    ],
  ])('%s', (_name, input, whole, expected, tempFiles) => {
    const r = reduceKernelEvents(input, { dropTempFiles: whole });
    expect(ops(r.events)).toEqual(expected);
    expect(r.tempFiles).toBe(tempFiles);
    expect(r.removed).toBe(input.length - r.events.length);
  });

  it('keeps the first and last time of an aggregate', () => {
    const r = reduceKernelEvents([e('write', { path: '/f', ts: 10 }), e('write', { path: '/f', ts: 30 })], { dropTempFiles: true });
    expect(r.events).toEqual([expect.objectContaining({ ts: 10, te: 30, n: 2 })]);
  });
});
