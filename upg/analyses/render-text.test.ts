import { describe, expect, it } from 'vitest';
import { benignSummaries, renderIncidentsText } from './render-text';
import type { Incident, IncidentParty } from './types';

const party = (request: string, action = 'hello-retail/get-price'): IncidentParty => ({ request, activation: `act-${request}`, action });

function incident(over: Partial<Incident> & Pick<Incident, 'id'>): Incident {
  const planter = over.planter ?? party('r1');
  const victims = over.victims ?? [party('r2')];
  return {
    kind: 'container-reuse',
    verdict: 'benign-shared-state',
    container: 'ctr:inv0/c1',
    planter,
    victims,
    artifact: { kind: 'file', path: '/tmp/hello-retail/price-cache.json', node: 'file:c1:price' },
    path: ['a', 'b'],
    timeline: [],
    requests: [...new Set([planter.request, ...victims.map((v) => v.request)])].sort(),
    reason: 'normal cache',
    evidence: ['one'],
    detectedAt: '2026-11-01T00:00:00.000Z',
    ...over,
  };
}

const cache1 = incident({ id: 'b1', planter: party('r1'), victims: [party('r2'), party('r3')] });
const cache2 = incident({ id: 'b2', planter: party('r3'), victims: [party('r4')] });
const otherContainer = incident({ id: 'b3', container: 'ctr:inv0/c2', artifact: { kind: 'file', path: '/tmp/hello-retail/price-cache.json', node: 'file:c2:price' } });
const attack = incident({
  id: 'x1',
  verdict: 'attack',
  planter: party('e1', 'hello-retail/purchase'),
  victims: [party('e2', 'hello-retail/purchase')],
  artifact: { kind: 'file', path: '/tmp/hello-retail/receipts/fr.js', node: 'file:c3:fr' },
  reason: 'loaded as code',
});

describe('renderIncidentsText', () => {
  const cases: Array<{ name: string; incidents: Incident[]; all?: boolean; has: Array<string | RegExp>; hasNot: Array<string | RegExp> }> = [
    {
      name: 'benign shared state is one line per artifact, attacks in full',
      incidents: [attack, cache1, cache2],
      has: [
        '3 incident(s): 1 attack, 0 suspicious, 2 benign shared state',
        /^ATTACK {2}container-reuse {2}x1/m,
        '  artifact:  file /tmp/hello-retail/receipts/fr.js',
        'benign shared state: /tmp/hello-retail/price-cache.json in container ctr:inv0/c1 — 3 write→read handoffs across 4 requests, action hello-retail/get-price',
        'pass --all',
      ],
      hasNot: [/benign \(shared state\) {2}container-reuse/, 'b1', 'b2'],
    },
    {
      name: 'the same path in two containers stays two lines',
      incidents: [cache1, otherContainer],
      has: ['in container ctr:inv0/c1 — 2 write→read handoffs across 3 requests', 'in container ctr:inv0/c2 — 1 write→read handoff across 2 requests'],
      hasNot: ['ATTACK'],
    },
    {
      name: '--all prints every incident in full and no summary',
      incidents: [attack, cache1, cache2],
      all: true,
      has: [/^benign \(shared state\) {2}container-reuse {2}b1/m, /^benign \(shared state\) {2}container-reuse {2}b2/m, /^ATTACK/m],
      hasNot: ['benign shared state: /tmp', 'pass --all'],
    },
    {
      name: 'only attacks: no summary and no hint',
      incidents: [attack],
      has: [/^ATTACK/m],
      hasNot: ['benign shared state:', 'pass --all'],
    },
  ];
  it.each(cases)('$name', ({ incidents, all, has, hasNot }) => {
    const text = renderIncidentsText(incidents, { all });
    for (const h of has) (typeof h === 'string' ? expect(text).toContain(h) : expect(text).toMatch(h));
    for (const h of hasNot) (typeof h === 'string' ? expect(text).not.toContain(h) : expect(text).not.toMatch(h));
  });
});

describe('benignSummaries', () => {
  it('sums victims as handoffs, counts distinct requests and actions per (container, artifact)', () => {
    const mixed = incident({ id: 'b4', planter: party('r5', 'hello-retail/other'), victims: [party('r6')] });
    expect(benignSummaries([attack, cache1, cache2, mixed, otherContainer])).toEqual([
      { container: 'ctr:inv0/c1', artifact: cache1.artifact, handoffs: 4, requests: 6, actions: ['hello-retail/get-price', 'hello-retail/other'] },
      { container: 'ctr:inv0/c2', artifact: otherContainer.artifact, handoffs: 1, requests: 2, actions: ['hello-retail/get-price'] },
    ]);
  });
});
