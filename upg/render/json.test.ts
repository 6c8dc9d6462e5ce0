import { describe, expect, it } from 'vitest';
import { purchaseGraph } from '../fixtures/purchase-graph';
import type { RequestGraph } from '../types';
import { renderJson, toTraceJson } from './json';

describe('trace --json', () => {
  it('keeps the contract: request, nodes with id and kind, edges with from/to/kind/time', () => {
    const out = JSON.parse(renderJson(purchaseGraph())) as RequestGraph;
    expect(out.request).toBe('req-1');
    expect(out.nodes.length).toBe(purchaseGraph().nodes.length);
    for (const n of out.nodes) expect(Object.keys(n).slice(0, 2)).toEqual(['id', 'kind']);
    for (const e of out.edges) expect(Object.keys(e).slice(0, 4)).toEqual(['id', 'kind', 'from', 'to']);
    expect(out.nodes.find((n) => n.kind === 'activation' && n.activationId === 'P')).toMatchObject({ action: '/_/purchase', container: 'ctr:inv0/c1', start: 1_700_000_000_000, end: 1_700_000_000_250 });
    expect(out.warnings).toHaveLength(1);
  });

  it('sorts nodes by id and edges by time, so any input order prints the same text', () => {
    const g = purchaseGraph();
    const shuffled: RequestGraph = { ...g, nodes: [...g.nodes].reverse(), edges: [...g.edges].reverse() };
    expect(renderJson(shuffled)).toBe(renderJson(g));
    const out = toTraceJson(g);
    const ids = out.nodes.map((n) => n.id);
    expect(ids).toEqual([...ids].sort());
    const times = out.edges.map((e) => e.time!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('leaves out undefined fields and the warnings key when there are none', () => {
    const g: RequestGraph = { request: 'r', nodes: [{ id: 'act:a', kind: 'activation', activationId: 'a', requestId: 'r', action: 'x', container: 'c', end: undefined }], edges: [] };
    const missing = '"missing":[{"kind":"not-begun","action":"x","activationId":"a","container":"c","message":"activation a (x): its begin record has not arrived"}]';
    expect(renderJson(g, 0)).toBe(`{"request":"r","nodes":[{"id":"act:a","kind":"activation","action":"x","activationId":"a","container":"c","requestId":"r"}],"edges":[],"complete":false,${missing}}\n`);
  });

  it('says whether the graph is complete and what is missing', () => {
    const running: RequestGraph = { request: 'r', nodes: [{ id: 'act:a', kind: 'activation', activationId: 'a', requestId: 'r', action: 'x', container: 'c', start: 1 }], edges: [] };
    const json = JSON.parse(renderJson(running)) as { complete: boolean; missing: Array<{ kind: string }> };
    expect(json.complete).toBe(false);
    expect(json.missing.map((m) => m.kind)).toEqual(['not-ended', 'output-open']);
    const done: RequestGraph = { request: 'r', nodes: [{ ...running.nodes[0], end: 2, stdoutClosed: true, stderrClosed: true } as RequestGraph['nodes'][number]], edges: [] };
    expect(JSON.parse(renderJson(done))).toMatchObject({ complete: true, missing: [] });
  });
});
