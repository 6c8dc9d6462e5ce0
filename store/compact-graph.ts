// How a fragment's graph is written into its chunk (pure), Winnower-style: what the store can
// recompute is not stored, and what an action does every time is stored once.
//   - edge ids: an edge's id is the hash of what it connects and its first time (upg/ids.ts); it
//     is rebuilt on read whenever it is that hash (every edge the correlator makes), and kept
//     otherwise. Hashes are the one part of a graph no compressor can shrink.
//   - times: relative to the fragment's first time, when that round-trips exactly, so that two
//     activations doing the same at different moments read the same.
//   - behaviour: the deflate stream may start from a dictionary, the encoded graph of an earlier
//     fragment of the same shape (same actions, same cold starts). A request that does what that
//     one did is stored as a reference to it plus its own instance values (ids, keys, times); one
//     that does something new costs what it differs by. The dictionary is an item of its own,
//     content-addressed and immutable.
import { createHash } from 'node:crypto';
import { compressBody, decompressBody } from './instance-values';
import { edgeId } from '../upg/ids';
import type { GraphFragment, GraphWarning, UpgEdge, UpgNode } from '../upg/types';

export interface GraphBody {
  nodes: UpgNode[];
  edges: UpgEdge[];
  warnings?: GraphWarning[];
}

/** A learned behaviour: the encoded graph later fragments of the same shape are compressed against. */
export interface Dictionary {
  hash: string;
  bytes: Buffer;
}

const NODE_TIMES = ['time', 'start', 'end', 'firstSeen', 'lastSeen'] as const;
/** a behaviour longer than this keeps only its tail, zlib's window (and is no template for instance values) */
const MAX_DICTIONARY_BYTES = 128 * 1024;
const DEFLATE_WINDOW = 32 * 1024;

/** which discriminator rebuilds a stripped edge id: absent = the edge's time, 1 = none */
type CompactEdge = Omit<UpgEdge, 'id'> & { id?: string; d?: 1 };

interface Encoded {
  /** base time the times are relative to (absent: absolute) */
  t0?: number;
  nodes: UpgNode[];
  edges: CompactEdge[];
  warnings?: GraphWarning[];
}

/** Which discriminator an edge's id was made with: its time, none, or neither (the id is kept). */
type IdForm = 'time' | 'none' | 'kept';

// One write encodes each edge several times (the chunk's content hash, the chunk, the body of the
// activation that holds it), and telling an id's form takes one or two SHA-256s. The form is kept
// per edge object with the fields it was found from: it is reused only while they are unchanged.
interface KnownForm {
  form: IdForm;
  id: string;
  from: string;
  to: string;
  kind: string;
  op: string | undefined;
  activationId: string | undefined;
  time: number | undefined;
}
const idForms = new WeakMap<UpgEdge, KnownForm>();

function idFormOf(e: UpgEdge): IdForm {
  const known = idForms.get(e);
  if (known && known.id === e.id && known.from === e.from && known.to === e.to && known.kind === e.kind && known.op === e.op && known.activationId === e.activationId && known.time === e.time) {
    return known.form;
  }
  const form = findIdForm(e);
  idForms.set(e, { form, id: e.id, from: e.from, to: e.to, kind: e.kind, op: e.op, activationId: e.activationId, time: e.time });
  return form;
}

/**
 * Which discriminator made the edge's id, trying the likelier first: the correlator makes an
 * aggregated operation's id (it has a count) with its first time, a single fact's with none. With
 * a time the two hashes differ, so at most one of them is the id and the order changes nothing but
 * how many are computed; with no time they are the same hash, and the form is 'time'.
 */
function findIdForm(e: UpgEdge): IdForm {
  const made = (discriminator: string | number) => e.id === edgeId({ from: e.from, to: e.to, kind: e.kind, op: e.op, activationId: e.activationId, discriminator });
  const time = e.time ?? '';
  if (time === '') return made('') ? 'time' : 'kept';
  if (e.count !== undefined) return made(time) ? 'time' : made('') ? 'none' : 'kept';
  return made('') ? 'none' : made(time) ? 'time' : 'kept';
}

/** The graph as the JSON text a chunk compresses. */
export function encodeGraph(graph: GraphBody): string {
  let t0: number | undefined;
  const see = (t: unknown) => {
    if (typeof t === 'number' && (t0 === undefined || t < t0)) t0 = t;
  };
  for (const n of graph.nodes) for (const k of NODE_TIMES) see((n as unknown as Record<string, unknown>)[k]);
  for (const e of graph.edges) see(e.time);
  const exact = t0 !== undefined && everyTimeExact(graph, t0);
  const shift = exact ? t0! : 0;
  const encoded: Encoded = {
    ...(exact ? { t0: t0! } : {}),
    nodes: graph.nodes.map((n) => shiftTimes(n, -shift)),
    edges: graph.edges.map((e) => compactEdge(e, idFormOf(e), shift)),
    ...(graph.warnings?.length ? { warnings: graph.warnings } : {}),
  };
  return JSON.stringify(encoded);
}

/** Whether every time, made relative to t0, reads back exactly. */
function everyTimeExact(graph: GraphBody, t0: number): boolean {
  const exact = (t: unknown) => typeof t !== 'number' || t - t0 + t0 === t;
  for (const n of graph.nodes) for (const k of NODE_TIMES) if (!exact((n as unknown as Record<string, unknown>)[k])) return false;
  return graph.edges.every((e) => exact(e.time));
}

/**
 * The edge as written: without its id when the id is rebuilt on read (d: 1 when it was made
 * without a discriminator), its time less `shift`. Keys stay in the edge's own order, d last.
 */
function compactEdge(e: UpgEdge, form: IdForm, shift: number): CompactEdge {
  if (form === 'kept' && (shift === 0 || e.time === undefined)) return e;
  const out: Record<string, unknown> = {};
  for (const k in e) {
    if (!Object.prototype.hasOwnProperty.call(e, k) || (k === 'id' && form !== 'kept')) continue;
    const v = (e as unknown as Record<string, unknown>)[k];
    out[k] = k === 'time' && v !== undefined ? (v as number) - shift : v;
  }
  if (form === 'none') out.d = 1;
  return out as unknown as CompactEdge;
}

export function decodeGraph(json: string): GraphBody {
  return decodeGraphValue(JSON.parse(json));
}

/** decodeGraph of a graph's JSON already parsed (an activation body holds one inside its own JSON). */
export function decodeGraphValue(parsed: unknown): GraphBody {
  const encoded = parsed as Encoded;
  const shift = encoded.t0 ?? 0;
  const nodes = encoded.nodes.map((n) => shiftTimes(n, shift));
  const edges = encoded.edges.map((c): UpgEdge => {
    const { d, ...rest } = c;
    const e = rest.time !== undefined ? { ...rest, time: rest.time + shift } : rest;
    if (e.id !== undefined) return e as UpgEdge;
    return { ...e, id: edgeId({ ...e, discriminator: d === 1 ? '' : (e.time ?? '') }) } as UpgEdge;
  });
  return { nodes, edges, ...(encoded.warnings ? { warnings: encoded.warnings } : {}) };
}

function shiftTimes(node: UpgNode, by: number): UpgNode {
  if (by === 0) return node;
  const out = { ...node } as unknown as Record<string, unknown>;
  for (const k of NODE_TIMES) if (typeof out[k] === 'number') out[k] = (out[k] as number) + by;
  return out as unknown as UpgNode;
}

// The order nodes and edges are written in, the same for two fragments that do the same thing
// (instance-values.ts compares them value by value): by kind and time first, ids last. Readers
// never depend on it (graphs are merged and sorted by id on read).
const prefix = (id: string): string => id.slice(0, id.indexOf(':') + 1);
const nodeOrder = (n: UpgNode): string => {
  const r = n as unknown as Record<string, unknown>;
  return `${n.kind}\u0000${String(r.start ?? r.time ?? r.firstSeen ?? '').padStart(16, '0')}\u0000${String(r.action ?? r.label ?? '')}\u0000${n.id}`;
};
const edgeOrder = (e: UpgEdge): string =>
  `${String(e.time ?? '').padStart(16, '0')}\u0000${e.kind}\u0000${e.op ?? ''}\u0000${e.source ?? ''}\u0000${prefix(e.from)}\u0000${prefix(e.to)}\u0000${e.from}\u0000${e.to}\u0000${e.id}`;

export function sortedNodes(nodes: readonly UpgNode[]): UpgNode[] {
  return nodes.map((n) => [nodeOrder(n), n] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, n]) => n);
}

/** indexes of `edges` in write order */
export function edgeWriteOrder(edges: readonly UpgEdge[]): number[] {
  const keys = edges.map(edgeOrder);
  return edges.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
}

/** Which learned behaviour a fragment is compared with: its actions and which of them started cold. */
export function shapeOf(fragment: GraphFragment): string {
  const parts = fragment.nodes.filter((n) => n.kind === 'activation').map((a) => `${a.action}${a.cold ? '*' : ''}`);
  return parts.sort().join(',');
}

/** A dictionary made of an encoded graph (its tail, if very long: zlib only looks back 32 KB). */
export function dictionaryOf(encoded: string): Dictionary {
  const all = Buffer.from(encoded, 'utf8');
  const bytes = all.length > MAX_DICTIONARY_BYTES ? all.subarray(all.length - DEFLATE_WINDOW) : all;
  return { hash: createHash('sha256').update(bytes).digest('base64url').slice(0, 16), bytes };
}

/** A body: the instance values where it differs from its behaviour, else deflated against it (instance-values.ts). */
export function compress(encoded: string, dictionary?: Dictionary): Buffer {
  return compressBody(encoded, dictionary?.bytes);
}

export function decompress(body: Buffer, dictionary?: Buffer): string {
  return decompressBody(body, dictionary);
}
