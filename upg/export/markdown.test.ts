import { describe, expect, it } from 'vitest';
import { code, inline, renderMarkdown } from './markdown';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from './fixtures/export-graphs';

/** Cells of a Markdown table row, splitting on unescaped pipes only. */
const cells = (row: string) => row.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());

describe('Markdown', () => {
  it('for a trace: summary, activations, invocation tree and a timeline', () => {
    const md = renderMarkdown({ graphs: [exfiltrationGraph()] });
    expect(md.startsWith('# request req\\-exfil\n') || md.startsWith('# request req-exfil\n')).toBe(true);
    expect(md).toContain('| activations | 2 |');
    expect(md).toContain('- purchase `A`\n  - publish `B`');
    expect(md).toContain('| `B` | publish | `c2` | 2026-11-03T12:00:00.100Z | 100 ms | cold | ok |');
    const timeline = md.slice(md.indexOf('## Timeline'));
    expect(timeline.split('\n').filter((l) => l.startsWith('| 2026'))).toHaveLength(16);
  });

  it('keeps hostile text from breaking tables or adding markup', () => {
    const md = renderMarkdown({ graphs: [exfiltrationGraph()] });
    const row = md.split('\n').find((l) => l.includes('wasGeneratedBy write'))!;
    expect(cells(row)).toHaveLength(5);
    expect(row).toContain('purchase \\<p1\\> "quoted" \\| piped');
  });

  it.each<[string, string]>([
    ['a|b', 'a\\|b'],
    ['*bold* _em_ [link](x) <b>', '\\*bold\\* \\_em\\_ \\[link\\](x) \\<b\\>'],
    ['two\nlines', 'two lines'],
  ])('inline(%j)', (text, expected) => {
    expect(inline(text)).toBe(expected);
  });

  it('code() cannot end its code span or the table cell', () => {
    expect(code('a`b|c')).toBe('aʼb\\|c');
  });

  it('for incidents: facts, the causal path in order with the relation of each step, and the timeline of its actors', () => {
    const md = renderMarkdown({ graphs: [exfiltrationGraph(), ...containerReuseGraphs()], incidents: [exfiltrationIncident(), containerReuseIncident()] });
    expect(md).toContain('| incidents | 2 attack |');
    expect(md).toContain('## 2. attack: container-reuse — code written to /tmp by one request and loaded by another');
    const reuse = md.slice(md.indexOf('## 2.'));
    expect(reuse).toContain('| planter | request `req-plant`, activation `p1` (purchase) |');
    expect(reuse).toContain('| victims | request `req-victim`, activation `v1` (purchase) |');
    const path = reuse.slice(reuse.indexOf('### Causal path'), reuse.indexOf('### Timeline')).trim().split('\n').slice(2);
    expect(path).toEqual([
      '1. purchase p1 `act:p1`',
      '2. /tmp/x.js `file:inv0/c1:/tmp/x.js` — wasGeneratedBy write 64 B at 2026-11-03T12:00:00.020Z',
      '3. purchase v1 `act:v1` — used load at 2026-11-03T12:01:00.005Z',
      '4. 127.0.0.66:80 `sock:tcp:127.0.0.66:80` — wasGeneratedBy connect at 2026-11-03T12:01:00.020Z',
    ]);
    // Only what p1 and v1 did: not the other request's use of the same container and socket.
    const timeline = reuse.slice(reuse.indexOf('### Timeline'));
    expect(timeline).not.toContain('req-exfil');
    expect(timeline.split('\n').filter((l) => l.startsWith('| 2026'))).toHaveLength(8);
  });

  it('says what an incident names that the graph lacks', () => {
    const md = renderMarkdown({ graphs: containerReuseGraphs(), incidents: [{ ...containerReuseIncident(), victims: [{ request: 'r9', activation: 'gone' }] }] });
    expect(md).toContain('> Not in the exported graph: victim activation gone');
  });
});
