// DOT exports rendered by graphviz for real (`dot -Tsvg`): every drawn node and edge comes out.
import { describe, expect, it } from 'vitest';
import { renderDot } from '../upg/export/dot';
import type { ExportInput } from '../upg/export/input';
import { purchaseGraph } from '../upg/fixtures/purchase-graph';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from '../upg/export/fixtures/export-graphs';
import { runTool } from './export-tools';

describe('DOT in graphviz', () => {
  it.each<[string, () => ExportInput]>([
    ['a purchase request', () => ({ graphs: [purchaseGraph()] })],
    ['an attack report over three requests', () => ({ graphs: [exfiltrationGraph(), ...containerReuseGraphs()], incidents: [exfiltrationIncident(), containerReuseIncident()] })],
  ])('renders %s to SVG', async (_name, make) => {
    const dot = renderDot(make());
    const run = await runTool('dot', ['-Tsvg'], { input: dot });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('<svg');
    expect(run.stdout.match(/class="node"/g)).toHaveLength(dot.match(/^ {2}"(?:[^"\\]|\\.)*" \[label=/gm)!.length);
    expect(run.stdout.match(/class="edge"/g)).toHaveLength(dot.match(/ -> /g)!.length);
  });
});
