import { describe, expect, it } from 'vitest';
import { purchaseGraph } from '../fixtures/purchase-graph';
import type { ProcessNode, RequestGraph } from '../types';
import { duration, renderTree } from './tree';

describe('renderTree', () => {
  it('prints the request, the nested activations, what each touched, and warnings', () => {
    expect(renderTree(purchaseGraph())).toMatchInlineSnapshot(`
      "request req-1  2023-11-14T22:13:20.000Z  250 ms  3 activations of 3 actions
      └─ purchase  P  container c1  250 ms  cold  ok
         ├─ DynamoDB (2)
         │  ├─ products id=p1  GetItem
         │  └─ purchases id=o1  PutItem
         ├─ network (1)
         │  └─ 10.1.1.1:443  connect 300 B
         ├─ log lines (2)
         │  ├─ buying p1
         │  └─ xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
         ├─ get-price  G  container c2  25 ms  warm  ok
         │  ├─ DynamoDB (1)
         │  │  └─ prices id=p1  GetItem
         │  ├─ files (1)
         │  │  └─ /tmp/cache  write×3 2.0 KiB
         │  └─ log lines (1)
         │     └─ warn: cache miss
         ├─ publish  Q  container c1  40 ms  warm  error: topic missing
         └─ authorize-cc  M  no records received from this activation

      warnings (2)
        ! bad-mac [Q]: fs record with a MAC that does not verify (×2)
        ! incomplete [M]: activation M (authorize-cc) was invoked but none of its records arrived
      "
    `);
  });

  it('is deterministic whatever the order of nodes and edges', () => {
    const g = purchaseGraph();
    const shuffled: RequestGraph = { ...g, nodes: [...g.nodes].reverse(), edges: [...g.edges].reverse() };
    expect(renderTree(shuffled)).toBe(renderTree(g));
  });

  it('uses colours only when asked', () => {
    expect(renderTree(purchaseGraph())).not.toMatch(/\u001b\[/);
    expect(renderTree(purchaseGraph(), { color: true })).toMatch(/\u001b\[32mok\u001b\[0m/);
  });

  it('caps long groups and quoted log lines', () => {
    const g = purchaseGraph();
    const text = renderTree(g, { maxEntries: 1, logLines: 1 });
    expect(text).toContain('│  └─ … and 1 more'); // second DynamoDB item
    expect(text).toContain('buying p1');
    expect(text).not.toContain('xxxxxxxxxx');
  });

  it('says so when a request has no activations', () => {
    expect(renderTree({ request: 'r0', nodes: [], edges: [] })).toBe('request r0  0 activations of 0 actions\n  (no activations recorded for this request)\n');
  });

  it('lists the processes an activation ran and started: the runtime once, children nested, kernel-only ones marked', () => {
    const C = 'ctr:inv0/c1';
    const proc = (pid: number, extra: Partial<ProcessNode> = {}): ProcessNode => ({ id: `proc:inv0/c1/${pid}`, kind: 'process', container: C, pid, ...extra });
    const g: RequestGraph = {
      request: 'r1',
      nodes: [
        { id: 'act:A', kind: 'activation', activationId: 'A', requestId: 'r1', action: '/_/convert', container: C, start: 0, end: 50, ok: true },
        { id: C, kind: 'container', containerId: 'c1' },
        proc(1, { label: 'node', exe: '/usr/bin/node', args: ['/usr/bin/node', '/srv/runtime.js'] }),
        proc(40, { label: 'convert', exe: 'convert', args: ['in.png', 'out.jpg'] }),
        proc(41, { label: 'sh', exe: '/bin/sh', args: ['/bin/sh', '-c', 'gzip out.jpg'] }),
        proc(42),
      ],
      edges: [
        { id: 'e1', from: 'act:A', to: 'proc:inv0/c1/1', kind: 'wasInformedBy', op: 'run', time: 0, source: 'wrapper' },
        { id: 'e2', from: 'proc:inv0/c1/40', to: 'act:A', kind: 'wasStartedBy', op: 'spawn', time: 10, source: 'wrapper' },
        { id: 'e3', from: 'proc:inv0/c1/41', to: 'proc:inv0/c1/1', kind: 'wasStartedBy', op: 'fork', time: 20, source: 'kernel' },
        { id: 'e4', from: 'proc:inv0/c1/41', to: 'act:A', kind: 'wasStartedBy', op: 'spawn', time: 20, source: 'kernel' },
        { id: 'e5', from: 'proc:inv0/c1/42', to: 'proc:inv0/c1/41', kind: 'wasStartedBy', op: 'fork', time: 30, source: 'kernel' },
      ],
    };
    expect(renderTree(g)).toMatchInlineSnapshot(`
      "request r1  1970-01-01T00:00:00.000Z  50 ms  1 activation of 1 action
      └─ convert  A  container c1  50 ms  ok
         └─ processes (4)
            └─ node[1] /usr/bin/node /srv/runtime.js  run
               ├─ convert[40] convert in.png out.jpg  spawn
               └─ sh[41] /bin/sh -c gzip out.jpg  fork, spawn  (kernel)
                  └─ process[42]  fork  (kernel)
      "
    `);
  });

  it('formats durations', () => {
    expect([5, 999, 1500, 12_345, 125_000].map(duration)).toEqual(['5 ms', '999 ms', '1.50 s', '12.3 s', '2 min 5 s']);
  });
});
