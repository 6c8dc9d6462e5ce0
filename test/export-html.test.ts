// The HTML view in a real browser: Debian's headless chromium opens the page from a file (no
// network), the page's script draws the graph and says how many nodes and edges it drew
// (data-drawn-nodes / data-drawn-edges on <html>, 0 until it has drawn), and a screenshot shows
// the PROV colours of the drawn nodes and the highlight colours of the incident's roles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml } from '../upg/export/html';
import type { ExportInput } from '../upg/export/input';
import { purchaseGraph } from '../upg/fixtures/purchase-graph';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from '../upg/export/fixtures/export-graphs';
import { DEMO_LIKE, demoLikeInput } from '../upg/export/fixtures/demo-like';
import { CHROMIUM, runTool } from './export-tools';
import { countColour, decodePng, distinctColours } from './png';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prov-html-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function chromiumArgs(profile: string): string[] {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`, '--window-size=1400,900',
  ];
}

async function open(name: string, input: ExportInput): Promise<{ dom: string; png: Buffer; html: string }> {
  const html = renderHtml(input);
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const shot = join(dir, `${name}.png`);
  const dump = await runTool(CHROMIUM, [...chromiumArgs(join(dir, `${name}-profile-dom`)), '--dump-dom', `file://${file}`], { timeoutMs: 90_000 });
  expect(dump.code, dump.stderr).toBe(0);
  const screenshot = await runTool(CHROMIUM, [...chromiumArgs(join(dir, `${name}-profile-shot`)), `--screenshot=${shot}`, `file://${file}`], { timeoutMs: 90_000 });
  expect(screenshot.code, screenshot.stderr).toBe(0);
  return { dom: dump.stdout, png: readFileSync(shot), html };
}

const attr = (dom: string, name: string) => dom.match(new RegExp(`<html[^>]*\\s${name}="([^"]*)"`))?.[1];
const embedded = (html: string) => JSON.parse(html.match(/id="graph-data">(.*?)<\/script>/s)![1]);

describe('HTML view in headless chromium', () => {
  it('draws the attack graph with the roles highlighted', async () => {
    const input = { graphs: [exfiltrationGraph(), ...containerReuseGraphs()], incidents: [exfiltrationIncident(), containerReuseIncident()] };
    const { dom, png, html } = await open('report', input);
    const data = embedded(html);
    expect(attr(dom, 'data-render-error')).toBeUndefined();
    expect(attr(dom, 'data-drawn-nodes')).toBe(String(data.nodes.length));
    expect(attr(dom, 'data-drawn-edges')).toBe(String(data.edges.length));
    expect(Number(attr(dom, 'data-drawn-nodes'))).toBeGreaterThan(15);
    expect(dom.match(/<g class="node /g)).toHaveLength(data.nodes.length);
    expect(dom).toContain('class="node prov-activity role-planter"');
    expect(dom).toContain('class="node prov-entity role-sink"');

    const pixels = decodePng(png);
    expect([pixels.width, pixels.height]).toEqual([1400, 900]);
    expect(distinctColours(pixels)).toBeGreaterThan(50);
    const graphArea = { x: 0, y: 50, w: 1050, h: 850 };
    expect(countColour(pixels, '#9FB1FC', graphArea)).toBeGreaterThan(500); // activities
    expect(countColour(pixels, '#FFFC87', graphArea)).toBeGreaterThan(500); // entities
    expect(countColour(pixels, '#d32f2f', graphArea)).toBeGreaterThan(50); // planter outline
  });

  it('draws a demo-sized report as a readable attack graph: few nodes, roles drawn, labels at a readable scale', async () => {
    const input = demoLikeInput();
    const { dom, png, html } = await open('demo-like', input);
    const data = embedded(html);
    expect(attr(dom, 'data-render-error')).toBeUndefined();
    const drawn = Number(attr(dom, 'data-drawn-nodes'));
    expect(drawn).toBe(data.nodes.length);
    expect(drawn).toBeLessThan(100);
    expect(data.scope.total).toBeGreaterThan(500);
    expect(dom).toContain(`showing ${data.scope.drawn} of ${data.scope.total} nodes: attack paths and their context`);
    const drawnNode = (id: string) => new RegExp(`<g class="node [^"]*" data-id="${id.replace(/[.*+?^${}()|[\]\/]/g, '\$&')}"`);
    for (const [id, role] of [
      [DEMO_LIKE.activation(7, 'purchase'), 'planter'],
      [DEMO_LIKE.activation(8, 'purchase'), 'victim'],
      [DEMO_LIKE.planted, 'artifact'],
      [DEMO_LIKE.purchaseContainer, 'container'],
      [DEMO_LIKE.outside, 'sink'],
      [DEMO_LIKE.cache, 'shared'],
    ]) {
      expect(dom).toMatch(drawnNode(id));
      expect(data.nodes.find((n: { id: string }) => n.id === id)?.role).toBe(role);
    }
    // "fit" on load: the whole picture in the 1060×850 drawing area at a scale where 12px labels stay readable
    expect(Number(attr(dom, 'data-fit-scale'))).toBeGreaterThanOrEqual(0.6);
    const aspect = data.layout.width / data.layout.height;
    expect(aspect).toBeGreaterThan(0.8);
    expect(aspect).toBeLessThan(3);
    const pixels = decodePng(png);
    const graphArea = { x: 0, y: 90, w: 1050, h: 800 };
    expect(countColour(pixels, '#d32f2f', graphArea)).toBeGreaterThan(50); // planter outline
    expect(countColour(pixels, '#f57c00', graphArea)).toBeGreaterThan(50); // victim outline
    expect(countColour(pixels, '#8e24aa', graphArea)).toBeGreaterThan(50); // artifact outline
  });

  it('draws a plain request trace (no incidents)', async () => {
    const { dom, png, html } = await open('trace', { graphs: [purchaseGraph()] });
    expect(attr(dom, 'data-render-error')).toBeUndefined();
    expect(attr(dom, 'data-drawn-nodes')).toBe(String(embedded(html).nodes.length));
    expect(dom).not.toMatch(/class="node [^"]*role-/);
    const pixels = decodePng(png);
    expect(countColour(pixels, '#9FB1FC', { x: 0, y: 50, w: 1050, h: 850 })).toBeGreaterThan(500);
  });

  it('opens on one node (#node=) with its details, and on one incident (#incident=) in focus', async () => {
    const html = renderHtml({ graphs: containerReuseGraphs(), incidents: [containerReuseIncident()] });
    const file = join(dir, 'linked.html');
    writeFileSync(file, html);
    const node = await runTool(CHROMIUM, [...chromiumArgs(join(dir, 'linked-node')), '--dump-dom', `file://${file}#node=${encodeURIComponent('act:v1')}`], { timeoutMs: 90_000 });
    const details = node.stdout.slice(node.stdout.indexOf('<div id="details">'), node.stdout.indexOf('<h2>legend</h2>'));
    expect(details).toContain('<h3>purchase v1</h3>');
    expect(details).toContain('<td>requestId</td><td>req-victim</td>');
    expect(details).toContain('depends on (4)');
    expect(details).toContain('affected (1)');
    expect(node.stdout).toMatch(/class="node prov-activity role-victim selected"/);
    const focus = await runTool(CHROMIUM, [...chromiumArgs(join(dir, 'linked-incident')), '--dump-dom', `file://${file}#incident=inc-reuse-1`], { timeoutMs: 90_000 });
    expect(focus.stdout).toMatch(/<svg id="graph"[^>]*class="focus"/);
    expect(focus.stdout.match(/class="node [^"]*in-focus"/g)).toHaveLength(5); // planter, artifact, victim, sink, container
    expect(focus.stdout).toMatch(/class="incident verdict-attack selected"/);
  });

  it('reports a drawing failure on the page instead of a blank picture', async () => {
    const html = renderHtml({ graphs: [purchaseGraph()] }).replace(/(id="graph-data">)\{/, '$1{"broken":');
    const file = join(dir, 'broken.html');
    writeFileSync(file, html);
    const dump = await runTool(CHROMIUM, [...chromiumArgs(join(dir, 'broken-profile')), '--dump-dom', `file://${file}`], { timeoutMs: 90_000 });
    expect(attr(dump.stdout, 'data-render-error')).toBeTruthy();
    expect(attr(dump.stdout, 'data-drawn-nodes')).toBe('0');
  });
});
