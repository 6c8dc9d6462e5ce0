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

/** The graph as the JSON text a chunk compresses. */
export function encodeGraph(graph: GraphBody): string {
  const edges: CompactEdge[] = graph.edges.map((e) => {
    const { id, ...rest } = e;
    if (id === edgeId({ ...rest, discriminator: e.time ?? '' })) return rest;
    if (id === edgeId({ ...rest, discriminator: '' })) return { ...rest, d: 1 };
    return e;
  });
  const times = [
    ...graph.nodes.flatMap((n) => NODE_TIMES.map((k) => (n as unknown as Record<string, unknown>)[k])),
    ...graph.edges.map((e) => e.time),
  ].filter((t): t is number => typeof t === 'number');
  const t0 = times.length ? Math.min(...times) : undefined;
  const exact = t0 !== undefined && times.every((t) => t - t0 + t0 === t);
  const shift = exact ? t0 : 0;
  const encoded: Encoded = {
    ...(exact ? { t0 } : {}),
    nodes: graph.nodes.map((n) => shiftTimes(n, -shift)),
    edges: edges.map((e) => (e.time !== undefined ? { ...e, time: e.time - shift } : e)),
    ...(graph.warnings?.length ? { warnings: graph.warnings } : {}),
  };
  return JSON.stringify(encoded);
}

export function decodeGraph(json: string): GraphBody {
  const encoded = JSON.parse(json) as Encoded;
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
