// The readable tree `provenance trace` prints: the request, its activations nested by invocation,
// under each what it touched (grouped and aggregated), then warnings. Pure: graph in, text out.
import { activationTree, indexGraph, type ActivationTreeNode, type GraphIndex } from '../graph';
import { shortAction, sizeText } from '../labels';
import type { ActivationNode, GraphWarning, ProcessNode, RequestGraph, RequestNode, UpgEdge, UpgNode } from '../types';

export interface RenderTreeOptions {
  /** ANSI colours (the caller passes process.stdout.isTTY); off by default */
  color?: boolean;
  /** log lines quoted under each activation (default 3) */
  logLines?: number;
  /** entries listed per group before "… and N more" (default 8) */
  maxEntries?: number;
  /** characters of a quoted log line (default 100) */
  logWidth?: number;
}

interface Style {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const ansi = (code: number) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;
const COLOR: Style = { dim: ansi(2), bold: ansi(1), red: ansi(31), green: ansi(32), yellow: ansi(33) };
const PLAIN: Style = { dim: (s) => s, bold: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };

/** One line of the tree: its text and its children. */
interface Line {
  text: string;
  children: Line[];
}

export function renderTree(graph: RequestGraph, options: RenderTreeOptions = {}): string {
  const style = options.color ? COLOR : PLAIN;
  const opts = { logLines: options.logLines ?? 3, maxEntries: options.maxEntries ?? 8, logWidth: options.logWidth ?? 100 };
  const index = indexGraph(graph);
  const roots = activationTree(index);
  const warnings = [...(graph.warnings ?? []), ...incompleteness(roots)];

  const out: string[] = [headline(graph, style)];
  const tops = roots.map((r) => activationLine(r, index, style, opts));
  out.push(...drawChildren(tops, ''));
  if (roots.length === 0) out.push(style.dim('  (no activations recorded for this request)'));
  if (warnings.length) {
    out.push('', style.yellow(`warnings (${warnings.length})`));
    for (const w of sortWarnings(warnings)) out.push(`  ${style.yellow('!')} ${warningText(w)}`);
  }
  return out.join('\n') + '\n';
}

function headline(graph: RequestGraph, style: Style): string {
  const req = graph.nodes.find((n): n is RequestNode => n.kind === 'request');
  const activations = graph.nodes.filter((n): n is ActivationNode => n.kind === 'activation');
  const starts = activations.map((a) => a.start).filter(isNumber);
  const ends = activations.map((a) => a.end).filter(isNumber);
  const start = req?.start ?? (starts.length ? Math.min(...starts) : undefined);
  const end = req?.end ?? (ends.length ? Math.max(...ends) : undefined);
  const parts = [style.bold(`request ${graph.request}`)];
  if (start !== undefined) parts.push(new Date(start).toISOString());
  if (start !== undefined && end !== undefined) parts.push(duration(end - start));
  const actions = new Set(activations.map((a) => a.action));
  parts.push(`${activations.length} activation${activations.length === 1 ? '' : 's'} of ${actions.size} action${actions.size === 1 ? '' : 's'}`);
  return parts.join('  ');
}

function activationLine(t: ActivationTreeNode, index: GraphIndex, style: Style, opts: Required<Omit<RenderTreeOptions, 'color'>>): Line {
  const a = t.node;
  if (!a) {
    const name = t.invokedAs ?? '?';
    return { text: `${style.bold(name)}  ${t.activationId}  ${style.yellow('no records received from this activation')}`, children: [] };
  }
  const container = index.byId.get(a.container);
  const containerName = container?.kind === 'container' ? container.containerId : a.container;
  const parts = [style.bold(shortAction(a.action)), a.activationId, `container ${containerName}`];
  parts.push(a.start !== undefined && a.end !== undefined ? duration(a.end - a.start) : style.yellow('no end'));
  if (a.cold !== undefined) parts.push(a.cold ? 'cold' : 'warm');
  if (a.ok === true) parts.push(style.green('ok'));
  else if (a.ok === false) parts.push(style.red(`error${a.error ? `: ${abbreviate(a.error, 80)}` : ''}`));
  if (a.deviations?.length) parts.push(style.yellow(`${a.deviations.length} LMS deviation${a.deviations.length === 1 ? '' : 's'}: ${abbreviate(a.deviations.map((d) => d.kind).join(', '), 60)}`));
  const children = [...touchedGroups(a, index, style, opts), ...unitLines(a, index, style, opts), ...t.children.map((c) => activationLine(c, index, style, opts))];
  return { text: parts.join('  '), children };
}

/** The activation's execution units, in order, each with what it touched and printed. */
function unitLines(a: ActivationNode, index: GraphIndex, style: Style, opts: Required<Omit<RenderTreeOptions, 'color'>>): Line[] {
  const units = (index.in.get(a.id) ?? [])
    .filter((e) => e.kind === 'wasInformedBy')
    .map((e) => index.byId.get(e.from))
    .filter((n): n is Extract<UpgNode, { kind: 'unit' }> => n?.kind === 'unit')
    .sort((x, y) => x.index - y.index);
  return units.map((u) => ({ text: `unit ${u.index}`, children: touchedGroups({ ...a, id: u.id }, index, style, opts) }));
}

/** What one operation on one thing looked like, aggregated: "GetItem×2", "write×3 15 B". */
interface Touch {
  node: UpgNode;
  ops: Map<string, { count: number; bytes?: number; first: number }>;
  first: number;
}

function touchedGroups(a: ActivationNode, index: GraphIndex, style: Style, opts: Required<Omit<RenderTreeOptions, 'color'>>): Line[] {
  const actId = a.id;
  const touches = new Map<string, Touch>();
  const logs: UpgNode[] = [];
  const failedInvokes: string[] = [];
  const note = (node: UpgNode, e: UpgEdge) => {
    let t = touches.get(node.id);
    if (!t) {
      t = { node, ops: new Map(), first: e.time ?? Number.POSITIVE_INFINITY };
      touches.set(node.id, t);
    }
    const time = e.time ?? Number.POSITIVE_INFINITY;
    const op = t.ops.get(e.op ?? e.kind) ?? { count: 0, first: time };
    op.count += e.count ?? 1;
    op.first = Math.min(op.first, time);
    if (e.bytes !== undefined) op.bytes = (op.bytes ?? 0) + e.bytes;
    t.ops.set(e.op ?? e.kind, op);
    if (e.time !== undefined && e.time < t.first) t.first = e.time;
  };
  for (const e of index.out.get(actId) ?? []) {
    const other = index.byId.get(e.to);
    if (other && e.kind === 'used' && other.kind !== 'message') note(other, e);
  }
  for (const e of index.in.get(actId) ?? []) {
    const other = index.byId.get(e.from);
    if (!other) continue;
    if (other.kind === 'log') logs.push(other);
    else if (other.kind === 'message' && other.to === undefined) failedInvokes.push(other.label ?? `invoke ${other.action}`);
    else if (other.kind !== 'message' && other.kind !== 'activation' && other.kind !== 'process' && other.kind !== 'unit') note(other, e);
  }

  const groups: Array<[string, UpgNode['kind'][], (t: Touch) => string]> = [
    ['DynamoDB', ['item'], (t) => `${itemName(t.node)}  ${opsText(t)}`],
    ['files', ['file'], (t) => `${t.node.kind === 'file' ? t.node.path : t.node.id}  ${opsText(t)}`],
    ['network', ['socket'], (t) => socketText(t)],
  ];
  const lines: Line[] = [];
  const sorted = [...touches.values()].sort((x, y) => x.first - y.first || (x.node.id < y.node.id ? -1 : 1));
  for (const [title, kinds, text] of groups) {
    const members = sorted.filter((t) => kinds.includes(t.node.kind));
    if (!members.length) continue;
    const shown = members.slice(0, opts.maxEntries).map((t) => ({ text: text(t), children: [] }));
    if (members.length > opts.maxEntries) shown.push({ text: style.dim(`… and ${members.length - opts.maxEntries} more`), children: [] });
    lines.push({ text: `${title} (${members.length})`, children: shown });
  }
  lines.push(...processGroup(actId, index, style, opts));
  if (failedInvokes.length) {
    lines.push({ text: `invocations without an activation (${failedInvokes.length})`, children: failedInvokes.sort().map((f) => ({ text: style.red(f), children: [] })) });
  }
  if (logs.length) {
    const ordered = logs
      .filter((l): l is Extract<UpgNode, { kind: 'log' }> => l.kind === 'log')
      .sort((x, y) => (x.time ?? 0) - (y.time ?? 0) || (x.stream < y.stream ? -1 : x.stream > y.stream ? 1 : 0) || x.seq - y.seq);
    const quoted = ordered.slice(0, opts.logLines).map((l) => ({
      text: `${l.stream === 'stderr' ? style.dim('stderr ') : ''}${abbreviate(logMessage(l.text), opts.logWidth)}`,
      children: [],
    }));
    if (ordered.length > opts.logLines) quoted.push({ text: style.dim(`… and ${ordered.length - opts.logLines} more`), children: [] });
    lines.push({ text: `log lines (${ordered.length})`, children: quoted });
  }
  return lines;
}

function opsText(t: Touch): string {
  return [...t.ops.entries()]
    .sort(([a, x], [b, y]) => x.first - y.first || cmp(a, b))
    .map(([op, { count, bytes }]) => `${op}${count > 1 ? `×${count}` : ''}${bytes !== undefined ? ` ${sizeText(bytes)}` : ''}`)
    .join(', ');
}

function itemName(n: UpgNode): string {
  if (n.kind !== 'item') return n.id;
  if (!n.key) return `${n.table} (table)`;
  const key = Object.keys(n.key)
    .sort()
    .map((k) => `${k}=${typeof n.key![k] === 'string' ? n.key![k] : JSON.stringify(n.key![k])}`)
    .join(',');
  return `${n.table} ${abbreviate(key, 60)}`;
}

function socketText(t: Touch): string {
  const n = t.node;
  if (n.kind !== 'socket') return n.id;
  return `${n.address}:${n.port}${n.url ? ` ${n.url}` : ''}  ${opsText(t)}`;
}

/**
 * The processes an activation (or unit) ran and started: the runtime that ran it, once (the
 * wrapper's begin record, its program from the platform), and under it every process the
 * activation or the runtime started, each with the processes it started in turn. A process known
 * only from kernel events is marked so: the wrapper never saw it (native code, a grandchild).
 */
function processGroup(actId: string, index: GraphIndex, style: Style, opts: Required<Omit<RenderTreeOptions, 'color'>>): Line[] {
  const seen = new Set<string>();
  /** The processes any of `starters` started, each with every edge that says so. */
  const started = (starters: string[]): Array<{ node: ProcessNode; edges: UpgEdge[] }> => {
    const found = new Map<string, { node: ProcessNode; edges: UpgEdge[] }>();
    for (const by of starters) {
      for (const e of index.in.get(by) ?? []) {
        const n = index.byId.get(e.from);
        if (e.kind !== 'wasStartedBy' || n?.kind !== 'process' || starters.includes(n.id)) continue;
        const slot = found.get(n.id) ?? { node: n, edges: [] };
        slot.edges.push(e);
        found.set(n.id, slot);
      }
    }
    return [...found.values()].sort((x, y) => firstTime(x.edges) - firstTime(y.edges) || cmp(x.node.id, y.node.id));
  };
  const line = (node: ProcessNode, edges: UpgEdge[], extraStarters: string[] = []): Line | undefined => {
    if (seen.has(node.id)) return undefined;
    seen.add(node.id);
    const kernelOnly = edges.length > 0 && edges.every((e) => e.source === 'kernel');
    const how = edges.length ? `  ${opsOf(edges)}` : '';
    const children = started([node.id, ...extraStarters])
      .map((c) => line(c.node, c.edges))
      .filter((l): l is Line => l !== undefined);
    return { text: `${processText(node)}${how}${kernelOnly ? style.dim('  (kernel)') : ''}`, children };
  };
  const runtime = (index.out.get(actId) ?? []).find((e) => e.kind === 'wasInformedBy' && e.op === 'run' && index.byId.get(e.to)?.kind === 'process');
  const runtimeNode = runtime ? (index.byId.get(runtime.to) as ProcessNode) : undefined;
  // What the activation started, the runtime started: its children hang under the runtime.
  const tops = runtimeNode
    ? [line(runtimeNode, [runtime!], [actId])]
    : started([actId]).map((c) => line(c.node, c.edges));
  const shown = tops.filter((l): l is Line => l !== undefined);
  if (!shown.length) return [];
  const capped = (ls: Line[]): Line[] => {
    const out = ls.slice(0, opts.maxEntries).map((l) => ({ text: l.text, children: capped(l.children) }));
    if (ls.length > opts.maxEntries) out.push({ text: style.dim(`… and ${ls.length - opts.maxEntries} more`), children: [] });
    return out;
  };
  return [{ text: `processes (${seen.size})`, children: capped(shown) }];
}

/** "node[1] /usr/bin/node /srv/runtime.js": the program's name, its pid, and its command line. */
export function processText(n: ProcessNode): string {
  const base = n.exe ? n.exe.split('/').pop() || n.exe : undefined;
  const name = `${base ?? n.label ?? 'process'}${n.pid >= 0 && !(n.label === `pid ${n.pid}` && !base) ? `[${n.pid}]` : ''}`;
  if (!n.exe) return name;
  // the kernel's argv starts with argv[0] (the program again); the wrapper's args do not
  const args = n.args ?? [];
  const rest = args.length && (args[0] === n.exe || args[0] === base) ? args.slice(1) : args;
  return `${name} ${abbreviate([n.exe, ...rest].join(' '), 80)}`;
}

function opsOf(edges: UpgEdge[]): string {
  const ops = new Map<string, number>();
  for (const e of [...edges].sort((x, y) => (x.time ?? 0) - (y.time ?? 0))) ops.set(e.op ?? e.kind, (ops.get(e.op ?? e.kind) ?? 0) + (e.count ?? 1));
  return [...ops.entries()].map(([op, count]) => `${op}${count > 1 ? `×${count}` : ''}`).join(', ');
}

const firstTime = (edges: UpgEdge[]) => Math.min(...edges.map((e) => e.time ?? Number.POSITIVE_INFINITY));

/** Winston JSON lines read better as "level: message". */
function logMessage(text: string): string {
  if (!text.startsWith('{')) return text;
  try {
    const v = JSON.parse(text) as { level?: unknown; message?: unknown };
    if (typeof v.message === 'string') return typeof v.level === 'string' ? `${v.level}: ${v.message}` : v.message;
  } catch {
    // not JSON after all: shown as written
  }
  return text;
}

/** Warnings the graph itself implies: invoked activations whose own records never arrived. */
function incompleteness(roots: ActivationTreeNode[]): GraphWarning[] {
  const out: GraphWarning[] = [];
  const visit = (t: ActivationTreeNode) => {
    if (!t.node) {
      out.push({ code: 'incomplete', message: `activation ${t.activationId}${t.invokedAs ? ` (${t.invokedAs})` : ''} was invoked but none of its records arrived`, activationId: t.activationId });
    }
    t.children.forEach(visit);
  };
  roots.forEach(visit);
  return out;
}

function sortWarnings(ws: GraphWarning[]): GraphWarning[] {
  return [...ws].sort((a, b) => cmp(a.code, b.code) || cmp(a.activationId ?? '', b.activationId ?? '') || cmp(a.message, b.message));
}

function warningText(w: GraphWarning): string {
  const where = w.activationId ? ` [${w.activationId}]` : '';
  const count = w.count !== undefined && w.count > 1 ? ` (×${w.count})` : '';
  return `${w.code}${where}: ${abbreviate(w.message, 200)}${count}`;
}

/** Box-drawing: each child gets ├─ or └─, and its own children are indented under │ or blank. */
function drawChildren(lines: Line[], indent: string): string[] {
  const out: string[] = [];
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    out.push(`${indent}${last ? '└─ ' : '├─ '}${line.text}`);
    out.push(...drawChildren(line.children, `${indent}${last ? '   ' : '│  '}`));
  });
  return out;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function abbreviate(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const one = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return one.length > width ? `${one.slice(0, width - 1)}…` : one;
}

const isNumber = (v: number | undefined): v is number => typeof v === 'number';
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
