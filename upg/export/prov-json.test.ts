import { describe, expect, it } from 'vitest';
import { purchaseGraph } from '../fixtures/purchase-graph';
import { toProvJson, renderProvJson } from './prov-json';
import { IDS, exfiltrationGraph, exfiltrationIncident } from './fixtures/export-graphs';

type Doc = Record<string, Record<string, Record<string, unknown>>>;
const q = (id: string) => `node:${id}`;

describe('PROV-JSON', () => {
  const doc = toProvJson({ graphs: [exfiltrationGraph()], incidents: [exfiltrationIncident()] }) as Doc;

  it('puts each node under its PROV class, with its kind as prov:type', () => {
    expect(Object.keys(doc.activity).sort()).toEqual(['node:act:A', 'node:act:B', 'node:req:req-exfil']);
    expect(Object.keys(doc.agent).sort()).toEqual(['node:action:/_/publish', 'node:action:/_/purchase', 'node:client:req-exfil', 'node:ctr:inv0/c1', 'node:ctr:inv0/c2']);
    expect(doc.entity['node:sock:tcp:127.0.0.66:80']['prov:type']).toEqual({ $: 'sp:Socket', type: 'prov:QUALIFIED_NAME' });
    expect(doc.activity['node:act:A']).toMatchObject({ 'prov:startTime': '2026-11-03T12:00:00.000Z', 'prov:endTime': '2026-11-03T12:00:00.300Z', 'sp:action': '/_/purchase' });
  });

  it('percent-encodes what is not IRI-safe in a node id, one-to-one', () => {
    expect(Object.keys(doc.entity)).toContain('node:item:cards:%7B%22id%22:%22card-1%22%7D');
    expect(Object.keys(doc.entity)).toContain('node:msg:A-%3EB');
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['used', 'invoke', { 'prov:activity': q('act:B'), 'prov:entity': 'node:msg:A-%3EB', 'prov:time': '2026-11-03T12:00:00.100Z' }],
    ['wasGeneratedBy', 'PutItem', { 'prov:activity': q('act:A'), 'prov:time': '2026-11-03T12:00:00.250Z' }],
    ['wasInformedBy', 'request', { 'prov:informed': q('act:A'), 'prov:informant': q('req:req-exfil'), 'sp:time': { $: '2026-11-03T12:00:00.000Z', type: 'xsd:dateTime' } }],
    ['wasStartedBy', 'invoke', { 'prov:activity': q('act:B'), 'prov:starter': q('act:A'), 'prov:trigger': 'node:msg:A-%3EB' }],
    ['wasAssociatedWith', 'request', { 'prov:activity': q('req:req-exfil'), 'prov:agent': q('client:req-exfil') }],
  ])('maps %s (%s) to PROV-JSON keys', (kind, op, expected) => {
    const relations = Object.values(doc[kind]).filter((r) => r['sp:op'] === op);
    expect(relations).toHaveLength(1);
    expect(relations[0]).toMatchObject(expected);
  });

  it('keeps count and bytes, and marks the causal path, the sensitive source and the outside sink', () => {
    const card = Object.values(doc.used).find((r) => r['sp:op'] === 'GetItem' && r['sp:bytes'] === 120);
    expect(card).toMatchObject({ 'sp:onCausalPath': true });
    expect(doc.entity['node:item:cards:%7B%22id%22:%22card-1%22%7D']).toMatchObject({ 'sp:sensitive': true, 'sp:role': ['artifact', 'path'] });
    expect(doc.entity['node:sock:tcp:127.0.0.66:80']).toMatchObject({ 'sp:outside': true, 'sp:role': ['path', 'sink'] });
    expect(doc.entity['node:sock:tcp:127.0.0.1:8000']['sp:outside']).toBeUndefined();
  });

  it('writes the incident as an sp:Incident entity pointing at its nodes', () => {
    expect(doc.entity['incident:inc-exfil-1']).toMatchObject({
      'sp:verdict': 'attack',
      'sp:incidentKind': 'exfiltration',
      'sp:planter': { $: 'node:act:A', type: 'prov:QUALIFIED_NAME' },
      'sp:sink': { $: 'node:sock:tcp:127.0.0.66:80', type: 'prov:QUALIFIED_NAME' },
      'sp:detectedAt': { $: '2026-11-03T12:00:01.000Z', type: 'xsd:dateTime' },
    });
  });

  it('declares a node only an edge names (the invoked activation whose records never came)', () => {
    const d = toProvJson({ graphs: [purchaseGraph()] }) as Doc;
    expect(d.activity['node:act:M']).toEqual({ 'prov:label': 'activation M (no record)', 'prov:type': { $: 'sp:Activation', type: 'prov:QUALIFIED_NAME' }, 'sp:missing': true });
  });

  it('is deterministic whatever the order of nodes and edges', () => {
    const g = exfiltrationGraph();
    const shuffled = { ...g, nodes: [...g.nodes].reverse(), edges: [...g.edges].reverse() };
    expect(renderProvJson({ graphs: [shuffled] })).toBe(renderProvJson({ graphs: [g] }));
  });
});
