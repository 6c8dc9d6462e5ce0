// Mapping between the graph (upg/types.ts) and the store's items (pure).
//
// Every node field is its own top-level attribute, so two fragments that know different fields of
// one node (an activation's start from one batch, its end from another) can each SET only what they
// know and the stored item ends up with the union, with no read before the write (see merge.ts).
import type { GraphWarning, NodeKind, UpgEdge, UpgNode } from '../upg/types';
import { PROV_CLASS } from '../upg/types';
import type { ActivationMeta } from './types';
import { boundString, boundStringList, MAX_STRING_BYTES } from './bound';
import { edgeKey, metaKey, nodeKey, timeSortKey, timeSortPart, touchKey, warningKey, type ItemKey } from './keys';

/** every field name any node kind has */
type KeysOfUnion<T> = T extends unknown ? keyof T : never;
export type NodeField = KeysOfUnion<UpgNode>;

type FieldType = 'string' | 'number' | 'boolean' | 'strings' | 'json';

/**
 * How each node field is stored. Typed as a Record over every field of every node kind, so adding a
 * field to upg/types.ts fails to compile here until the store knows how to keep it.
 * `json` fields (a DynamoDB item's key: arbitrary JSON) are stored as a JSON string in `<field>Json`.
 */
export const NODE_FIELDS = {
  id: 'string',
  kind: 'string',
  label: 'string',
  firstSeen: 'number',
  lastSeen: 'number',
  truncated: 'strings',
  requestId: 'string',
  start: 'number',
  end: 'number',
  entry: 'string',
  activationId: 'string',
  action: 'string',
  container: 'string',
  cold: 'boolean',
  ok: 'boolean',
  error: 'string',
  parent: 'string',
  index: 'number',
  pid: 'number',
  exe: 'string',
  args: 'strings',
  name: 'string',
  namespace: 'string',
  containerId: 'string',
  invoker: 'string',
  cgroupId: 'string',
  path: 'string',
  address: 'string',
  port: 'number',
  proto: 'string',
  url: 'string',
  table: 'string',
  key: 'json',
  from: 'string',
  to: 'string',
  stream: 'string',
  seq: 'number',
  text: 'string',
  time: 'number',
  template: 'string',
  values: 'json',
  envelope: 'string',
  profile: 'string',
  deviations: 'json',
  unmatched: 'number',
  // workflows: a web request's client, a sequence or trigger activation
  method: 'string',
  headers: 'json',
  platform: 'string',
  // completeness (upg/completeness.ts)
  stdoutClosed: 'boolean',
  stderrClosed: 'boolean',
  kernelCapture: 'boolean',
  kernelDelivered: 'boolean',
} as const satisfies Record<NodeField, FieldType>;

/** the attribute name each node field is stored under */
export type StoredNodeAttribute = {
  [F in NodeField]: (typeof NODE_FIELDS)[F] extends 'json' ? `${F}Json` : F;
}[NodeField];

export const EDGE_FIELDS: Record<keyof UpgEdge, FieldType> = {
  id: 'string',
  from: 'string',
  to: 'string',
  kind: 'string',
  op: 'string',
  time: 'number',
  count: 'number',
  bytes: 'number',
  activationId: 'string',
  source: 'string',
};

export const WARNING_FIELDS: Record<keyof GraphWarning, FieldType> = {
  code: 'string',
  message: 'string',
  activationId: 'string',
  count: 'number',
};

export const META_FIELDS: Record<keyof ActivationMeta, FieldType> = {
  activationId: 'string',
  requestId: 'string',
  action: 'string',
  container: 'string',
  key: 'string',
  start: 'number',
  nextSeq: 'number',
  profile: 'string',
  lms: 'string',
  closedAt: 'json',
};

/**
 * Node fields merged as min / max over every fragment instead of "the last fragment that knows it"
 * (the same rule as upg/merge.ts uses in memory, so a graph merged there and one merged here agree).
 */
const NODE_MIN_FIELDS = new Set<string>(['firstSeen', 'start']);
const NODE_MAX_FIELDS = new Set<string>(['lastSeen', 'end']);
/** the store's own bookkeeping field: accumulated as a set, never set from the input */
const NODE_STORE_FIELDS = new Set<NodeField>(['truncated']);

export const storedName = (field: string, type: FieldType): string => (type === 'json' ? `${field}Json` : field);

/** A write that merges into whatever is stored (see merge.ts for how it is executed). */
export interface MergeUpdate {
  key: ItemKey;
  /** attributes this writer knows; writers of one fact agree, so the last one may win */
  set: Record<string, unknown>;
  /** placeholders written only when the item has no value yet */
  setIfMissing: Record<string, unknown>;
  /** string sets to union into */
  addToSet: Record<string, string[]>;
  /** attributes that keep the smallest (`min`) or largest (`max`) value any writer gave, with companions
   *  that must change together with them (e.g. the sort key derived from a start time) */
  monotone: MonotoneField[];
}

export interface MonotoneField {
  attr: string;
  keep: 'min' | 'max';
  value: number | string;
  companions?: Record<string, unknown>;
}

/** Encode one field value for storage; returns undefined for absent values. */
function encodeField(
  type: FieldType,
  value: unknown,
): { value: unknown; truncated: boolean } | undefined {
  if (value === undefined || value === null) return undefined;
  switch (type) {
    case 'string':
      return boundString(String(value), MAX_STRING_BYTES);
    case 'strings':
      return Array.isArray(value) ? boundStringList(value.map(String)) : undefined;
    case 'json':
      return boundString(JSON.stringify(value), MAX_STRING_BYTES);
    case 'number':
    case 'boolean':
      return { value, truncated: false };
  }
}

function decodeField(type: FieldType, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (type === 'json') {
    try {
      return JSON.parse(String(value));
    } catch {
      // A value cut by the size bound is no longer valid JSON: keep it readable rather than lose it.
      return { truncatedJson: String(value) };
    }
  }
  if (type === 'strings') return Array.isArray(value) ? value : [...(value as Set<string>)].sort();
  return value;
}

/** What a fragment's node contributes to its stored item. */
export function nodeUpdate(request: string, node: UpgNode): MergeUpdate {
  const update: MergeUpdate = {
    key: nodeKey(request, node.id),
    set: { req: request },
    setIfMissing: {},
    addToSet: {},
    monotone: [],
  };
  const truncated: string[] = [];
  for (const [field, raw] of Object.entries(node)) {
    const type: FieldType | undefined = (NODE_FIELDS as Record<string, FieldType>)[field];
    // Fields outside the contract are not kept: the contract (upg/types.ts) is what the store stores.
    if (type === undefined || NODE_STORE_FIELDS.has(field as NodeField)) continue;
    const encoded = encodeField(type, raw);
    if (encoded === undefined) continue;
    if (encoded.truncated) truncated.push(field);
    const attr = storedName(field, type);
    if (NODE_MIN_FIELDS.has(field)) update.monotone.push({ attr, keep: 'min', value: encoded.value as number });
    else if (NODE_MAX_FIELDS.has(field)) update.monotone.push({ attr, keep: 'max', value: encoded.value as number });
    else update.set[attr] = encoded.value;
  }
  if (truncated.length > 0) update.addToSet.truncated = truncated;
  // A log line matched to an LMS template is kept as template + values only: its text is
  // rebuilt exactly from the action's profile when read (store/profiles.ts).
  if (node.kind === 'log' && node.template !== undefined && node.values !== undefined) delete update.set.text;
  if (node.kind === 'request' && typeof update.set.entry === 'string') {
    // A request's entry is the action that started first: it follows the earliest start.
    update.monotone.push({ attr: 'entryRank', keep: 'min', value: timeSortPart(node.start), companions: { entry: update.set.entry } });
    delete update.set.entry;
  }
  if (node.kind === 'activation') {
    // byContainer index: the activations of one container in time order; the sort key moves with start.
    update.set.cpk = node.container;
    const start = update.monotone.find((m) => m.attr === 'start');
    if (start) start.companions = { csk: timeSortKey(node.start, node.id) };
    else update.setIfMissing.csk = timeSortKey(undefined, node.id);
  }
  return update;
}

/** Decode stored attributes back into the fields of a `fields` table (drops the store's own attributes). */
function decodeItem(item: Record<string, unknown>, fields: Record<string, FieldType>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(fields)) {
    const value = decodeField(type, item[storedName(field, type)]);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export function itemToNode(item: Record<string, unknown>): UpgNode {
  return decodeItem(item, NODE_FIELDS as Record<string, FieldType>) as unknown as UpgNode;
}

/** Plain-put attributes for the fields of `fields` (bounded; absent values left out). */
function encodeAll(value: object, fields: Record<string, FieldType>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(value)) {
    const type = fields[field];
    if (type === undefined) continue;
    const encoded = encodeField(type, raw);
    if (encoded !== undefined) out[storedName(field, type)] = encoded.value;
  }
  return out;
}

export function edgeItem(request: string, edge: UpgEdge): Record<string, unknown> {
  return { ...edgeKey(request, edge.id), req: request, ...encodeAll(edge, EDGE_FIELDS) };
}

export function itemToEdge(item: Record<string, unknown>): UpgEdge {
  return decodeItem(item, EDGE_FIELDS) as unknown as UpgEdge;
}

/**
 * The endpoints of an edge that are entities: each gets a touch item in the byEntity index, which is
 * how one entity (a file left in /tmp) is followed across requests. Node kinds from the fragment
 * decide; for endpoints the fragment does not describe, the PROV relation says which side is the entity.
 */
export function entityEndpoints(edge: UpgEdge, kindOf: (nodeId: string) => NodeKind | undefined): string[] {
  const byRelation: Record<string, Array<'from' | 'to'>> = {
    used: ['to'],
    wasGeneratedBy: ['from'],
    wasInvalidatedBy: ['from'],
    wasDerivedFrom: ['from', 'to'],
  };
  const out: string[] = [];
  for (const side of ['from', 'to'] as const) {
    const id = edge[side];
    const kind = kindOf(id);
    const isEntity = kind !== undefined ? PROV_CLASS[kind] === 'entity' : (byRelation[edge.kind] ?? []).includes(side);
    if (isEntity && !out.includes(id)) out.push(id);
  }
  return out;
}

export function touchItem(request: string, entityId: string, edge: UpgEdge): Record<string, unknown> {
  return {
    ...touchKey(request, entityId, edge.id),
    req: request,
    hpk: entityId,
    hsk: timeSortKey(edge.time, `${request}#${edge.id}`),
    ...encodeAll(edge, EDGE_FIELDS),
  };
}

export function itemToTouchedEdge(item: Record<string, unknown>): UpgEdge & { request: string } {
  return { ...itemToEdge(item), request: String(item.req) };
}

export function warningItem(request: string, warning: GraphWarning): Record<string, unknown> {
  return { ...warningKey(request, warning), req: request, ...encodeAll(warning, WARNING_FIELDS) };
}

export function itemToWarning(item: Record<string, unknown>): GraphWarning {
  return decodeItem(item, WARNING_FIELDS) as unknown as GraphWarning;
}

export function metaItem(meta: ActivationMeta): Record<string, unknown> {
  return { ...metaKey(meta.activationId), ...encodeAll(meta, META_FIELDS) };
}

export function itemToMeta(item: Record<string, unknown>): ActivationMeta {
  return decodeItem(item, META_FIELDS) as unknown as ActivationMeta;
}

/**
 * A node exactly as the store gives it back: fields outside the contract dropped, long strings cut
 * and flagged in `truncated`, a templated log line without its text (rebuilt from the profile on
 * read). What nodeUpdate's item gives back through itemToNode, so every layout stores the same
 * facts, computed without building the item: the correlator does this for every node it writes.
 * Fields come out in NODE_FIELDS order, as itemToNode gives them (the stored JSON depends on it).
 */
export function storedNode(node: UpgNode): UpgNode {
  const truncated: string[] = [];
  const encoded = encodePresent(node, NODE_FIELDS, NODE_STORE_FIELDS, truncated);
  if (node.kind === 'log' && node.template !== undefined && node.values !== undefined) encoded.delete('text');
  if (truncated.length > 0) encoded.set('truncated', truncated);
  return decodeInOrder(encoded, NODE_FIELDS, NODE_ORDER) as unknown as UpgNode;
}

/** An edge exactly as the store gives it back (see storedNode): itemToEdge of its encoded fields. */
export const storedEdge = (edge: UpgEdge): UpgEdge => decodeInOrder(encodePresent(edge, EDGE_FIELDS), EDGE_FIELDS, EDGE_ORDER) as unknown as UpgEdge;

/** A warning exactly as the store gives it back (see storedNode). */
export const storedWarning = (warning: GraphWarning): GraphWarning => itemToWarning(encodeAll(warning, WARNING_FIELDS));

const orderOf = (fields: Record<string, FieldType>): ReadonlyMap<string, number> => new Map(Object.keys(fields).map((f, i) => [f, i]));
const NODE_ORDER = orderOf(NODE_FIELDS);
const EDGE_ORDER = orderOf(EDGE_FIELDS);

/** The encoded value of each field `value` has (encodeField), by field name; `truncated` collects the fields cut. */
function encodePresent(value: object, fields: Record<string, FieldType>, skip?: ReadonlySet<string>, truncated?: string[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const record = value as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    const type = fields[field];
    if (type === undefined || skip?.has(field)) continue;
    const encoded = encodeField(type, record[field]);
    if (encoded === undefined) continue;
    if (encoded.truncated) truncated?.push(field);
    out.set(field, encoded.value);
  }
  return out;
}

/** decodeItem over encoded values by field name: each decoded, in the order of `fields`. */
function decodeInOrder(encoded: ReadonlyMap<string, unknown>, fields: Record<string, FieldType>, order: ReadonlyMap<string, number>): Record<string, unknown> {
  const names = [...encoded.keys()].sort((a, b) => order.get(a)! - order.get(b)!);
  const out: Record<string, unknown> = {};
  for (const field of names) {
    const value = decodeField(fields[field]!, encoded.get(field));
    if (value !== undefined) out[field] = value;
  }
  return out;
}
