// The layout of a request's graph in the table (pure): what one fragment becomes, and how items read
// back become fragments, activations and entity histories again.
//
// A fragment is written as a few items, all with BatchWriteItem and keys derived from the fragment's
// content (so a retried or duplicated batch rewrites the same items):
//   - its graph in one immutable chunk (split in parts past DynamoDB's item size), compressed against
//     the learned behaviour of its shape (instance-values.ts): the request's graph is the merge of
//     its fragments, done on read (upg/merge.ts);
//   - what it says about each activation it describes: the node and the edges that touched an
//     entity on the activation's behalf, merged into the activation's own item (activation-item.ts),
//     which is also the byContainer and (for what nothing else explains) byEntity index entry. Those
//     edges are not repeated in the chunk; the reader puts them back;
//   - one touch group per entity group touched by edges of no activation the fragment describes
//     (the byEntity index): a container's files share one group, an activation's own log lines and
//     messages share its group. The reader filters by entity id, so a group only decides what is
//     stored together, never what an answer contains.
// One item per node and edge made a warm activation ~38 items and ~20 KB; this makes it one item and
// a fraction of the request's chunk, summary and pointers.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { compress, decodeGraph, decompress, dictionaryOf, edgeWriteOrder, encodeGraph, sortedNodes, type Dictionary } from './compact-graph';
import { mergeEdge, mergeNode } from '../upg/merge';
import type { ActivationNode, GraphFragment, GraphWarning, NodeKind, RequestGraph, UpgEdge, UpgNode } from '../upg/types';
import { entityEndpoints, storedEdge, storedNode, storedWarning } from './items';
import { requestPk, timeSortKey } from './keys';
import { ACTIVATION_SK, decodeBody, encodeBody, ownActivation, type ActivationBody, type ActivationContribution } from './activation-item';
import { splitBySize } from './split-by-size';

type Item = Record<string, unknown>;

export const CHUNK_PREFIX = 'G#';
export const TOUCH_PREFIX = 'X#';

/** DynamoDB's item limit is 400 KB: keep each value well under it, with room for keys and names. */
const MAX_PART_BYTES = 300 * 1024;

export interface FragmentItems {
  /** the fragment's graph, gzip'd, in one or more parts */
  chunks: Item[];
  /** what the fragment says about each activation it describes (merged into the activation's item, activation-item.ts) */
  activations: ActivationContribution[];
  /** one per entity group the fragment touches outside its activations' items (byEntity index) */
  touches: Item[];
}

/** The fragment as the store keeps it (see items.ts storedNode), in a deterministic order. */
export function storedFragment(fragment: GraphFragment): GraphFragment {
  const out: GraphFragment = { request: fragment.request, nodes: fragment.nodes.map(storedNode), edges: fragment.edges.map(storedEdge) };
  if (fragment.warnings?.length) out.warnings = fragment.warnings.map(storedWarning);
  return out;
}

/**
 * The items of one fragment. `dictionary`: the learned behaviour its graph is compressed against
 * (compact-graph.ts); the chunk names it, and the reader needs it.
 */
export function fragmentItems(fragment: GraphFragment, dictionary?: Dictionary): FragmentItems {
  const stored = storedFragment(fragment);
  const request = stored.request;
  const pk = requestPk(request);
  // Keyed by content, not by how it was compressed: a retry with another dictionary rewrites the same item.
  const hash = createHash('sha256').update(request).update('\u0000').update(encodeGraph(stored)).digest('hex').slice(0, 24);

  // Each touch goes to the item of the activation whose behaviour it records (its own entities to
  // their activation), when the fragment describes that activation; the rest to touch groups.
  // An edge kept on an activation's item is not repeated in the chunk: the reader puts it back.
  const kinds = new Map<string, NodeKind>(stored.nodes.map((n) => [n.id, n.kind]));
  const activations = new Map<string, ActivationContribution>();
  for (const n of stored.nodes) {
    if (n.kind === 'activation') activations.set(n.id, { activationId: n.activationId, request, node: n, touches: [] });
  }
  const byActivationId = new Map([...activations.values()].map((c) => [c.activationId, c]));
  const byGroup = new Map<string, Array<[string, UpgEdge]>>();
  const chunkEdges: UpgEdge[] = [];
  for (const edge of stored.edges) {
    const entities = entityEndpoints(edge, (id) => kinds.get(id));
    const owners = entities.map((entity) => {
      const own = ownActivation(entity);
      return (
        (own !== undefined ? byActivationId.get(own) : undefined) ??
        (edge.activationId !== undefined ? byActivationId.get(edge.activationId) : undefined) ??
        activations.get(edge.from === entity ? edge.to : edge.from)
      );
    });
    if (entities.length === 0 || owners.some((o) => o === undefined)) chunkEdges.push(edge);
    entities.forEach((entity, i) => {
      const owner = owners[i];
      if (owner) {
        owner.touches.push({ entity, edge, request });
        return;
      }
      const group = touchGroup(entity);
      let list = byGroup.get(group);
      if (!list) byGroup.set(group, (list = []));
      list.push([entity, edge]);
    });
  }

  const compressed = compress(chunkText(stored, chunkEdges), dictionary);
  const parts = Math.max(1, Math.ceil(compressed.length / MAX_PART_BYTES));
  const chunks: Item[] = [];
  for (let p = 0; p < parts; p++) {
    chunks.push({
      pk,
      sk: `${CHUNK_PREFIX}${hash}#${partKey(p)}`,
      req: request,
      parts,
      ...(dictionary ? { dict: dictionary.hash } : {}),
      body: new Uint8Array(compressed.subarray(p * MAX_PART_BYTES, (p + 1) * MAX_PART_BYTES)),
    });
  }

  const touches: Item[] = [];
  for (const [group, touched] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    splitBySize(touched, MAX_PART_BYTES).forEach((part, p) => {
      const first = Math.min(...part.map(([, e]) => e.time ?? Number.POSITIVE_INFINITY));
      touches.push({
        pk,
        sk: `${TOUCH_PREFIX}${group}#${hash}#${partKey(p)}`,
        req: request,
        hpk: group,
        hsk: timeSortKey(Number.isFinite(first) ? first : undefined, `${request}#${hash}#${partKey(p)}`),
        ...packTouches(part, dictionary),
      });
    });
  }
  return { chunks, activations: [...activations.values()], touches };
}

/**
 * The index partition an entity's touches are kept under; a function of the id alone, since the
 * reader has nothing else. Ids are built by upg/ids.ts; an id that does not parse (a hashed long
 * id) is a group of its own, which is always correct, only less compact.
 */
export function touchGroup(entityId: string): string {
  // file:<invoker>/<container>:<absolute path> → the container's files
  const file = /^file:([^:]+):\//.exec(entityId);
  if (file) return `FILES#${file[1]}`;
  // log:<activation>:<stream>:<seq> and msg:<from>-><to> | msg:<from>#<seq> → the activation's own
  const log = /^log:(.+):[^:]+:\d+$/.exec(entityId);
  if (log && !entityId.includes('…#')) return activationGroup(log[1]!);
  const message = /^msg:(.+?)(?:->.+|#\d+)$/.exec(entityId);
  if (message && !entityId.includes('…#')) return activationGroup(message[1]!);
  return entityId;
}

const ACTIVATION_GROUP_PREFIX = 'ACT#';
const activationGroup = (activationId: string): string => `${ACTIVATION_GROUP_PREFIX}${activationId}`;

/** The activation whose references hold a group's touches, when the group is an activation's own. */
export function groupActivation(group: string): string | undefined {
  return group.startsWith(ACTIVATION_GROUP_PREFIX) ? group.slice(ACTIVATION_GROUP_PREFIX.length) : undefined;
}

/** The dictionaries chunk items were compressed against (to fetch before chunksToFragments). */
export function dictionariesNamed(items: readonly Item[]): string[] {
  return [...new Set(items.map((i) => i.dict).filter((d): d is string => typeof d === 'string'))].sort();
}

/** Fragments from chunk items (any order; the parts of one chunk are joined by their sort keys). */
export function chunksToFragments(request: string, items: readonly Item[], dictionaries: ReadonlyMap<string, Buffer> = new Map()): GraphFragment[] {
  const byChunk = new Map<string, Item[]>();
  for (const item of items) {
    const sk = String(item.sk);
    const chunk = sk.slice(0, sk.lastIndexOf('#'));
    let parts = byChunk.get(chunk);
    if (!parts) byChunk.set(chunk, (parts = []));
    parts.push(item);
  }
  const out: GraphFragment[] = [];
  // A deterministic merge order (by chunk key), whatever order the items came back in.
  for (const [chunk, parts] of [...byChunk].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const expected = Number(parts[0]!.parts);
    if (parts.length !== expected) {
      throw new Error(`request ${request}: chunk ${chunk} has ${parts.length} of its ${expected} parts — was it being written? retry`);
    }
    parts.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
    const dict = parts[0]!.dict as string | undefined;
    const dictionary = dict !== undefined ? dictionaries.get(dict) : undefined;
    if (dict !== undefined && !dictionary) throw new Error(`request ${request}: chunk ${chunk} needs behaviour dictionary ${dict}, which the store does not have`);
    const body = Buffer.concat(parts.map((p) => Buffer.from(p.body as Uint8Array)));
    out.push({ request, ...decodeGraph(decompress(body, dictionary)) });
  }
  return out;
}

/** One container's activations from their items (byContainer index), in time order; spilled touches are skipped. */
export function itemsToActivations(items: readonly Item[], dictionaries: ReadonlyMap<string, Buffer> = new Map()): ActivationNode[] {
  const byId = new Map<string, ActivationNode>();
  for (const item of items) {
    if (item.sk !== ACTIVATION_SK) continue;
    const node = unpack(item, dictionaries).node;
    if (!node) continue;
    const copy = { ...node };
    const known = byId.get(copy.id);
    byId.set(copy.id, known ? mergeStored(known, copy) : copy);
  }
  const key = (a: ActivationNode) => timeSortKey(a.start, a.id);
  return [...byId.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every edge that touched `entity`, with its request, in time order, from the items read (touch groups, activation items, spills). */
export function touchesToHistory(entity: string, items: readonly Item[], dictionaries: ReadonlyMap<string, Buffer> = new Map()): Array<UpgEdge & { request: string }> {
  const byEdge = new Map<string, UpgEdge & { request: string }>();
  for (const item of items) {
    if (item.body === undefined) continue;
    for (const { entity: touched, edge, request } of unpack(item, dictionaries).touches) {
      if (touched !== entity) continue;
      const key = `${request}\u0000${edge.id}`;
      const known = byEdge.get(key);
      byEdge.set(key, { ...(known ? mergeEdge(known, edge) : edge), request });
    }
  }
  const key = (e: UpgEdge & { request: string }) => timeSortKey(e.time, `${e.request}#${e.id}`);
  return [...byEdge.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The edges of `request` that activation items (and their spills) hold: what the chunks leave out. */
export function activationEdges(request: string, items: readonly Item[], dictionaries: ReadonlyMap<string, Buffer> = new Map()): UpgEdge[] {
  const out: UpgEdge[] = [];
  for (const item of items) {
    if (item.body === undefined) continue;
    for (const t of unpack(item, dictionaries).touches) if (t.request === request) out.push(t.edge);
  }
  return out;
}

/** The activations a request's chunks describe: whose items hold the rest of its edges. */
export function activationsOf(fragments: readonly GraphFragment[]): string[] {
  return [...new Set(fragments.flatMap((f) => f.nodes.filter((n): n is ActivationNode => n.kind === 'activation').map((n) => n.activationId)))].sort();
}

/** mergeNode, plus the union of the fields each copy had to cut (the store's own bookkeeping). */
export function mergeStored<N extends UpgNode>(a: N, b: N): N {
  const merged = mergeNode(a, b);
  const cut = [...new Set([...(a.truncated ?? []), ...(b.truncated ?? [])])].sort();
  if (cut.length) merged.truncated = cut;
  return merged;
}

const partKey = (p: number): string => String(p).padStart(3, '0');

// Index items hold their touches deflated against the fragment's learned behaviour, edges in the
// compact form of compact-graph.ts: what one activation of an action touches is mostly what the
// last one touched, and binary values are billed by the byte. Same body as an activation item's.
function packTouches(touches: Array<[string, UpgEdge]>, dictionary: Dictionary | undefined): Item {
  const body = encodeBody({ touches: touches.map(([entity, edge]) => ({ entity, edge, request: '' })) }, '', dictionary);
  return { ...(dictionary ? { dict: dictionary.hash } : {}), body: new Uint8Array(body) };
}

// What an index item decodes to can be kept: touch groups and spills are immutable, and an
// activation item is known by its key and its body's hash. An entity's history reads every activation item
// of its container, and detection asks for many entities of the same containers, which would
// inflate the same items again and again. Callers copy what they keep.
const UNPACKED_KEPT = 20_000;
const unpacked = new Map<string, ActivationBody>();

function unpack(item: Item, dictionaries: ReadonlyMap<string, Buffer>): ActivationBody {
  const bytes = Buffer.from(item.body as Uint8Array);
  const key = `${String(item.pk)}\u0000${String(item.sk)}\u0000${item.sk === ACTIVATION_SK ? createHash('sha1').update(bytes).digest('base64') : ''}`;
  const known = unpacked.get(key);
  if (known) return known;
  const dict = item.dict as string | undefined;
  const dictionary = dict !== undefined ? dictionaries.get(dict) : undefined;
  if (dict !== undefined && !dictionary) throw new Error(`index item ${String(item.pk)} ${String(item.sk)} needs behaviour dictionary ${dict}, which the store does not have`);
  const value = decodeBody(bytes, String(item.req ?? ''), dictionary);
  if (unpacked.size >= UNPACKED_KEPT) unpacked.delete(unpacked.keys().next().value as string);
  unpacked.set(key, value);
  return value;
}

/** An activation item decoded (activation-item.ts), for merging a write into it. */
export const unpackActivation = unpack;

/** The request's graph: the union of its fragments (upg/merge.ts rules, cut fields unioned). */
export function graphFromFragments(request: string, fragments: readonly GraphFragment[]): RequestGraph {
  const nodes = new Map<string, UpgNode>();
  const edges = new Map<string, UpgEdge>();
  const warnings = new Map<string, GraphWarning>();
  for (const f of fragments) {
    for (const n of f.nodes) nodes.set(n.id, nodes.has(n.id) ? mergeStored(nodes.get(n.id)!, n) : n);
    for (const e of f.edges) edges.set(e.id, edges.has(e.id) ? mergeEdge(edges.get(e.id)!, e) : e);
    for (const w of f.warnings ?? []) warnings.set(JSON.stringify([w.code, w.message, w.activationId ?? null]), w);
  }
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const graph: RequestGraph = { request, nodes: [...nodes.values()].sort(byId), edges: [...edges.values()].sort(byId) };
  if (warnings.size) graph.warnings = [...warnings.values()];
  return graph;
}

/** A fragment's encoded graph as a dictionary for the fragments of its shape that follow (compact-graph.ts). */
/**
 * A fragment's chunk text as the behaviour for the fragments of its shape that follow
 * (compact-graph.ts, instance-values.ts): what its chunk holds, so that a fragment that does the
 * same is stored as its instance values.
 */
export function learnedBehaviour(fragment: GraphFragment): Dictionary {
  const stored = storedFragment(fragment);
  const owned = new Set(fragmentItems(fragment).activations.flatMap((a) => a.touches.map((t) => t.edge.id)));
  return dictionaryOf(chunkText(stored, stored.edges.filter((e) => !owned.has(e.id))));
}

function chunkText(stored: GraphFragment, edges: UpgEdge[]): string {
  const ordered = edgeWriteOrder(edges).map((i) => edges[i]!);
  return encodeGraph({ nodes: sortedNodes(stored.nodes), edges: ordered, ...(stored.warnings ? { warnings: stored.warnings } : {}) });
}

export const behaviourKey = (hash: string) => ({ pk: `BEHAVIOUR#${hash}`, sk: 'BEHAVIOUR' });

// A behaviour is stored deflated: it is JSON (a graph's text), read once per reader and kept, and
// stored whole it was the largest share of what a few hundred requests cost. Its hash names the
// inflated bytes, which are what bodies are compressed against.
export const behaviourItem = (d: Dictionary): Item => ({ ...behaviourKey(d.hash), hash: d.hash, body: new Uint8Array(deflateRawSync(d.bytes, { level: 9 })) });

/** The dictionary bytes a stored behaviour item holds. */
export function behaviourBytes(item: Item): Buffer {
  try {
    return inflateRawSync(Buffer.from(item.body as Uint8Array));
  } catch {
    throw new Error(`behaviour ${String(item.hash)} is not stored deflated: the store was written by an earlier version; delete it (a local store: its directory) and ingest again`);
  }
}
