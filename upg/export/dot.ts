// Graphviz DOT. Shapes and colours follow the W3C PROV convention (entities yellow ellipses,
// activities blue boxes, agents orange houses); arrows point, as PROV relations do, from the
// dependent thing to what it depends on, laid out right to left so causes stand on the left.
// Incident roles are drawn on top: planter, victims, artifact, sink, container, causal path;
// benign shared state grey; folds of similar neighbours ("+12 more files") dashed. What is drawn
// (picture.ts / scope.ts) and what was left out is said in the picture's label.
import { combineGraphs, titleOf, type ExportInput } from './input';
import type { Role } from './marks';
import { buildPicture, type PictureNode, type PictureOptions } from './picture';

const SHAPE = { entity: 'ellipse', activity: 'box', agent: 'house' } as const;
const FILL = { entity: '#FFFC87', activity: '#9FB1FC', agent: '#FED37F' } as const;

/** Highlight colours per role, shared in spirit with the HTML view's legend. */
export const ROLE_COLOR: Record<Role, string> = {
  planter: '#d32f2f',
  victim: '#f57c00',
  artifact: '#8e24aa',
  sink: '#c2185b',
  container: '#5d4037',
  path: '#e53935',
  shared: '#98a2b3',
};

export function renderDot(input: ExportInput, options: PictureOptions = {}): string {
  const graph = combineGraphs(input.graphs);
  const picture = buildPicture(graph, input.incidents, options);
  const lines: string[] = [
    'digraph provenance {',
    `  label=${quote(`${titleOf(input, graph)}\n${picture.scope.note}`)};`,
    '  labelloc=t;',
    '  rankdir=RL;',
    '  fontname="Helvetica";',
    '  node [fontname="Helvetica", fontsize=10, style=filled];',
    '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
  ];
  for (const n of picture.nodes) lines.push(`  ${quote(n.id)} [${nodeAttrs(n).join(', ')}];`);
  for (const e of picture.edges) {
    const attrs = [`label=${quote(e.label)}`];
    if (!e.ranks) attrs.push('constraint=false');
    if (e.onPath) attrs.push(`color=${quote(ROLE_COLOR.path)}`, 'penwidth=2.5', `fontcolor=${quote(ROLE_COLOR.path)}`);
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeAttrs(n: PictureNode): string[] {
  const cls = n.view.provClass;
  const label = [n.label];
  if (n.role) label.push(`[${n.role}]`);
  if (n.logs) label.push(`${n.logs} log line${n.logs === 1 ? '' : 's'}`);
  if (n.shared) label.push(sharedText(n.shared));
  if (n.view.missing) label.push('(no record received)');
  const attrs = [`label=${quote(label.join('\n'))}`, `shape=${SHAPE[cls]}`, `fillcolor=${quote(FILL[cls])}`, `tooltip=${quote(n.folded ? `${n.folded.length} nodes folded` : n.id)}`];
  if (n.view.missing || n.folded) attrs.push('style="filled,dashed"');
  if (n.role) attrs.push(`color=${quote(ROLE_COLOR[n.role])}`, `penwidth=${n.role === 'path' ? 2 : 3.5}`, `fontcolor=${quote(ROLE_COLOR[n.role])}`);
  return attrs;
}

/** "shared state: 9 handoffs across 9 requests" */
export function sharedText(s: NonNullable<PictureNode['shared']>): string {
  return `shared state: ${s.handoffs} handoff${s.handoffs === 1 ? '' : 's'} across ${s.requests} request${s.requests === 1 ? '' : 's'}`;
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as DOT's centred line break. */
export function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, ' ');
  return `"${clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
