// The analyses' incidents (upg/analyses/types.ts) go straight into the exports: this file does not
// compile (npm run typecheck) if the two types drift apart.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../analyses/types';
import type { ExportIncident } from './input';
import { renderMarkdown } from './markdown';
import { containerReuseGraphs, IDS } from './fixtures/export-graphs';

describe('incidents from the analyses', () => {
  it('are accepted as they are, with their own timeline and evidence', () => {
    const incident: Incident = {
      id: 'cr-1',
      kind: 'container-reuse',
      verdict: 'attack',
      container: IDS.ctr1,
      planter: { request: 'req-plant', activation: 'p1', action: '/_/purchase' },
      victims: [{ request: 'req-victim', activation: 'v1', action: '/_/purchase' }],
      artifact: { kind: 'file', path: '/tmp/x.js', node: IDS.planted },
      sink: { kind: 'socket', address: '127.0.0.66', port: 80, node: IDS.outside },
      path: ['act:p1', IDS.planted, 'act:v1', IDS.outside],
      timeline: [
        { time: Date.UTC(2026, 10, 3, 12, 0, 0, 20), request: 'req-plant', activation: 'p1', action: '/_/purchase', role: 'plant', op: 'write', node: IDS.planted },
        { time: Date.UTC(2026, 10, 3, 12, 1, 0, 5), request: 'req-victim', activation: 'v1', action: '/_/purchase', role: 'use', op: 'load', node: IDS.planted },
      ],
      requests: ['req-plant', 'req-victim'],
      reason: 'planted code loaded by another request',
      evidence: ['load of a file from /tmp written by another request'],
      detectedAt: '2026-11-03T12:02:00.000Z',
    };
    const asExported: ExportIncident = incident;
    const md = renderMarkdown({ graphs: containerReuseGraphs(), incidents: [asExported] });
    expect(md).toContain('- load of a file from /tmp written by another request');
    expect(md).toContain('| 2026-11-03T12:00:00.020Z | `req-plant` | purchase `p1` | plant | write | /tmp/x.js |');
    expect(md).toContain('| 2026-11-03T12:01:00.005Z | `req-victim` | purchase `v1` | use | load | /tmp/x.js |');
  });
});
