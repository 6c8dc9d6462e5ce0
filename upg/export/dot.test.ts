import { describe, expect, it } from 'vitest';
import { quote, renderDot } from './dot';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph } from './fixtures/export-graphs';

describe('DOT', () => {
  it.each<[string, string]>([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines', '"two\\nlines"'],
    ['tab\there\u0000', '"tab here "'],
  ])('quote(%j)', (text, expected) => {
    expect(quote(text)).toBe(expected);
  });

  it('draws PROV shapes, folds log lines into their activation, and joins nothing it should not', () => {
    const dot = renderDot({ graphs: [exfiltrationGraph()] });
    expect(dot).toMatch(/^digraph provenance \{\n/);
    expect(dot).toContain('"act:A" [label="purchase A\\n1 log line", shape=box');
    expect(dot).toContain('"sock:tcp:127.0.0.66:80" [label="127.0.0.66:80", shape=ellipse');
    expect(dot).toContain('"ctr:inv0/c1" [label="container c1", shape=house');
    expect(dot).not.toContain('log:A:stdout:0');
    // one DOT edge per (from, to, relation): 16 edges, one to a folded log line
    expect(dot.match(/ -> /g)).toHaveLength(15);
  });

  it('keeps log lines as nodes when asked', () => {
    expect(renderDot({ graphs: [exfiltrationGraph()] }, { logs: true })).toContain('"log:A:stdout:0" [label="purchase <p1> \\"quoted\\" | piped"');
  });

  it('highlights the incident roles and the causal path', () => {
    const dot = renderDot({ graphs: containerReuseGraphs(), incidents: [containerReuseIncident()] });
    expect(dot).toContain('"act:p1" [label="purchase p1\\n[planter]"');
    expect(dot).toContain('"act:v1" [label="purchase v1\\n[victim]"');
    expect(dot).toContain('"file:inv0/c1:/tmp/x.js" [label="/tmp/x.js\\n[artifact]"');
    expect(dot).toContain('"ctr:inv0/c1" [label="container c1\\n[container]"');
    const pathEdges = dot.split('\n').filter((l) => l.includes(' -> ') && l.includes('penwidth=2.5'));
    expect(pathEdges.map((l) => l.trim().split(' [')[0])).toEqual([
      '"file:inv0/c1:/tmp/x.js" -> "act:p1"',
      '"act:v1" -> "file:inv0/c1:/tmp/x.js"',
      '"sock:tcp:127.0.0.66:80" -> "act:v1"',
    ]);
  });
});
