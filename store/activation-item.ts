// One item per activation (pure): the activation as every fragment so far knew it, what it touched,
// and the correlator's state for it between batches, under a fixed key (ACT#<activation>, 'A').
//
// Why one item and not one per fragment plus a state item: an activation almost always arrives in
// one batch, and what the readers need of it (its node for the byContainer index, its touches for
// entity histories) and what the correlator needs (ActivationMeta) are read and written at the same
// moments. The correlator reads the item before it assembles a batch (getActivationMeta), so writing
// it again merged costs no extra read; an activation split over batches rewrites its item once per
// batch. One activation's batches come from one container, through one agent, in order: the
// activation state already relied on that (a later state replaces the earlier), and so does this merge.
//
// Which touches are indexed per entity (byEntity), Winnower-style: only what nothing else explains.
//   - an activation's own log lines and messages: read from its own partition (no index entry);
//   - the files of its own container: read through the byContainer index its item is already in;
//   - anything else (a DynamoDB item, a socket, a file of an unknown container): the first such
//     entity rides on the item's own byEntity key; each further one gets a key-only pointer item.
// The touches themselves are stored once, in the item's body.
import { createHash } from 'node:crypto';
import type { ActivationNode, UpgEdge } from '../upg/types';
import { compress, decodeGraphValue, decompress, dictionaryOf, edgeWriteOrder, encodeGraph, type Dictionary } from './compact-graph';
import { mergeEdge } from '../upg/merge';
import { timeSortPart } from './keys';
import type { ActivationMeta } from './types';
import { splitBySize } from './split-by-size';

type Item = Record<string, unknown>;

export const ACTIVATION_PREFIX = 'ACT#';
export const ACTIVATION_SK = 'A';
/** sort keys of an activation's pointer items (one per further indexed entity) and spilled touches */
export const POINTER_PREFIX = 'X#';
export const SPILL_PREFIX = 'T#';

/** DynamoDB's item limit is 400 KB: a body past this spills its new touches into items of their own. */
const MAX_BODY_BYTES = 300 * 1024;

/**
 * A pointer's sort key: unique per entity within the activation, and never read (the entity is the
 * pointer's hpk), so a digest of the entity rather than the entity again (ids such as a DynamoDB
 * item's key run to a hundred bytes).
 */
export const pointerSortKey = (entity: string): string => `${POINTER_PREFIX}${createHash('sha256').update(entity).digest('base64url').slice(0, 16)}`;

export const activationPk = (activationId: string): string => `${ACTIVATION_PREFIX}${activationId}`;
export const activationKey = (activationId: string) => ({ pk: activationPk(activationId), sk: ACTIVATION_SK });

/** One edge that touched one entity, and the request whose graph holds the edge. */
export interface Touch {
  entity: string;
  edge: UpgEdge;
  request: string;
}

/** What one fragment says about one activation. */
export interface ActivationContribution {
  activationId: string;
  request: string;
  /** the activation node as this fragment knows it (stored form), when the fragment describes it */
  node?: ActivationNode;
  touches: Touch[];
}

/** What an activation item's body decodes to. */
export interface ActivationBody {
  node?: ActivationNode;
  touches: Touch[];
}

/** The container node id a file entity id names (`file:<invoker>/<container>:<path>`), if it parses. */
export function fileContainer(entity: string): string | undefined {
  const file = /^file:([^:]+):\//.exec(entity);
  return file && !file[1]!.includes('…#') ? `ctr:${file[1]}` : undefined;
}

/** An activation's own entities (its log lines, the messages it sent): no other request touches them. */
export function ownActivation(entity: string): string | undefined {
  if (entity.includes('…#')) return undefined;
  const log = /^log:(.+):[^:]+:\d+$/.exec(entity);
  if (log) return log[1]!;
  const message = /^msg:(.+?)(?:->.+|#\d+)$/.exec(entity);
  return message ? message[1]! : undefined;
}

/** Whether the activation's item is found without an index entry of its own for this entity. */
export function explained(entity: string, activationId: string, container: string | undefined): boolean {
  if (ownActivation(entity) === activationId) return true;
  const c = fileContainer(entity);
  return c !== undefined && c === container;
}

/** The entities of these touches that need a byEntity entry, in a stable order. */
export function indexedEntities(body: ActivationBody, activationId: string): string[] {
  const container = body.node?.container;
  return [...new Set(body.touches.map((t) => t.entity).filter((e) => !explained(e, activationId, container)))].sort();
}

export function encodeBody(body: ActivationBody, home: string, dictionary: Dictionary | undefined): Buffer {
  return compress(bodyText(body, home), dictionary);
}

/** The JSON an activation item's body holds (compressed against the activation's learned behaviour). */
export function bodyText(body: ActivationBody, home: string): string {
  const touches = edgeWriteOrder(body.touches.map((t) => t.edge)).map((i) => body.touches[i]!);
  const graph = encodeGraph({ nodes: body.node ? [body.node] : [], edges: touches.map((t) => t.edge) });
  // Touches of the item's home request (nearly all) name no request.
  const requests = touches.map((t) => (t.request === home ? 0 : t.request));
  const r = requests.some((x) => x !== 0) ? `,"r":${JSON.stringify(requests)}` : '';
  return `{"e":${JSON.stringify(touches.map((t) => t.entity))}${r},"g":${graph}}`;
}

export function decodeBody(bytes: Buffer, home: string, dictionary: Buffer | undefined): ActivationBody {
  const value = JSON.parse(decompress(bytes, dictionary)) as { e: string[]; r?: Array<string | 0>; g: unknown };
  const graph = decodeGraphValue(value.g);
  const touches = graph.edges.map((edge, i) => {
    const r = value.r?.[i];
    return { entity: value.e[i]!, edge, request: typeof r === 'string' ? r : home };
  });
  return { ...(graph.nodes[0] ? { node: graph.nodes[0] as ActivationNode } : {}), touches };
}

// The correlator's state on the item, as one short JSON attribute (`m`) holding only what the item's
// keys do not already say: the activation id is the partition, the request and container are the
// item's req and cpk unless they differ.
interface StoredMeta {
  /** the MAC key as given, or (K) lowercase hex as base64url: the key is the state's largest part and random, so no compressor shrinks its hex */
  k?: string;
  K?: string;
  a: string;
  r?: string;
  c?: string;
  s?: number;
  n?: number;
  p?: string;
  l?: string;
  /** closedAt: [stdout, stderr] (-1: not closed there) */
  o?: [number, number];
}

const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;

export function metaAttribute(meta: ActivationMeta, home: string, container: string | undefined): string {
  const m: StoredMeta = LOWER_HEX.test(meta.key) ? { K: Buffer.from(meta.key, 'hex').toString('base64url'), a: meta.action } : { k: meta.key, a: meta.action };
  if (meta.requestId !== home) m.r = meta.requestId;
  if (meta.container !== container) m.c = meta.container;
  if (meta.start !== undefined) m.s = meta.start;
  if (meta.nextSeq !== undefined) m.n = meta.nextSeq;
  if (meta.profile !== undefined) m.p = meta.profile;
  if (meta.lms !== undefined) m.l = meta.lms;
  if (meta.closedAt) m.o = [meta.closedAt.stdout ?? -1, meta.closedAt.stderr ?? -1];
  return JSON.stringify(m);
}

/** Which learned behaviour an activation's body is compared with: its action, and whether it started cold. */
export const activationShape = (node: ActivationNode): string => `A:${node.action}${node.cold ? '*' : ''}`;

/** The first activation of its shape as the behaviour for those that follow. */
export const activationBehaviour = (c: ActivationContribution): Dictionary => dictionaryOf(bodyText({ ...(c.node ? { node: c.node } : {}), touches: c.touches }, c.request));

/** The correlator's state kept on an activation item, if the correlator stored any. */
export function itemMeta(item: Item): ActivationMeta | undefined {
  if (typeof item.m !== 'string') return undefined;
  const m = JSON.parse(item.m) as StoredMeta;
  const meta: ActivationMeta = {
    activationId: String(item.pk).slice(ACTIVATION_PREFIX.length),
    requestId: m.r ?? String(item.req),
    action: m.a,
    container: m.c ?? String(item.cpk),
    key: m.k ?? Buffer.from(m.K ?? '', 'base64url').toString('hex'),
  };
  if (m.s !== undefined) meta.start = m.s;
  if (m.n !== undefined) meta.nextSeq = m.n;
  if (m.p !== undefined) meta.profile = m.p;
  if (m.l !== undefined) meta.lms = m.l;
  if (m.o) meta.closedAt = { ...(m.o[0] >= 0 ? { stdout: m.o[0] } : {}), ...(m.o[1] >= 0 ? { stderr: m.o[1] } : {}) };
  return meta;
}

export interface ActivationWrite {
  /** the activation's item, and its new pointer and spill items */
  items: Item[];
}

/**
 * The items to write for one activation: `previous` (its stored item, decoded) merged with what
 * this write knows. `mergeNode` is upg/merge's rule (plus the store's truncated-field union).
 */
export function activationWrite(
  activationId: string,
  previous: { item: Item; body: ActivationBody } | undefined,
  contributions: readonly ActivationContribution[],
  meta: ActivationMeta | undefined,
  dictionary: Dictionary | undefined,
  mergeNode: (a: ActivationNode, b: ActivationNode) => ActivationNode,
): ActivationWrite {
  const before = previous?.body ?? { touches: [] };
  let node = before.node;
  for (const c of contributions) if (c.node) node = node ? mergeNode(node, c.node) : c.node;

  // New touches: an edge already stored for the same entity and request is merged, not repeated.
  const at = new Map<string, number>();
  const touches = [...before.touches];
  touches.forEach((t, i) => at.set(touchKey(t), i));
  const fresh: Touch[] = [];
  for (const c of contributions) {
    for (const t of c.touches) {
      const known = at.get(touchKey(t));
      if (known !== undefined) {
        touches[known] = { ...touches[known]!, edge: mergeEdge(touches[known]!.edge, t.edge) };
        continue;
      }
      at.set(touchKey(t), touches.length);
      touches.push(t);
      fresh.push(t);
    }
  }

  const home = String(previous?.item.req ?? node?.requestId ?? contributions[0]?.request ?? meta?.requestId ?? '');
  const pk = activationPk(activationId);
  const item: Item = { pk, sk: ACTIVATION_SK, req: home };
  // Index sort keys need not be unique: the time alone orders them; readers order ties by id.
  if (node?.container) {
    item.cpk = node.container;
    item.csk = timeSortPart(node.start);
  }
  // The correlator's state: a later one replaces the earlier; a write without one keeps it.
  const state = meta ?? (previous ? itemMeta(previous.item) : undefined);
  if (state) item.m = metaAttribute(state, home, item.cpk as string | undefined);

  const out: Item[] = [item];
  let body: ActivationBody = { ...(node ? { node } : {}), touches };
  let bytes = encodeBody(body, home, dictionary);
  if (bytes.length > MAX_BODY_BYTES && fresh.length > 0) {
    // Too big for one item: the new touches go into items of their own in the same partition
    // (read with it), and the body keeps what it had. In the byContainer index too, for file histories.
    const kept = new Set(fresh);
    body = { ...(node ? { node } : {}), touches: touches.filter((t) => !kept.has(t)) };
    bytes = encodeBody(body, home, dictionary);
    const hash = createHash('sha256').update(JSON.stringify(fresh)).digest('hex').slice(0, 24);
    splitBySize(fresh, MAX_BODY_BYTES).forEach((part, p) => {
      out.push({
        pk,
        sk: `${SPILL_PREFIX}${hash}#${String(p).padStart(3, '0')}`,
        req: home,
        ...(item.cpk ? { cpk: item.cpk, csk: item.csk } : {}),
        ...(dictionary ? { dict: dictionary.hash } : {}),
        body: new Uint8Array(encodeBody({ touches: part }, home, dictionary)),
      });
    });
    item.spill = true;
  } else if (previous?.item.spill) item.spill = true;
  if (dictionary) item.dict = dictionary.hash;
  item.body = new Uint8Array(bytes);

  // Index entries for what nothing else explains; those written before stay as they are.
  const indexedBefore = new Set(previous ? indexedEntities(previous.body, activationId) : []);
  const all = indexedEntities({ ...(node ? { node } : {}), touches }, activationId);
  const firstTime = (entity: string) => Math.min(...touches.filter((t) => t.entity === entity).map((t) => t.edge.time ?? Number.POSITIVE_INFINITY));
  const indexKey = (entity: string) => {
    const time = firstTime(entity);
    return { hpk: entity, hsk: timeSortPart(Number.isFinite(time) ? time : undefined) };
  };
  const onItem = typeof previous?.item.hpk === 'string' ? String(previous.item.hpk) : all[0];
  if (onItem !== undefined) Object.assign(item, previous?.item.hpk ? { hpk: previous.item.hpk, hsk: previous.item.hsk } : indexKey(onItem));
  for (const entity of all) {
    if (entity === onItem || indexedBefore.has(entity)) continue;
    out.push({ pk, sk: pointerSortKey(entity), req: home, ...indexKey(entity) });
  }
  return { items: out };
}

const touchKey = (t: Touch): string => `${t.entity}\u0000${t.request}\u0000${t.edge.id}`;

