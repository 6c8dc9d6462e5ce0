// Markdown for a ticket: a summary table, then per incident its facts, the causal path step by
// step (with the relation joining each step) and a timeline; for a plain request trace, the
// activations, the invocation tree and the timeline of what happened.
import { activationTree, byTimeThenId, indexGraph, type ActivationTreeNode } from '../graph';
import type { ActivationNode, RequestGraph, UpgEdge } from '../types';
import { edgeLabel, isoTime, nodeLabel } from './describe';
import { shortAction } from '../labels';
import { combineGraphs, titleOf, type ExportGraph, type ExportInput, type IncidentEvent } from './input';
import { describeThing, markIncidents, stepEdges, type IncidentMarks } from './marks';
import { detectedTime } from './attributes';

export interface MarkdownOptions {
  /** timeline rows before "… and N more" (default 60) */
  maxTimeline?: number;
}

export function renderMarkdown(input: ExportInput, options: MarkdownOptions = {}): string {
  const graph = combineGraphs(input.graphs);
  const marks = markIncidents(graph, input.incidents);
  const maxTimeline = options.maxTimeline ?? 60;
  const out: string[] = [`# ${inline(titleOf(input, graph))}`, ''];
  out.push(...summaryTable(graph, marks.incidents), '');
  if (marks.incidents.length) {
    marks.incidents.forEach((m, i) => out.push(...incidentSection(m, i + 1, graph, maxTimeline), ''));
  } else {
    for (const g of input.graphs) out.push(...requestSection(g, graph, input.graphs.length > 1), '');
    out.push('## Timeline', '', ...timeline(graph, graph.edges, maxTimeline), '');
  }
  if (graph.warnings.length) {
    out.push('## Warnings', '');
    for (const w of graph.warnings) out.push(`- **${inline(w.code)}**${w.activationId ? ` (activation \`${code(w.activationId)}\`)` : ''}: ${inline(w.message)}${w.count && w.count > 1 ? ` (×${w.count})` : ''}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function summaryTable(graph: ExportGraph, incidents: IncidentMarks[]): string[] {
  const activations = graph.nodes.flatMap((v) => (v.node?.kind === 'activation' ? [v.node] : []));
  const starts = activations.map((a) => a.start).filter((t): t is number => t !== undefined);
  const ends = activations.map((a) => a.end).filter((t): t is number => t !== undefined);
  const rows: Array<[string, string]> = [
    [graph.requests.length === 1 ? 'request' : 'requests', graph.requests.map((r) => `\`${code(r)}\``).join(', ')],
  ];
  if (starts.length) rows.push(['time', `${isoTime(Math.min(...starts))} – ${isoTime(Math.max(...(ends.length ? ends : starts)))}`]);
  rows.push(['activations', String(activations.length)]);
  rows.push(['actions', [...new Set(activations.map((a) => shortAction(a.action)))].sort().map(inline).join(', ') || '—']);
  rows.push(['containers', String(graph.nodes.filter((v) => v.kind === 'container').length)]);
  rows.push(['nodes / relations', `${graph.nodes.length} / ${graph.edges.length}`]);
  if (incidents.length) {
    const byVerdict = new Map<string, number>();
    for (const m of incidents) byVerdict.set(m.incident.verdict, (byVerdict.get(m.incident.verdict) ?? 0) + 1);
    rows.push(['incidents', [...byVerdict].map(([v, n]) => `${n} ${inline(v)}`).join(', ')]);
  }
  return table(['', ''], rows);
}

function incidentSection(m: IncidentMarks, n: number, graph: ExportGraph, maxTimeline: number): string[] {
  const i = m.incident;
  const out = [`## ${n}. ${inline(i.verdict)}: ${inline(i.kind)}${i.reason ? ` — ${inline(i.reason)}` : ''}`, ''];
  const party = (p: { request: string; activation: string; action?: string }) =>
    `request \`${code(p.request)}\`, activation \`${code(p.activation)}\`${p.action ? ` (${inline(shortAction(p.action))})` : ''}`;
  const rows: Array<[string, string]> = [['incident', `\`${code(i.id)}\``]];
  if (i.container !== undefined) rows.push(['container', `\`${code(i.container)}\``]);
  if (i.planter) rows.push(['planter', party(i.planter)]);
  if (i.artifact) rows.push(['artifact', inline(describeThing(i.artifact))]);
  (i.victims ?? []).forEach((v, k) => rows.push([k === 0 ? 'victims' : '', party(v)]));
  if (i.sink) rows.push(['sink', inline(describeThing(i.sink))]);
  const detected = detectedTime(i.detectedAt);
  if (detected) rows.push(['detected', detected]);
  out.push(...table(['', ''], rows), '');
  if (m.unresolved.length) out.push(`> Not in the exported graph: ${inline(m.unresolved.join('; '))}`, '');
  if (i.evidence?.length) out.push('### Evidence', '', ...i.evidence.map((e) => `- ${inline(e)}`), '');
  if (i.path?.length) {
    out.push('### Causal path', '');
    i.path.forEach((id, k) => {
      const v = graph.byId.get(id);
      const via = k > 0 ? stepEdges(graph, i.path![k - 1], id) : [];
      const how = via.length ? ` — ${via.map((e) => `${inline(edgeLabel(e))}${e.time !== undefined ? ` at ${isoTime(e.time)}` : ''}`).join('; ')}` : '';
      out.push(`${k + 1}. ${v ? inline(nodeLabel(v, 80)) : '(not in graph)'} \`${code(id)}\`${how}`);
    });
    out.push('');
  }
  if (i.timeline?.length) {
    out.push('### Timeline', '', ...incidentTimeline(i.timeline, graph, maxTimeline));
    return out;
  }
  // Without the analysis' own timeline: what its planter, victims and path activations did (not what
  // other requests did to the same container or socket), log lines left out.
  const actors = new Set([...m.nodes.planter, ...m.nodes.victim, ...m.nodes.path.filter((id) => graph.byId.get(id)?.kind === 'activation')]);
  const edges = graph.edges.filter((e) => {
    const actor = activityOf(graph, e);
    return e.time !== undefined && actor !== undefined && actors.has(actor.id) && graph.byId.get(e.from)?.kind !== 'log';
  });
  out.push('### Timeline', '', ...timeline(graph, edges, maxTimeline));
  return out;
}

function requestSection(g: RequestGraph, graph: ExportGraph, several: boolean): string[] {
  const index = indexGraph(g);
  const roots = activationTree(index);
  const out = [several ? `## Request \`${code(g.request)}\`` : '## Activations', ''];
  const activations = g.nodes.filter((n): n is ActivationNode => n.kind === 'activation').sort((a, b) => (a.start ?? 0) - (b.start ?? 0) || (a.id < b.id ? -1 : 1));
  const rows = activations.map((a): string[] => {
    const container = graph.byId.get(a.container)?.node;
    return [
      `\`${code(a.activationId)}\``,
      inline(shortAction(a.action)),
      container?.kind === 'container' ? `\`${code(container.containerId)}\`` : `\`${code(a.container)}\``,
      isoTime(a.start) ?? '—',
      a.start !== undefined && a.end !== undefined ? `${a.end - a.start} ms` : '—',
      a.cold === undefined ? '—' : a.cold ? 'cold' : 'warm',
      a.ok === undefined ? '—' : a.ok ? 'ok' : `error${a.error ? `: ${inline(a.error)}` : ''}`,
    ];
  });
  out.push(...table(['activation', 'action', 'container', 'start', 'duration', 'start kind', 'result'], rows), '');
  if (roots.length) {
    out.push(several ? '### Invocations' : '## Invocations', '');
    const visit = (t: ActivationTreeNode, depth: number) => {
      const name = t.node ? shortAction(t.node.action) : `${t.invokedAs ?? '?'} (no records received)`;
      out.push(`${'  '.repeat(depth)}- ${inline(name)} \`${code(t.activationId)}\``);
      t.children.forEach((c) => visit(c, depth + 1));
    };
    roots.forEach((r) => visit(r, 0));
  }
  return out;
}

function timeline(graph: ExportGraph, edges: UpgEdge[], max: number): string[] {
  const rows = [...edges]
    .filter((e) => e.time !== undefined)
    .sort(byTimeThenId)
    .map((e): string[] => {
      const activity = activityOf(graph, e);
      return [
        isoTime(e.time) ?? '—',
        activity?.kind === 'activation' ? `\`${code(activity.requestId)}\`` : '—',
        activity?.kind === 'activation' ? `${inline(shortAction(activity.action))} \`${code(activity.activationId)}\`` : '—',
        inline(edgeLabel(e)),
        `${inline(label(graph, e.from))} → ${inline(label(graph, e.to))}`,
      ];
    });
  if (!rows.length) return ['(no timed events)'];
  const shown = rows.slice(0, max);
  const out = table(['time', 'request', 'activation', 'relation', 'from → to'], shown);
  if (rows.length > max) out.push('', `… and ${rows.length - max} more events`);
  return out;
}

/** The analysis' own timeline of an incident: who did what to which node, and in which role. */
function incidentTimeline(events: IncidentEvent[], graph: ExportGraph, max: number): string[] {
  const rows = [...events]
    .sort((a, b) => (a.time ?? Number.POSITIVE_INFINITY) - (b.time ?? Number.POSITIVE_INFINITY))
    .map((ev): string[] => [
      isoTime(ev.time) ?? '—',
      `\`${code(ev.request)}\``,
      `${ev.action ? `${inline(shortAction(ev.action))} ` : ''}\`${code(ev.activation)}\``,
      inline(ev.role),
      ev.op ? inline(ev.op) : '—',
      inline(label(graph, ev.node)),
    ]);
  const out = table(['time', 'request', 'activation', 'role', 'operation', 'on'], rows.slice(0, max));
  if (rows.length > max) out.push('', `… and ${rows.length - max} more events`);
  return out;
}

/** The activation an edge records the behaviour of: named by the edge, or one of its ends. */
function activityOf(graph: ExportGraph, e: UpgEdge): ActivationNode | undefined {
  const candidates = [e.activationId !== undefined ? `act:${e.activationId}` : undefined, e.from, e.to];
  for (const id of candidates) {
    const n = id !== undefined ? graph.byId.get(id)?.node : undefined;
    if (n?.kind === 'activation') return n;
  }
  return undefined;
}

function label(graph: ExportGraph, id: string): string {
  const v = graph.byId.get(id);
  return v ? nodeLabel(v, 60) : id;
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/**
 * Text from the graph in Markdown: characters with Markdown or HTML meaning escaped, line breaks
 * flattened, so a hostile log line or path cannot break the table or inject markup into a ticket.
 */
export function inline(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/([\\`*_[\]<>|~])/g, '\\$1');
}

/** Text inside a code span: backticks cannot be escaped there, so they are replaced; pipes are escaped for tables. */
export function code(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/`/g, 'ʼ').replace(/\|/g, '\\|');
}
