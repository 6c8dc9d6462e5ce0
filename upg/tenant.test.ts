import { describe, expect, it } from 'vitest';
import { completeness } from './completeness';
import { incidentForNamespace, namespaceOfAction, OTHER_NAMESPACE_WARNING, summaryForNamespace, trimToNamespace } from './tenant';
import type { Incident } from './analyses/types';
import type { ActivationNode, RequestGraph, UpgEdge, UpgNode } from './types';

const done = { start: 1, end: 2, stdoutClosed: true, stderrClosed: true };
const act = (id: string, action: string, container: string, extra: Partial<ActivationNode> = {}): ActivationNode => ({
  id: `act:${id}`, kind: 'activation', activationId: id, requestId: 'r1', action, container, ...done, ...extra,
});
const edge = (from: string, to: string, activationId?: string): UpgEdge => ({ id: `${from}>${to}`, from, to, kind: 'used', ...(activationId ? { activationId } : {}) });

// A's `front` invokes B's `back` with B's key: one request across two namespaces.
function crossRequest(): RequestGraph {
  const nodes: UpgNode[] = [
    { id: 'req:r1', kind: 'request', requestId: 'r1', entry: '/a/front' },
    { id: 'client:r1', kind: 'client', name: 'caller' },
    act('fa', '/a/front', 'ctr:fa'),
    act('bb', '/b/pkg/back', 'ctr:bb', { parent: 'fa' }),
    { id: 'ctr:fa', kind: 'container', containerId: 'fa', action: '/a/front' },
    { id: 'ctr:bb', kind: 'container', containerId: 'bb', action: '/b/pkg/back' },
    { id: 'msg:fa:bb', kind: 'message', from: 'fa', to: 'bb', action: '/b/pkg/back' },
    { id: 'file:fa:/tmp/a', kind: 'file', path: '/tmp/a', container: 'ctr:fa' },
    { id: 'file:bb:/tmp/secret-of-b', kind: 'file', path: '/tmp/secret-of-b', container: 'ctr:bb' },
    { id: 'log:bb:1', kind: 'log', activationId: 'bb', stream: 'stdout', seq: 1, text: 'b says hello' },
    { id: 'item:shared', kind: 'item', table: 'shared' },
    { id: 'item:only-b', kind: 'item', table: 'only-b' },
    { id: 'socket:evil', kind: 'socket', address: '203.0.113.9', port: 443 },
  ];
  const edges: UpgEdge[] = [
    edge('req:r1', 'client:r1'),
    edge('act:fa', 'req:r1'),
    edge('act:bb', 'req:r1'),
    edge('act:fa', 'ctr:fa', 'fa'),
    edge('act:bb', 'ctr:bb', 'bb'),
    edge('msg:fa:bb', 'act:fa', 'fa'),
    edge('act:bb', 'msg:fa:bb', 'bb'),
    edge('act:fa', 'file:fa:/tmp/a', 'fa'),
    edge('act:bb', 'file:bb:/tmp/secret-of-b', 'bb'),
    edge('log:bb:1', 'act:bb', 'bb'),
    edge('act:fa', 'item:shared', 'fa'),
    edge('act:bb', 'item:shared', 'bb'),
    edge('act:bb', 'item:only-b', 'bb'),
    edge('act:bb', 'socket:evil', 'bb'),
  ];
  return { request: 'r1', nodes, edges, warnings: [{ code: 'lines-cut', message: 'b lost lines', activationId: 'bb' }] };
}

const ids = (g: RequestGraph | undefined) => g?.nodes.map((n) => n.id).sort();

describe('namespaceOfAction', () => {
  it.each([
    ['/guest/hello', 'guest'],
    ['/guest/pkg/hello', 'guest'],
    ['guest/hello', 'guest'],
    ['hello', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (action, ns) => expect(namespaceOfAction(action)).toBe(ns));
});

describe('trimToNamespace', () => {
  it('the caller sees its own side, that it invoked another namespace, and nothing inside it', () => {
    const g = trimToNamespace(crossRequest(), 'a')!;
    expect(ids(g)).toEqual(['act:fa', 'client:r1', 'ctr:fa', 'file:fa:/tmp/a', 'item:shared', 'msg:fa:bb', 'req:r1']);
    const msg = g.nodes.find((n) => n.id === 'msg:fa:bb')!;
    expect(msg).toMatchObject({ kind: 'message', action: '/b/pkg/back' });
    expect(msg).not.toHaveProperty('to');
    expect(g.edges.every((e) => e.activationId === undefined || e.activationId === 'fa')).toBe(true);
    expect(g.edges.map((e) => e.id)).not.toContain('act:bb>item:shared');
    expect(g.warnings).toEqual([expect.objectContaining({ code: OTHER_NAMESPACE_WARNING })]);
    expect(JSON.stringify(g)).not.toMatch(/secret-of-b|b says hello|only-b|evil|b lost lines|"bb"/);
    // the callee's absence is not "missing evidence": the caller's trace is complete
    expect(completeness(g).complete).toBe(true);
  });

  it('the callee sees its own side, without the caller\'s activation, entry or message', () => {
    const g = trimToNamespace(crossRequest(), 'b')!;
    expect(ids(g)).toEqual(['act:bb', 'ctr:bb', 'file:bb:/tmp/secret-of-b', 'item:only-b', 'item:shared', 'log:bb:1', 'req:r1', 'socket:evil']);
    expect(g.nodes.find((n) => n.id === 'act:bb')).not.toHaveProperty('parent');
    expect(g.nodes.find((n) => n.id === 'req:r1')).not.toHaveProperty('entry');
    expect(g.warnings?.map((w) => w.code).sort()).toEqual(['lines-cut', OTHER_NAMESPACE_WARNING]);
    expect(JSON.stringify(g)).not.toMatch(/\/a\/front|\/tmp\/a"|"fa"/);
  });

  it('a namespace with no activation in the request gets nothing, as if it did not exist', () => {
    expect(trimToNamespace(crossRequest(), 'c')).toBeUndefined();
  });

  it('a request wholly inside one namespace comes back unchanged', () => {
    const g = crossRequest();
    const only: RequestGraph = { ...g, nodes: g.nodes.filter((n) => !/bb|only-b|evil/.test(n.id)), edges: g.edges.filter((e) => !/bb|only-b|evil/.test(e.id)), warnings: [] };
    const msgless = { ...only, nodes: only.nodes.filter((n) => n.kind !== 'message') };
    expect(trimToNamespace(msgless, 'a')).toBe(msgless);
  });

  it('an action without a namespace belongs to nobody (what cannot be placed is not shown)', () => {
    const g: RequestGraph = { request: 'r1', nodes: [act('x', 'bare', 'ctr:x')], edges: [] };
    expect(trimToNamespace(g, 'a')).toBeUndefined();
  });
});

describe('summaryForNamespace', () => {
  const s = { request: 'r1', entry: '/a/front', activations: 5, actions: ['/a/front', '/b/pkg/back'] };
  it.each([
    ['a', { request: 'r1', entry: '/a/front', activations: 2, actions: ['/a/front'] }],
    ['b', { request: 'r1', activations: 2, actions: ['/b/pkg/back'] }],
    ['c', undefined],
  ])('as %s', (ns, want) => expect(summaryForNamespace(s, ns, 2)).toEqual(want));
});

describe('incidentForNamespace', () => {
  const incident: Incident = {
    id: 'i1', kind: 'exfiltration', verdict: 'attack', container: 'ctr:bb',
    planter: { request: 'r1', activation: 'fa', action: '/a/front' },
    victims: [{ request: 'r1', activation: 'bb', action: '/b/pkg/back' }],
    artifact: { kind: 'item', table: 'cards', node: 'item:cards' },
    path: ['item:cards', 'act:fa', 'act:bb', 'socket:evil'],
    timeline: [
      { request: 'r1', activation: 'fa', action: '/a/front', role: 'source', node: 'item:cards' },
      { request: 'r1', activation: 'bb', action: '/b/pkg/back', role: 'send', node: 'socket:evil' },
    ],
    requests: ['r1'], reason: 'data left', evidence: ['fa read cards', 'bb sent to evil'], detectedAt: '2026-12-03T00:00:00Z',
  };

  it('keeps an incident wholly inside the namespace as it is', () => {
    const own = { ...incident, victims: [], timeline: incident.timeline.slice(0, 1) };
    expect(incidentForNamespace(own, 'a')).toBe(own);
  });

  it('cuts the other namespace\'s parties, steps and evidence', () => {
    const a = incidentForNamespace(incident, 'a')!;
    expect(a.victims).toEqual([]);
    expect(a.timeline.map((t) => t.activation)).toEqual(['fa']);
    expect(JSON.stringify(a)).not.toMatch(/"bb"|\/b\/pkg|bb sent/);
    const b = incidentForNamespace(incident, 'b')!;
    expect(b.planter).toEqual({ request: 'r1', activation: '' });
    expect(JSON.stringify(b)).not.toMatch(/"fa"|\/a\/front|fa read/);
  });

  it('hides an incident with no party in the namespace', () => {
    expect(incidentForNamespace(incident, 'c')).toBeUndefined();
  });
});
