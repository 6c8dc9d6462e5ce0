import { describe, expect, it } from 'vitest';
import { edgeId, nodeIds } from '../ids';
import type { ActivationNode, EdgeKind, RequestGraph, UpgEdge, UpgNode } from '../types';
import { findIncidents } from './incidents';
import { analysisConfig, DEFAULT_CONFIG } from './config';
import type { AnalysisConfig, Incident } from './types';

// A tiny graph builder in the correlator's shapes (correlator/assemble/record-facts.ts): activations in containers,
// file writes as `file wasGeneratedBy activation`, reads as `activation used file`, outbound traffic
// as `socket wasGeneratedBy activation`, invocations as parent -> message -> child.
const T0 = Date.UTC(2026, 10, 3, 12, 0, 0);
const ACTION = '/_/get-price';
const ctr = (c: string) => nodeIds.container('inv0', c);
const file = (c: string, path: string) => nodeIds.file('inv0', c, path);
const act = (a: string) => nodeIds.activation(a);

class Req {
  nodes = new Map<string, UpgNode>();
  edges: UpgEdge[] = [];
  constructor(readonly id: string) {
    this.nodes.set(nodeIds.request(id), { id: nodeIds.request(id), kind: 'request', requestId: id });
  }
  activation(a: string, container: string, start: number, extra: Record<string, unknown> = {}, action = ACTION): this {
    this.nodes.set(act(a), { id: act(a), kind: 'activation', activationId: a, requestId: this.id, action, container: ctr(container), start, end: start + 50, ...extra } as UpgNode);
    this.nodes.set(ctr(container), { id: ctr(container), kind: 'container', containerId: container, invoker: 'inv0', action });
    this.edge(act(a), nodeIds.request(this.id), 'wasInformedBy', 'request', start, a);
    return this;
  }
  write(a: string, container: string, path: string, time: number, op = 'write'): this {
    this.nodes.set(file(container, path), { id: file(container, path), kind: 'file', path, container: ctr(container) });
    return this.edge(file(container, path), act(a), 'wasGeneratedBy', op, time, a);
  }
  read(a: string, container: string, path: string, time: number, op = 'read'): this {
    this.nodes.set(file(container, path), { id: file(container, path), kind: 'file', path, container: ctr(container) });
    return this.edge(act(a), file(container, path), 'used', op, time, a);
  }
  item(a: string, table: string, key: Record<string, unknown>, time: number): this {
    this.nodes.set(nodeIds.item(table, key), { id: nodeIds.item(table, key), kind: 'item', table, key });
    return this.edge(act(a), nodeIds.item(table, key), 'used', 'GetItem', time, a);
  }
  send(a: string, address: string, port: number, time: number, op = 'connect'): this {
    const id = nodeIds.socket('tcp', address, port);
    this.nodes.set(id, { id, kind: 'socket', address, port, proto: 'tcp' });
    return this.edge(id, act(a), 'wasGeneratedBy', op, time, a);
  }
  invoke(parent: string, child: string, time: number): this {
    const msg = nodeIds.message(parent, child);
    this.nodes.set(msg, { id: msg, kind: 'message', from: parent, to: child, action: '/_/publish' });
    this.edge(msg, act(parent), 'wasGeneratedBy', 'invoke', time, parent);
    this.edge(act(child), msg, 'used', 'invoke', time + 1, child);
    return this.edge(act(child), act(parent), 'wasStartedBy', 'invoke', time + 1, parent);
  }
  edge(from: string, to: string, kind: EdgeKind, op: string, time: number, a: string): this {
    this.edges.push({ id: edgeId({ from, to, kind, op, activationId: a, discriminator: time }), from, to, kind, op, time, activationId: a });
    return this;
  }
  graph(): RequestGraph {
    return { request: this.id, nodes: [...this.nodes.values()], edges: this.edges };
  }
}

const run = (reqs: Req[], config: AnalysisConfig = DEFAULT_CONFIG, activations: ActivationNode[] = []): Incident[] =>
  findIncidents({ graphs: reqs.map((r) => r.graph()), activations }, config, T0 + 1e6);
const reuse = (list: Incident[]) => list.filter((i) => i.kind === 'container-reuse');
const exfil = (list: Incident[]) => list.filter((i) => i.kind === 'exfiltration');

/** `n` ordinary warm activations of the action in container c1 reading the price table: the behaviour model's data. */
function ordinary(n: number, from = 100_000): Req[] {
  return Array.from({ length: n }, (_, i) => new Req(`ord-${i}`).activation(`o${i}`, 'c1', T0 + from + i * 1000).item(`o${i}`, 'prices', { id: 'p1' }, T0 + from + i * 1000 + 5));
}

describe('container reuse', () => {
  // the container's cold start, known only from the container index (no graph loaded for it)
  const coldStart: ActivationNode = { id: act('a0'), kind: 'activation', activationId: 'a0', requestId: 'R0', action: ACTION, container: ctr('c1'), start: T0 - 5000, cold: true };
  const cases: Array<{ name: string; reqs: () => Req[]; verdict?: Incident['verdict']; victims?: string[]; planter?: string; index?: ActivationNode[] }> = [
    {
      name: 'planted code loaded by a later request => attack',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0, { cold: true }),
        new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/x.js', T0 + 1010),
        new Req('R3').activation('a3', 'c1', T0 + 2000).read('a3', 'c1', '/tmp/x.js', T0 + 2005, 'load'),
      ],
      verdict: 'attack',
      planter: 'a2',
      victims: ['a3'],
    },
    {
      name: 'a planted program spawned by a later request => attack',
      reqs: () => {
        const r3 = new Req('R3').activation('a3', 'c1', T0 + 2000);
        const p = nodeIds.process('inv0', 'c1', 4242);
        r3.nodes.set(p, { id: p, kind: 'process', container: ctr('c1'), pid: 4242, exe: '/tmp/miner' });
        r3.edge(p, act('a3'), 'wasStartedBy', 'spawn', T0 + 2010, 'a3');
        return [new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/miner', T0 + 1010), r3];
      },
      verdict: 'attack',
      planter: 'a2',
      victims: ['a3'],
    },
    {
      name: 'cache written by the cold start and re-read by the normal path => benign',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0, { cold: true }).write('a1', 'c1', '/tmp/prices.json', T0 + 10),
        new Req('R2').activation('a2', 'c1', T0 + 1000).read('a2', 'c1', '/tmp/prices.json', T0 + 1005),
        new Req('R3').activation('a3', 'c1', T0 + 2000).read('a3', 'c1', '/tmp/prices.json', T0 + 2005),
      ],
      verdict: 'benign-shared-state',
      planter: 'a1',
      victims: ['a2', 'a3'],
    },
    {
      name: 'a cache refreshed the way the action always does => benign',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0, { cold: true }).write('a1', 'c1', '/tmp/price-17.json', T0 + 10),
        new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/price-42.json', T0 + 1010),
        new Req('R3').activation('a3', 'c1', T0 + 2000).read('a3', 'c1', '/tmp/price-42.json', T0 + 2005),
      ],
      verdict: 'benign-shared-state',
      planter: 'a2',
      victims: ['a3'],
    },
    {
      name: 'a warm activation writes a file no other activation writes, read later, model big enough => attack',
      reqs: () => [
        ...ordinary(3),
        new Req('R2').activation('a2', 'c1', T0 + 200_000).write('a2', 'c1', '/tmp/override.json', T0 + 200_010),
        new Req('R3').activation('a3', 'c1', T0 + 300_000).read('a3', 'c1', '/tmp/override.json', T0 + 300_005),
      ],
      verdict: 'attack',
    },
    {
      name: 'the same, with too few activations observed to call it abnormal => suspicious',
      reqs: () => [
        new Req('R2').activation('a2', 'c1', T0 + 200_000).write('a2', 'c1', '/tmp/override.json', T0 + 200_010),
        new Req('R3').activation('a3', 'c1', T0 + 300_000).read('a3', 'c1', '/tmp/override.json', T0 + 300_005),
      ],
      index: [coldStart],
      verdict: 'suspicious',
    },
    {
      name: 'a cache whose planter deviated from the LMS-CFG => attack',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0, { cold: true, deviations: [{ kind: 'unknown-template' }] }).write('a1', 'c1', '/tmp/prices.json', T0 + 10),
        new Req('R2').activation('a2', 'c1', T0 + 1000).read('a2', 'c1', '/tmp/prices.json', T0 + 1005),
      ],
      verdict: 'attack',
    },
    {
      name: 'written and read within the same request only => no incident',
      reqs: () => [new Req('R1').activation('a1', 'c1', T0).activation('a2', 'c1', T0 + 100).write('a1', 'c1', '/tmp/x.js', T0 + 10).read('a2', 'c1', '/tmp/x.js', T0 + 120, 'load')],
    },
    {
      name: 'read before it was written => no incident',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0).read('a1', 'c1', '/tmp/x.js', T0 + 10, 'load'),
        new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/x.js', T0 + 1010),
      ],
    },
    {
      name: 'deleted before the other request came => no incident',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0).write('a1', 'c1', '/tmp/x.js', T0 + 10).edge(file('c1', '/tmp/x.js'), act('a1'), 'wasInvalidatedBy', 'unlink', T0 + 20, 'a1'),
        new Req('R2').activation('a2', 'c1', T0 + 1000).read('a2', 'c1', '/tmp/x.js', T0 + 1010, 'load'),
      ],
    },
    {
      name: 'same path in a different container => no incident (a file is per container)',
      reqs: () => [
        new Req('R1').activation('a1', 'c1', T0).write('a1', 'c1', '/tmp/x.js', T0 + 10),
        new Req('R2').activation('a2', 'c2', T0 + 1000).read('a2', 'c2', '/tmp/x.js', T0 + 1010, 'load'),
      ],
    },
  ];
  it.each(cases)('$name', ({ reqs, verdict, victims, planter, index }) => {
    const found = reuse(run(reqs(), DEFAULT_CONFIG, index));
    if (verdict === undefined) {
      expect(found).toEqual([]);
      return;
    }
    expect(found).toHaveLength(1);
    const [incident] = found;
    expect(incident.verdict).toBe(verdict);
    expect(incident.container).toBe(ctr('c1'));
    if (planter) expect(incident.planter.activation).toBe(planter);
    if (victims) expect(incident.victims.map((v) => v.activation)).toEqual(victims);
    expect(incident.path[0]).toBe(act(incident.planter.activation));
    expect(incident.reason).not.toBe('');
  });

  it('names the artifact, the causal path, the timeline and where the victim sent data', () => {
    const [incident] = reuse(
      run([
        new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/x.js', T0 + 1010),
        new Req('R3').activation('a3', 'c1', T0 + 2000).read('a3', 'c1', '/tmp/x.js', T0 + 2005, 'load').send('a3', '127.0.0.66', 80, T0 + 2020),
      ]),
    );
    expect(incident.artifact).toEqual({ kind: 'file', path: '/tmp/x.js', node: file('c1', '/tmp/x.js') });
    expect(incident.planter).toEqual({ request: 'R2', activation: 'a2', action: ACTION });
    expect(incident.victims).toEqual([{ request: 'R3', activation: 'a3', action: ACTION }]);
    expect(incident.sink).toMatchObject({ address: '127.0.0.66', port: 80 });
    expect(incident.path).toEqual([act('a2'), file('c1', '/tmp/x.js'), act('a3'), nodeIds.socket('tcp', '127.0.0.66', 80)]);
    expect(incident.timeline.map((t) => [t.role, t.op, t.time])).toEqual([
      ['plant', 'write', T0 + 1010],
      ['use', 'load', T0 + 2005],
      ['send', 'connect', T0 + 2020],
    ]);
    expect(incident.requests).toEqual(['R2', 'R3']);
  });

  it('attributes each use to the latest write before it', () => {
    const found = reuse(
      run([
        new Req('R1').activation('a1', 'c1', T0, { cold: true }).write('a1', 'c1', '/tmp/f', T0 + 10),
        new Req('R2').activation('a2', 'c1', T0 + 1000).read('a2', 'c1', '/tmp/f', T0 + 1005),
        new Req('R3').activation('a3', 'c1', T0 + 2000).write('a3', 'c1', '/tmp/f', T0 + 2005, 'chmod'),
        new Req('R4').activation('a4', 'c1', T0 + 3000).read('a4', 'c1', '/tmp/f', T0 + 3005, 'load'),
      ]),
    );
    expect(found.map((i) => [i.planter.activation, i.victims.map((v) => v.activation), i.verdict]).sort()).toEqual([
      ['a1', ['a2'], 'benign-shared-state'],
      ['a3', ['a4'], 'attack'],
    ]);
  });
});

describe('exfiltration', () => {
  const purchase = (sinkAddress: string, sinkPort: number) =>
    new Req('R1')
      .activation('A', 'c1', T0, {}, '/_/purchase')
      .item('A', 'hello-retail-cards', { id: 'card-1' }, T0 + 10)
      .invoke('A', 'B', T0 + 90)
      .activation('B', 'c2', T0 + 100, {}, '/_/publish')
      .send('B', sinkAddress, sinkPort, T0 + 150, 'http:POST');

  it('finds sensitive data carried by an invocation message to an outside sink', () => {
    const [incident, ...rest] = exfil(run([purchase('127.0.0.66', 80)]));
    expect(rest).toEqual([]);
    expect(incident).toMatchObject({
      kind: 'exfiltration',
      verdict: 'attack',
      container: ctr('c2'),
      planter: { request: 'R1', activation: 'A', action: '/_/purchase' },
      victims: [{ request: 'R1', activation: 'B', action: '/_/publish' }],
      artifact: { kind: 'item', table: 'hello-retail-cards', key: { id: 'card-1' } },
      sink: { kind: 'socket', address: '127.0.0.66', port: 80 },
    });
    expect(incident.path).toEqual([nodeIds.item('hello-retail-cards', { id: 'card-1' }), act('A'), nodeIds.message('A', 'B'), act('B'), nodeIds.socket('tcp', '127.0.0.66', 80)]);
  });

  const none: Array<{ name: string; reqs: () => Req[]; config?: AnalysisConfig }> = [
    { name: 'allowlisted sink', reqs: () => [purchase('127.0.0.66', 80)], config: analysisConfig({ allowlist: ['127.0.0.66:80'] }) },
    { name: 'allowlisted host, any port', reqs: () => [purchase('127.0.0.66', 80)], config: analysisConfig({ allowlist: ['127.0.0.66'] }) },
    { name: 'a platform endpoint (the embedded platform host)', reqs: () => [purchase('127.0.0.1', 8000)] },
    { name: 'no sensitive read', reqs: () => [new Req('R1').activation('A', 'c1', T0).item('A', 'products', { id: 'p1' }, T0 + 5).send('A', '127.0.0.66', 80, T0 + 20)] },
    { name: 'sent before the sensitive read', reqs: () => [new Req('R1').activation('A', 'c1', T0).send('A', '127.0.0.66', 80, T0 + 5).item('A', 'cards', { id: 'c' }, T0 + 20)] },
    { name: 'a table not named sensitive when the user names others', reqs: () => [purchase('127.0.0.66', 80)], config: analysisConfig({ sensitive: { tables: ['secrets'] } }) },
  ];
  it.each(none)('no incident: $name', ({ reqs, config }) => {
    expect(exfil(run(reqs(), config))).toEqual([]);
  });

  it('an explicit list of platform endpoints replaces the embedded default', () => {
    const config = analysisConfig({ inside: ['http://127.0.0.1:3233', '127.0.0.1:8000'] });
    expect(exfil(run([purchase('127.0.0.1', 8000)], config))).toEqual([]);
    expect(exfil(run([purchase('127.0.0.1', 9999)], config))).toHaveLength(1);
  });

  it('follows sensitive data across requests through a file left in the container', () => {
    const found = exfil(
      run([
        new Req('R1').activation('a1', 'c1', T0).item('a1', 'cards', { id: 'k' }, T0 + 5).write('a1', 'c1', '/tmp/stash', T0 + 10),
        new Req('R2').activation('a2', 'c1', T0 + 1000).read('a2', 'c1', '/tmp/stash', T0 + 1005).send('a2', '10.9.9.9', 443, T0 + 1010),
      ]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ verdict: 'attack', planter: { request: 'R1', activation: 'a1' }, victims: [{ request: 'R2', activation: 'a2' }] });
    expect(found[0].requests).toEqual(['R1', 'R2']);
  });

  it('data coming back as an invocation result is only suspicious', () => {
    const r = new Req('R1')
      .activation('P', 'c1', T0, {}, '/_/purchase')
      .invoke('P', 'C', T0 + 10)
      .activation('C', 'c2', T0 + 11, {}, '/_/lookup')
      .item('C', 'cards', { id: 'k' }, T0 + 20)
      .send('P', '10.9.9.9', 443, T0 + 500);
    const [incident] = exfil(run([r]));
    expect(incident).toMatchObject({ verdict: 'suspicious', planter: { activation: 'C' }, victims: [{ activation: 'P' }] });
  });

  // With kernel capture the read is the kernel's (microseconds) and the invocation the wrapper's
  // (whole milliseconds): a read at .326 inside the millisecond the invocation was stamped with may
  // have come first, and does here (the handler reads, then invokes).
  const leakThroughInvoke = (readAt: number, invokeAt: number) =>
    new Req('R1')
      .activation('A', 'c1', T0, {}, '/_/read')
      .read('A', 'c1', '/action/vault/token.json', readAt)
      .invoke('A', 'B', invokeAt)
      .activation('B', 'c2', T0 + 100, {}, '/_/send')
      .send('B', '127.0.0.66', 80, T0 + 150);
  it.each([
    { name: 'kernel read inside the millisecond the wrapper stamped the invocation with', readAt: T0 + 90.326, invokeAt: T0 + 90, found: 1 },
    { name: 'kernel read a millisecond before the invocation', readAt: T0 + 89.9, invokeAt: T0 + 90, found: 1 },
    { name: 'invocation a millisecond before the kernel read', readAt: T0 + 91.2, invokeAt: T0 + 90, found: 0 },
  ])('mixed clock resolutions: $name', ({ readAt, invokeAt, found }) => {
    expect(exfil(run([leakThroughInvoke(readAt, invokeAt)], analysisConfig({ sensitive: { secrets: ['token.json'] } })))).toHaveLength(found);
  });

  it('secrets match the base name of files read', () => {
    const r = new Req('R1').activation('A', 'c1', T0).read('A', 'c1', '/var/task/.env', T0 + 5).send('A', '10.1.1.1', 25, T0 + 9);
    expect(exfil(run([r], analysisConfig({ sensitive: { secrets: ['.env'] } })))).toHaveLength(1);
    expect(exfil(run([r]))).toEqual([]);
  });
});

describe('incident ids', () => {
  it('are deterministic: the same graphs give the same ids, whatever the order or the time', () => {
    const reqs = () => [
      new Req('R2').activation('a2', 'c1', T0 + 1000).write('a2', 'c1', '/tmp/x.js', T0 + 1010).item('a2', 'cards', { id: 'k' }, T0 + 1001),
      new Req('R3').activation('a3', 'c1', T0 + 2000).read('a3', 'c1', '/tmp/x.js', T0 + 2005, 'load').send('a3', '127.0.0.66', 80, T0 + 2020),
    ];
    const a = findIncidents({ graphs: reqs().map((r) => r.graph()) }, DEFAULT_CONFIG, T0);
    const b = findIncidents({ graphs: reqs().reverse().map((r) => r.graph()) }, DEFAULT_CONFIG, T0 + 99_999);
    expect(a.map((i) => i.id)).toEqual(b.map((i) => i.id));
    expect(a.map((i) => i.kind).sort()).toEqual(['container-reuse', 'exfiltration']);
    expect(new Set(a.map((i) => i.id)).size).toBe(a.length);
    expect(a[0].id).toMatch(/^inc-(reuse|exfil)-[0-9a-f]{16}$/);
  });
});
