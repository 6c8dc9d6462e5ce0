// DOT exports rendered by graphviz for real (`dot -Tsvg`): every drawn node and edge comes out.
import { describe, expect, it } from 'vitest';
import { renderDot } from '../upg/export/dot';
import type { ExportInput } from '../upg/export/input';
import { purchaseGraph } from '../upg/fixtures/purchase-graph';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from '../upg/export/fixtures/export-graphs';
import { demoLikeInput } from '../upg/export/fixtures/demo-like';
import { runTool } from './export-tools';

describe('DOT in graphviz', () => {
  it.each<[string, () => ExportInput]>([
    ['a purchase request', () => ({ graphs: [purchaseGraph()] })],
    ['an attack report over three requests', () => ({ graphs: [exfiltrationGraph(), ...containerReuseGraphs()], incidents: [exfiltrationIncident(), containerReuseIncident()] })],
    ['a demo-sized report (attack view, folds, benign shared state)', demoLikeInput],
    ['a demo-sized report drawn in full', () => ({ ...demoLikeInput(), picture: { full: true } })],
  ])('renders %s to SVG', async (_name, make) => {
    const dot = renderDot(make());
    const run = await runTool('dot', ['-Tsvg'], { input: dot });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('<svg');
    expect(run.stdout.match(/class="node"/g)).toHaveLength(dot.match(/^ {2}"(?:[^"\\]|\\.)*" \[label=/gm)!.length);
    expect(run.stdout.match(/class="edge"/g)).toHaveLength(dot.match(/ -> /g)!.length);
  });

  it('draws the attack view of a demo-sized report small, and says what it left out', () => {
    const dot = renderDot(demoLikeInput());
    const nodes = dot.match(/^ {2}"(?:[^"\\]|\\.)*" \[label=/gm)!.length;
    expect(nodes).toBeLessThan(100);
    expect(dot).toMatch(/label="provenance report\\nshowing \d+ of \d+ nodes: attack paths and their context/);
    expect(dot).toContain('[planter]');
    expect(dot).toContain('[shared]');
    expect(dot).toMatch(/"more:[^"]*" \[label="\+\d+ more activations/);
  });
});
