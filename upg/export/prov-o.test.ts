import { describe, expect, it } from 'vitest';
import { literal, renderProvTurtle } from './prov-o';
import { localName } from './namespaces';
import { exfiltrationGraph, exfiltrationIncident } from './fixtures/export-graphs';

describe('PROV-O Turtle', () => {
  const ttl = renderProvTurtle({ graphs: [exfiltrationGraph()], incidents: [exfiltrationIncident()] });
  const block = (subject: string) => {
    const start = ttl.indexOf(`\n${subject}\n`);
    expect(start, `no block for ${subject}`).toBeGreaterThanOrEqual(0);
    return ttl.slice(start + 1, ttl.indexOf(' .\n', start) + 2);
  };

  it('writes each edge as the unqualified property and a qualified influence named by the edge id', () => {
    const b = block('<urn:serverless-provenance:node:act:B>');
    expect(b).toContain('a prov:Activity, sp:Activation');
    expect(block('<urn:serverless-provenance:node:sock:tcp:127.0.0.66:80>')).toContain('sp:outside true');
    expect(ttl).toMatch(/<urn:serverless-provenance:node:sock:tcp:127\.0\.0\.66:80>\n {2}prov:wasGeneratedBy <urn:serverless-provenance:node:act:B> ;\n {2}prov:qualifiedGeneration <urn:serverless-provenance:edge:e:[0-9a-f]+> \./);
    expect(ttl).toMatch(/a prov:Generation ;\n {2}prov:activity <urn:serverless-provenance:node:act:B> ;\n {2}prov:atTime "2026-11-03T12:00:00.150Z"\^\^xsd:dateTime ;\n {2}sp:op "http:POST" ;\n {2}sp:bytes "512"\^\^xsd:integer ;\n {2}sp:onCausalPath true \./);
  });

  it('says "started by an activity" with a qualified prov:Start and its trigger message', () => {
    expect(ttl).toMatch(/<urn:serverless-provenance:node:act:B>\n {2}sp:wasStartedByActivity <urn:serverless-provenance:node:act:A> ;\n {2}prov:qualifiedStart <[^>]+> ;\n {2}prov:wasStartedBy <urn:serverless-provenance:node:msg:A-%3EB> \./);
    expect(ttl).toMatch(/a prov:Start ;\n {2}prov:hadActivity <urn:serverless-provenance:node:act:A> ;\n {2}prov:atTime [^;]+;\n {2}prov:entity <urn:serverless-provenance:node:msg:A-%3EB>/);
  });

  it('keeps the causal path of an incident in order, as an RDF list', () => {
    expect(block('<urn:serverless-provenance:incident:inc-exfil-1>')).toContain(
      'sp:path ( <urn:serverless-provenance:node:item:cards:%7B%22id%22:%22card-1%22%7D> <urn:serverless-provenance:node:act:A> <urn:serverless-provenance:node:msg:A-%3EB> <urn:serverless-provenance:node:act:B> <urn:serverless-provenance:node:sock:tcp:127.0.0.66:80> )',
    );
  });

  it('escapes log text that would end a literal', () => {
    expect(block('<urn:serverless-provenance:node:log:A:stdout:0>')).toContain('sp:text "purchase <p1> \\"quoted\\" | piped"');
  });

  it.each<[string, string]>([
    ['plain', '"plain"'],
    ['a "quote" and \\ backslash', '"a \\"quote\\" and \\\\ backslash"'],
    ['line\nbreak\ttab\r', '"line\\nbreak\\ttab\\r"'],
    ['bell\u0007 del\u007f', '"bell\\u0007 del\\u007F"'],
    ['ünïcödé ✓', '"ünïcödé ✓"'],
  ])('literal(%j)', (text, expected) => {
    expect(literal(text)).toBe(expected);
  });

  it.each<[string, string]>([
    ['act:P', 'act:P'],
    ['file:inv0/c1:/tmp/a b', 'file:inv0/c1:/tmp/a%20b'],
    ['item:t:{"k":"v"}', 'item:t:%7B%22k%22:%22v%22%7D'],
    ['x%41<>#?é', 'x%2541%3C%3E%23%3F%C3%A9'],
  ])('localName(%j)', (id, expected) => {
    expect(localName(id)).toBe(expected);
  });
});
