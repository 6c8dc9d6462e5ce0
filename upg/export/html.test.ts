import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderHtml } from './html';
import { HTML_CLIENT_SCRIPT } from './html-client';
import type { RequestGraph } from '../types';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph } from './fixtures/export-graphs';

const dataOf = (html: string) => JSON.parse(html.match(/<script type="application\/json" id="graph-data">(.*?)<\/script>/s)![1]);

describe('HTML view', () => {
  it('is one file that needs no network: no external references, a CSP that forbids fetching', () => {
    const html = renderHtml({ graphs: containerReuseGraphs(), incidents: [containerReuseIncident()] });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toMatch(/@import|url\(http/);
  });

  it('embeds positioned nodes, edges and incidents for the script to draw', () => {
    const data = dataOf(renderHtml({ graphs: containerReuseGraphs(), incidents: [containerReuseIncident()] }));
    const byId = Object.fromEntries(data.nodes.map((n: { id: string }) => [n.id, n]));
    expect(byId['act:p1']).toMatchObject({ role: 'planter', provClass: 'activity' });
    expect(byId['act:v1']).toMatchObject({ role: 'victim' });
    expect(byId['file:inv0/c1:/tmp/x.js']).toMatchObject({ role: 'artifact' });
    expect(byId['sock:tcp:127.0.0.66:80']).toMatchObject({ role: 'sink' });
    // causes to the left of their effects along the attack
    expect(byId['act:p1'].x).toBeLessThan(byId['file:inv0/c1:/tmp/x.js'].x);
    expect(byId['file:inv0/c1:/tmp/x.js'].x).toBeLessThan(byId['act:v1'].x);
    expect(byId['act:v1'].x).toBeLessThan(byId['sock:tcp:127.0.0.66:80'].x);
    expect(data.incidents).toEqual([{ id: 'inc-reuse-1', nodes: expect.arrayContaining(['act:p1', 'act:v1']), edges: expect.any(Array) }]);
    expect(data.incidents[0].edges).toHaveLength(3);
  });

  it('keeps hostile text inert: no closing script tag from data, escaped title', () => {
    const g = exfiltrationGraph();
    const hostile: RequestGraph = {
      ...g,
      request: '<img onerror=x>',
      nodes: g.nodes.map((n) => (n.kind === 'log' ? { ...n, text: '</script><script>alert(1)</script>' } : n)),
    };
    const html = renderHtml({ graphs: [hostile] });
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data element's and the script's own
    expect(html).toContain('<title>request &lt;img onerror=x&gt;</title>');
    const data = dataOf(html);
    expect(data.nodes.find((n: { id: string }) => n.id === 'act:A').logLines[0]).toContain('</script><script>alert(1)</script>');
  });

  it.each<[string, string]>([
    ['<a href="x">&\'', '&lt;a href=&quot;x&quot;&gt;&amp;&#39;'],
  ])('escapeHtml(%j)', (text, expected) => {
    expect(escapeHtml(text)).toBe(expected);
  });

  it('jsonForScript round-trips through JSON.parse', () => {
    const value = { s: '</script><!-- \u2028 \u2029' };
    const text = jsonForScript(value);
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('ships a script that parses', () => {
    expect(() => new Function(HTML_CLIENT_SCRIPT)).not.toThrow();
    expect(HTML_CLIENT_SCRIPT).not.toContain('innerHTML');
  });
});
