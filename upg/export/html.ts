// A self-contained HTML page that draws the graph: everything inline (style, script, data), a
// Content-Security-Policy that forbids any network access, positions from layout.ts. With
// incidents it is the attack report (planter, container, artifact, victims, sinks highlighted, a
// list of incidents to focus on); without, it draws one request's graph.
import { fitText, isoTime, nodeDetails, nodeLabel, nodeLines } from './describe';
import { HTML_CLIENT_SCRIPT } from './html-client';
import { HTML_STYLE } from './html-style';
import { combineGraphs, titleOf, type ExportGraph, type ExportInput } from './input';
import { BENIGN_VERDICT, describeThing, type Role } from './marks';
import { layeredLayout } from './layout';
import { buildPicture, type Picture, type PictureNode, type PictureOptions } from './picture';
import { detectedTime } from './attributes';

const NODE_WIDTH = 184;
const NODE_HEIGHT = 42;
const GAP_X = 58;
const GAP_Y = 20;
/** Longest lines carried into the page; the page cuts them further to what fits the box. */
const TITLE_CHARS = 60;
const CAPTION_CHARS = 60;
/**
 * The drawing area of the page at a common window size (1400×900 less the side panel and
 * header): the layout wraps tall layers so the picture fits it at the largest scale.
 */
const VIEWPORT = { width: 1000, height: 780 };
/** Log lines of one activation, and members of a fold, carried into the page for the details panel. */
const MAX_LOG_LINES = 50;
const MAX_MEMBERS = 50;

/** The data the page's script draws (embedded as JSON). */
export interface HtmlData {
  title: string;
  layout: { width: number; height: number; nodeWidth: number; nodeHeight: number };
  nodes: Array<{
    id: string;
    label: string;
    kind?: string;
    provClass: string;
    role?: Role;
    missing: boolean;
    logs: number;
    /** the two lines drawn in the box */
    lines: [string, string];
    logLines?: string[];
    /** a fold ("+12 more files"): how many nodes, and the first ones' names */
    fold?: number;
    members?: string[];
    x: number;
    y: number;
    details: Array<[string, string]>;
  }>;
  edges: Array<{ id: string; from: string; to: string; kind: string; label: string; onPath: boolean }>;
  incidents: Array<{ id: string; nodes: string[]; edges: string[] }>;
  /** what is drawn and what was left out */
  scope: { mode: string; total: number; drawn: number; hidden: number; note: string };
}

export function renderHtml(input: ExportInput, options: PictureOptions = {}): string {
  const graph = combineGraphs(input.graphs);
  const picture = buildPicture(graph, input.incidents, options);
  const title = titleOf(input, graph);
  const data = htmlData(title, graph, picture);
  const incidentCount = picture.marks.incidents.length;
  const summary = [`${graph.requests.length} request${graph.requests.length === 1 ? '' : 's'}`];
  if (incidentCount) summary.push(`${incidentCount} incident${incidentCount === 1 ? '' : 's'}`);
  summary.push(`${data.edges.length} relations drawn`);
  return `<!doctype html>
<html lang="en" data-drawn-nodes="0" data-drawn-edges="0">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="serverless-provenance">
<title>${escapeHtml(title)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><span class="scope">${escapeHtml(picture.scope.note)}</span><span class="summary">${escapeHtml(summary.join(' · '))}</span></header>
<div id="stage">
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`provenance graph: ${title}`)}">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#98a2b3"/></marker>
<marker id="arrow-path" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#e53935"/></marker>
</defs>
<g id="viewport"></g>
</svg>
<div id="controls"><button id="zoom-in" title="zoom in">+</button><button id="zoom-out" title="zoom out">−</button><button id="zoom-fit" class="wide" title="fit the graph">fit</button></div>
<div id="error"></div>
</div>
<aside>
${incidentsHtml(picture, graph)}<h2>details</h2>
<div id="details"><p class="hint">Click a node to see its details. Drag to pan, wheel to zoom.</p></div>
<h2>legend</h2>
${legendHtml(picture)}
</aside>
<script type="application/json" id="graph-data">${jsonForScript(data)}</script>
<script>${HTML_CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

export function htmlData(title: string, graph: ExportGraph, picture: Picture): HtmlData {
  const layout = layeredLayout(
    picture.nodes.map((n) => ({ id: n.id, time: n.time })),
    picture.edges.filter((e) => e.ranks).map((e) => ({ cause: e.to, effect: e.from })),
    { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT, gapX: GAP_X, gapY: GAP_Y, viewport: VIEWPORT },
  );
  const at = new Map(layout.nodes.map((p) => [p.id, p]));
  const logs = logLinesByActivation(graph);
  const nodes = picture.nodes.map((n) => {
    const p = at.get(n.id)!;
    const out: HtmlData['nodes'][number] = {
      id: n.id,
      label: n.label,
      kind: n.view.kind,
      provClass: n.view.provClass,
      missing: n.view.missing,
      logs: n.logs,
      lines: drawnLines(n, graph),
      x: p.x,
      y: p.y,
      details: n.folded ? foldDetails(n, graph) : nodeDetails(n.view),
    };
    if (n.role) out.role = n.role;
    const lines = logs.get(n.id);
    if (lines?.length) out.logLines = lines.slice(0, MAX_LOG_LINES);
    if (n.folded) {
      out.fold = n.folded.length;
      out.members = n.folded.slice(0, MAX_MEMBERS).map((id) => {
        const v = graph.byId.get(id);
        return v ? nodeLabel(v, 80) : id;
      });
    }
    return out;
  });
  const edges = picture.edges.map((e) => ({ id: e.id, from: e.from, to: e.to, kind: e.kind, label: e.label, onPath: e.onPath }));
  const drawn = new Set(picture.nodes.map((n) => n.id));
  const incidents = picture.marks.incidents.map((m) => {
    const named = m.incident.verdict === BENIGN_VERDICT ? m.nodes.artifact : [...Object.values(m.nodes).flat(), ...(m.incident.timeline ?? []).map((t) => t.node)];
    const ids = new Set(named.filter((id) => drawn.has(id)));
    const members = picture.edges.filter((e) => e.onPath && ids.has(e.from) && ids.has(e.to)).map((e) => e.id);
    return { id: m.incident.id, nodes: [...ids].sort(), edges: members };
  });
  const { mode, total, drawn: drawnCount, hidden, note } = picture.scope;
  return {
    title,
    layout: { width: layout.width, height: layout.height, nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT },
    nodes,
    edges,
    incidents,
    scope: { mode, total, drawn: drawnCount, hidden, note },
  };
}

/** The box's two lines: the node's own name, then what it is, its role, its folded log lines. */
function drawnLines(n: PictureNode, graph: ExportGraph): [string, string] {
  if (n.folded) {
    const first = graph.byId.get(n.folded[0]);
    return [n.label, fitText(`e.g. ${first ? nodeLines(first)[0] : n.folded[0]}`, CAPTION_CHARS)];
  }
  const [name, what] = nodeLines(n.view);
  // The role first: when the line is cut, what is cut is the least telling part.
  const caption = n.shared ? [`shared state, ${n.shared.handoffs} handoff${n.shared.handoffs === 1 ? '' : 's'}`] : [what];
  if (n.role && n.role !== 'path' && n.role !== 'shared') caption.unshift(n.role);
  if (n.logs) caption.push(`${n.logs} log${n.logs === 1 ? '' : 's'}`);
  return [fitText(name, TITLE_CHARS), fitText(caption.join(' · '), CAPTION_CHARS)];
}

function foldDetails(n: PictureNode, graph: ExportGraph): Array<[string, string]> {
  const kinds = new Set(n.folded!.map((id) => graph.byId.get(id)?.kind ?? '?'));
  return [
    ['folded', `${n.folded!.length} nodes not drawn one by one (similar neighbours of one drawn node)`],
    ['kind', [...kinds].join(', ')],
    ['see all', 'render with { full: true } or more context'],
  ];
}

/** Log lines per activation node, in time order, "time  stream  text". */
function logLinesByActivation(graph: ExportGraph): Map<string, string[]> {
  const out = new Map<string, Array<{ time: number; seq: number; text: string }>>();
  for (const e of graph.edges) {
    const log = graph.byId.get(e.from)?.node;
    if (e.kind !== 'wasGeneratedBy' || log?.kind !== 'log') continue;
    const list = out.get(e.to) ?? [];
    const time = log.time ?? e.time;
    list.push({ time: time ?? 0, seq: log.seq, text: `${isoTime(time)?.slice(11, 23) ?? ''} ${log.stream === 'stderr' ? 'stderr ' : ''}${log.text}` });
    out.set(e.to, list);
  }
  return new Map([...out].map(([k, list]) => [k, list.sort((a, b) => a.time - b.time || a.seq - b.seq).map((l) => l.text)]));
}

function incidentsHtml(picture: Picture, graph: ExportGraph): string {
  if (!picture.marks.incidents.length) return '';
  const items = picture.marks.incidents.map((m, index) => {
    const i = m.incident;
    const lines: string[] = [];
    const nameOf = (id: string) => {
      const v = graph.byId.get(id);
      return v ? nodeLabel(v) : id;
    };
    if (i.planter) lines.push(`planter: request ${i.planter.request}, activation ${i.planter.activation}${i.planter.action ? ` (${i.planter.action})` : ''}`);
    if (i.container !== undefined) lines.push(`container: ${m.nodes.container.map(nameOf).join(', ') || i.container}`);
    if (i.artifact) lines.push(`artifact: ${describeThing(i.artifact)}`);
    for (const v of i.victims ?? []) lines.push(`victim: request ${v.request}, activation ${v.activation}${v.action ? ` (${v.action})` : ''}`);
    if (i.sink) lines.push(`sink: ${describeThing(i.sink)}`);
    if (m.nodes.path.length) lines.push(`path: ${m.nodes.path.map(nameOf).join(' → ')}`);
    const detected = detectedTime(i.detectedAt);
    if (detected) lines.push(`detected: ${detected}`);
    for (const e of i.evidence ?? []) lines.push(`evidence: ${e}`);
    if (m.unresolved.length) lines.push(`not in the graph: ${m.unresolved.join('; ')}`);
    return `<div class="incident verdict-${escapeHtml(i.verdict)}" data-index="${index}" data-incident="${escapeHtml(i.id)}"><span class="verdict">${escapeHtml(i.verdict)}</span> · ${escapeHtml(i.kind)}${i.reason ? ` — ${escapeHtml(i.reason)}` : ''}<ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul></div>`;
  });
  const benign = picture.marks.incidents.map((m, k) => (m.incident.verdict === BENIGN_VERDICT ? k : -1)).filter((k) => k >= 0);
  const first = items.filter((_, k) => !benign.includes(k));
  const folded = benign.length
    ? `<details class="benign"><summary>${benign.length} benign shared state (a cache both sides use normally): drawn grey</summary>\n${benign.map((k) => items[k]).join('\n')}\n</details>`
    : '';
  return `<h2>incidents (${items.length}) — click one to focus</h2>\n${[...first, folded].filter(Boolean).join('\n')}\n`;
}

function legendHtml(picture: Picture): string {
  const rows: Array<[string, string]> = [
    ['background: var(--activity)', 'activity (request, activation, process)'],
    ['background: var(--entity); border-radius: 50%', 'entity (file, socket, item, message)'],
    ['background: var(--agent)', 'agent (action, container, client)'],
  ];
  const roles: Array<[Role, string]> = [
    ['planter', 'planter: the activation that left the state'],
    ['victim', 'victim: an affected activation'],
    ['artifact', 'artifact: what was planted or taken'],
    ['sink', 'sink: where data left'],
    ['container', 'container reused'],
    ['path', 'on the causal path'],
    ['shared', 'benign shared state (a cache)'],
  ];
  const used = new Set(picture.nodes.map((n) => n.role).filter(Boolean));
  for (const [role, text] of roles) if (used.has(role)) rows.push([`border-color: var(--${role})`, text]);
  if (picture.nodes.some((n) => n.folded)) rows.push(['border-style: dashed', '"+N more": similar nodes folded into one (click for the list)']);
  const items = rows.map(([style, text]) => `<span class="swatch${style.startsWith('border') ? ' ring' : ''}" style="${style}"></span><span>${escapeHtml(text)}</span>`);
  items.push('<span></span><span class="hint">arrows point from what depends to what it depends on (W3C PROV)</span>');
  return `<div class="legend">${items.join('')}</div>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON inside <script>: "<" escaped so no "</script>" or "<!--" in the data can end the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
