import { describe, expect, it } from 'vitest';
import { weighContradictions } from './contradicted';
import type { Incident, Verdict } from './types';
import type { RequestGraph } from '../types';

const incident = (kind: Incident['kind'], verdict: Verdict): Incident => ({
  id: `inc-${kind}-${verdict}`,
  kind,
  verdict,
  container: 'ctr:inv0/c1',
  planter: { request: 'req-A', activation: 'actA' },
  victims: [{ request: 'req-V', activation: 'actV' }],
  artifact: { kind: 'file', path: '/tmp/x', node: 'file:inv0/c1:/tmp/x' },
  path: [],
  timeline: [],
  requests: ['req-A', 'req-V'],
  reason: 'the rule said so',
  evidence: ['some evidence'],
  detectedAt: '2026-12-03T00:00:00.000Z',
});

/** req-A's graph: activation actA printed a record with a MAC that does not verify */
const forged: RequestGraph = { request: 'req-A', nodes: [], edges: [], warnings: [{ code: 'bad-mac', message: 'fs record with a MAC that does not verify', activationId: 'actA' }] };
const clean: RequestGraph = { request: 'req-A', nodes: [], edges: [] };

describe('contradicted evidence feeds the verdicts', () => {
  it.each([
    ['container-reuse', 'benign-shared-state', 'suspicious'],
    ['container-reuse', 'suspicious', 'attack'],
    ['container-reuse', 'attack', 'attack'],
    ['exfiltration', 'suspicious', 'suspicious'],
    ['exfiltration', 'attack', 'attack'],
  ] as const)('%s %s with a contradicted party -> %s', (kind, before, after) => {
    const [out] = weighContradictions([incident(kind, before)], [forged]);
    expect(out!.verdict).toBe(after);
    expect(out!.evidence[0]).toMatch(/activation actA is contradicted by the kernel or the runtime \(forged-record\)/);
    if (before !== after) expect(out!.reason).toBe(out!.evidence[0]);
  });

  it('leaves incidents whose parties are not contradicted as they are', () => {
    const inc = incident('container-reuse', 'benign-shared-state');
    expect(weighContradictions([inc], [clean])).toEqual([inc]);
  });
});
