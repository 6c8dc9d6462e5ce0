import { describe, expect, it } from 'vitest';
import { incidentUnchanged } from './merge-incident';
import type { Incident } from './types';

describe('incidentUnchanged: whether storing a fresh detection would change the stored incident', () => {
  const stored: Incident = {
    id: 'inc-reuse-1', kind: 'container-reuse', verdict: 'suspicious', container: 'ctr:x',
    planter: { request: 'R1', activation: 'a1' }, victims: [{ request: 'R2', activation: 'a2' }],
    artifact: { kind: 'file', path: '/tmp/f', node: 'file:x' }, path: ['act:a1', 'file:x', 'act:a2'],
    timeline: [{ time: 2, request: 'R2', activation: 'a2', role: 'use', op: 'read', node: 'file:x' }],
    requests: ['R1', 'R2'], reason: 'warm', evidence: ['e1', 'e2'], detectedAt: '2026-11-03T12:00:00.000Z',
  };
  it.each<{ name: string; fresh: Partial<Incident>; unchanged: boolean }>([
    { name: 'found again as it was, later', fresh: { detectedAt: '2026-11-03T13:00:00.000Z' }, unchanged: true },
    { name: 'the same evidence in another order', fresh: { evidence: ['e2', 'e1'] }, unchanged: true },
    { name: 'less of what was found before (the merge keeps it)', fresh: { evidence: ['e1'], victims: [], timeline: [], path: ['act:a1', 'file:x'] }, unchanged: true },
    { name: 'a weaker verdict (the strongest stays)', fresh: { verdict: 'benign-shared-state', reason: 'cache' }, unchanged: true },
    { name: 'a new victim', fresh: { victims: [{ request: 'R3', activation: 'a3' }] }, unchanged: false },
    { name: 'a new step', fresh: { timeline: [{ time: 3, request: 'R3', activation: 'a3', role: 'use', op: 'read', node: 'file:x' }] }, unchanged: false },
    { name: 'new evidence', fresh: { evidence: ['e3'] }, unchanged: false },
    { name: 'a stronger verdict', fresh: { verdict: 'attack', reason: 'loaded' }, unchanged: false },
    { name: 'the same verdict for another reason', fresh: { reason: 'deviated' }, unchanged: false },
    { name: 'a sink found', fresh: { sink: { kind: 'socket', address: '127.0.0.66', port: 80, node: 'sock:x' } as Incident['sink'] }, unchanged: false },
  ])('$name -> unchanged $unchanged', ({ fresh, unchanged }) => {
    expect(incidentUnchanged(stored, { ...stored, ...fresh })).toBe(unchanged);
  });
});
