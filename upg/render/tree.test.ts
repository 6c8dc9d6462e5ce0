import { describe, expect, it } from 'vitest';
import { purchaseGraph } from '../fixtures/purchase-graph';
import type { RequestGraph } from '../types';
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

  it('formats durations', () => {
    expect([5, 999, 1500, 12_345, 125_000].map(duration)).toEqual(['5 ms', '999 ms', '1.50 s', '12.3 s', '2 min 5 s']);
  });
});
