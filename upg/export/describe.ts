// Short human names and detail fields of nodes and edges, shared by every export so a node reads
// the same in the HTML view, the DOT picture and the Markdown ticket.
import { stableJson } from '../ids';
import { shortAction, sizeText } from '../labels';
import type { UpgEdge, UpgNode } from '../types';
import type { ViewNode } from './input';

/** A short name: "purchase 4f2a…" for an activation, the path of a file, "host:port" of a socket. */
export function nodeLabel(v: ViewNode, width = 48): string {
  const n = v.node;
  if (!n) return abbreviate(`${v.kind ?? v.provClass} ${v.id.replace(/^[a-z]+:/, '')} (no record)`, width);
  if (n.label && n.kind !== 'activation' && n.kind !== 'log') return abbreviate(n.label, width);
  switch (n.kind) {
    case 'request':
      return abbreviate(`request ${n.requestId}`, width);
    case 'activation':
      return abbreviate(`${shortAction(n.action)} ${shortId(n.activationId)}`, width);
    case 'unit':
      return `unit ${n.index} of ${shortId(n.activationId)}`;
    case 'startup':
      return 'container start-up';
    case 'process':
      return abbreviate(`${n.exe ?? 'process'}${n.pid >= 0 ? ` pid ${n.pid}` : ''}`, width);
    case 'action':
      return abbreviate(`action ${shortAction(n.name)}`, width);
    case 'container':
      return abbreviate(`container ${n.containerId}`, width);
    case 'invoker':
      return abbreviate(`invoker ${n.name}`, width);
    case 'client':
      return abbreviate(n.name, width);
    case 'file':
      return abbreviate(n.path, width);
    case 'socket':
      return abbreviate(`${n.address}:${n.port}`, width);
    case 'item':
      return abbreviate(n.key === undefined ? `table ${n.table}` : `${n.table} ${keyText(n.key)}`, width);
    case 'message':
      return abbreviate(`invoke ${shortAction(n.action)}`, width);
    case 'log':
      return abbreviate(n.text, width);
  }
}

/** Every field of a node worth showing, as [name, text] pairs (times as ISO 8601). */
export function nodeDetails(v: ViewNode): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['id', v.id],
    ['kind', v.kind ?? '?'],
    ['PROV', v.provClass],
  ];
  if (!v.node) {
    out.push(['record', 'none received: only an edge names this node']);
    return out;
  }
  const fields = v.node as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields).sort()) {
    if (key === 'id' || key === 'kind' || fields[key] === undefined) continue;
    out.push([key, fieldText(key, fields[key])]);
  }
  return out;
}

const TIME_FIELDS = new Set(['start', 'end', 'firstSeen', 'lastSeen', 'time']);

export function fieldText(key: string, value: unknown): string {
  if (TIME_FIELDS.has(key) && typeof value === 'number') return isoTime(value) ?? String(value);
  if (typeof value === 'string') return value;
  return stableJson(value);
}

/** ISO 8601 for ms since the epoch; undefined for what is not a valid time. */
export function isoTime(ms: number | undefined): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** "used GetItem ×3 2.0 KiB" */
export function edgeLabel(e: UpgEdge): string {
  const parts: string[] = [e.kind];
  if (e.op && e.op !== e.kind) parts.push(e.op);
  if (e.count !== undefined && e.count > 1) parts.push(`×${e.count}`);
  if (e.bytes !== undefined) parts.push(sizeText(e.bytes));
  return parts.join(' ');
}

export function keyText(key: Record<string, unknown>): string {
  return Object.keys(key)
    .sort()
    .map((k) => `${k}=${typeof key[k] === 'string' ? key[k] : JSON.stringify(key[k])}`)
    .join(',');
}

/** Activation ids are 32 hex characters: the first 8 tell them apart in a picture. */
export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

export function abbreviate(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const one = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return one.length > width ? `${one.slice(0, Math.max(1, width - 1))}…` : one;
}

/** The activation a log line belongs to, for folding log lines into their activation in pictures. */
export function logOwner(n: UpgNode): string | undefined {
  return n.kind === 'log' ? n.activationId : undefined;
}

/**
 * A node as two short lines for a drawn box: its own name (without the kind word the second line
 * carries) and what it is, e.g. ["hello-retail-dev-purchase", "activation a014a04d…"],
 * ["…/receipts/fr.js", "file in sp-03a7e86f0629"], ["hello-retail-cards", "item id=card-eve-mc"].
 */
export function nodeLines(v: ViewNode): [string, string] {
  const n = v.node;
  if (!n) return [v.id.replace(/^[a-z]+:/, ''), `${v.kind ?? v.provClass} (no record received)`];
  switch (n.kind) {
    case 'request':
      return [n.requestId, 'request'];
    case 'activation':
      return [shortAction(n.action), `activation ${shortId(n.activationId)}`];
    case 'unit':
      return [`unit ${n.index}`, `of activation ${shortId(n.activationId)}`];
    case 'startup':
      return ['container start-up', `before activation ${shortId(n.activationId)}`];
    case 'process':
      return [n.exe ?? `pid ${n.pid}`, n.pid >= 0 && n.exe ? `process pid ${n.pid}` : 'process'];
    case 'action':
      return [shortAction(n.name), 'action'];
    case 'container':
      return [n.containerId, n.action ? `container of ${shortAction(n.action)}` : 'container'];
    case 'invoker':
      return [n.name, 'invoker'];
    case 'client':
      return [n.name, 'client'];
    case 'file':
      return [n.path, `file in ${n.container.replace(/^ctr:([^/]*\/)?/, '')}`];
    case 'socket':
      return [`${n.address}:${n.port}`, n.url ? n.url : `socket${n.proto ? ` ${n.proto}` : ''}`];
    case 'item':
      return [n.table, n.key === undefined ? 'table' : `item ${keyText(n.key)}`];
    case 'message':
      return [`invoke ${shortAction(n.action)}`, `message ${shortId(n.from)} → ${n.to ? shortId(n.to) : '?'}`];
    case 'log':
      return [n.text, `log ${n.stream}`];
  }
}

/** Cut to `width` characters: paths keep their end (the file name), everything else its start. */
export function fitText(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const one = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  if (one.length <= width) return one;
  if (/^\/[^\s]*\/[^\s]*$/.test(one)) return `…${one.slice(one.length - width + 1)}`;
  return `${one.slice(0, Math.max(1, width - 1))}…`;
}
