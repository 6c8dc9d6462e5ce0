import { describe, expect, it } from 'vitest';
import type { KernelEventLite } from '../../protocol/batch';
import { compactStartup } from './kernel-startup';

const ev = (x: Partial<KernelEventLite>): KernelEventLite => ({ container: 'c', op: 'read', ts: 1, pid: 1, rt: true, startup: true, ...x });

describe('compactStartup', () => {
  it('keeps one event per process, op and object, summing what the rest stood for', () => {
    const out = compactStartup([
      ev({ op: 'exec', path: '/usr/bin/node', args: ['node', 'server.js'], ts: 1 }),
      ev({ op: 'read', path: '/app/server.js', bytes: 100, ts: 2 }),
      ev({ op: 'read', path: '/app/server.js', bytes: 50, ts: 3, n: 4, te: 5 }),
      ev({ op: 'read', path: '/app/other.js', bytes: 7, ts: 4 }),
      ev({ op: 'bind', addr: '127.0.0.1', port: 8080, proto: 'tcp', ts: 6 }),
      ev({ op: 'listen', addr: '127.0.0.1', port: 8080, proto: 'tcp', ts: 7 }),
    ]);
    expect(out.map((e) => [e.op, e.path ?? `${e.addr}:${e.port}`, e.n ?? 1, e.bytes, e.ts, e.te])).toEqual([
      ['exec', '/usr/bin/node', 1, undefined, 1, undefined],
      ['read', '/app/server.js', 5, 150, 2, 5],
      ['read', '/app/other.js', 1, 7, 4, undefined],
      ['bind', '127.0.0.1:8080', 1, undefined, 6, undefined],
      ['listen', '127.0.0.1:8080', 1, undefined, 7, undefined],
    ]);
  });

  it('keeps opens with different flags apart (reading a file is not writing it)', () => {
    expect(compactStartup([ev({ op: 'open', path: '/tmp/x', openFlags: 0 }), ev({ op: 'open', path: '/tmp/x', openFlags: 0o101 })])).toHaveLength(2);
  });

  it('drops what names nothing a trace could show (a netlink bind has no endpoint)', () => {
    expect(compactStartup([ev({ op: 'bind', proto: 'unknown' }), ev({ op: 'exit', exitCode: 0 })]).map((e) => e.op)).toEqual(['exit']);
  });
});
