// Pure part of the DynamoDB hook: turn a command's input and output into the facts a `ddb`
// record carries (operation, table, item key, keys of many items). Works on both the
// low-level client's AttributeValue maps and the document client's plain values.

/** Most keys a record lists for one multi-item operation. */
export const MAX_KEYS = 25;

export type PlainKey = Record<string, unknown>;

const ATTRIBUTE_TAGS = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'];

function isAttributeValue(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
  return keys.length === 1 && ATTRIBUTE_TAGS.includes(keys[0]);
}

function numberOf(n: unknown): number | string {
  const x = Number(n);
  return Number.isSafeInteger(x) || (Number.isFinite(x) && !/^-?\d+$/.test(String(n))) ? x : String(n);
}

function bytesOf(b: unknown): string {
  if (typeof b === 'string') return b;
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  return String(b);
}

/** One AttributeValue to plain JSON. */
export function unmarshallValue(av: unknown): unknown {
  if (!isAttributeValue(av)) return toPlain(av);
  const [tag] = Object.keys(av).filter((k) => av[k] !== undefined);
  const v = av[tag];
  switch (tag) {
    case 'S':
      return String(v);
    case 'N':
      return numberOf(v);
    case 'B':
      return bytesOf(v);
    case 'BOOL':
      return Boolean(v);
    case 'NULL':
      return null;
    case 'M':
      return unmarshallMap(v);
    case 'L':
      return Array.isArray(v) ? v.map(unmarshallValue) : [];
    case 'SS':
      return Array.isArray(v) ? v.map(String) : [];
    case 'NS':
      return Array.isArray(v) ? v.map(numberOf) : [];
    case 'BS':
      return Array.isArray(v) ? v.map(bytesOf) : [];
  }
  return null;
}

export function unmarshallMap(m: unknown): PlainKey {
  const out: PlainKey = {};
  if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) out[k] = unmarshallValue(v);
  return out;
}

/** Document-client values to plain JSON (sets, bytes, big numbers). */
export function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return bytesOf(v);
  if (v instanceof Set) return [...v].map(toPlain);
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'object') {
    const ctorName = (v as object).constructor?.name;
    if (ctorName === 'NumberValue' && typeof (v as { value?: unknown }).value === 'string') return numberOf((v as { value: string }).value);
    const out: PlainKey = {};
    for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
    return out;
  }
  return v;
}

/** An item or key map (marshalled or not) to plain JSON. */
export function plainItem(item: unknown, marshalled: boolean): PlainKey {
  if (!item || typeof item !== 'object') return {};
  return marshalled ? unmarshallMap(item) : (toPlain(item) as PlainKey);
}

/** The key attributes of an item, given the table's key attribute names. */
export function pickKey(item: PlainKey, keyNames: string[]): PlainKey | undefined {
  if (keyNames.length === 0) return undefined;
  const out: PlainKey = {};
  for (const name of keyNames) {
    if (!(name in item)) return undefined;
    out[name] = item[name];
  }
  return out;
}

/** One `ddb` record's facts, before the key-schema lookup fills in keys of written items. */
export interface DdbFact {
  op: string;
  table: string;
  key?: PlainKey;
  keys?: PlainKey[];
  /** items whose key needs the table's key schema (PutItem, Query/Scan results, batch puts) */
  itemsNeedingSchema?: PlainKey[];
  /** for a single-item write whose key comes from the item (PutItem) */
  singleFromItem?: boolean;
}

/** Tables and the key attribute names a command reveals (from its Key parameters). */
export function keyNamesSeen(op: string, input: Record<string, unknown>): Array<[string, string[]]> {
  const seen: Array<[string, string[]]> = [];
  const table = typeof input.TableName === 'string' ? input.TableName : undefined;
  if (table && input.Key && typeof input.Key === 'object') seen.push([table, Object.keys(input.Key).sort()]);
  if (op === 'BatchGetItem' && input.RequestItems && typeof input.RequestItems === 'object') {
    for (const [t, req] of Object.entries(input.RequestItems as Record<string, { Keys?: unknown[] }>)) {
      const first = req?.Keys?.[0];
      if (first && typeof first === 'object') seen.push([t, Object.keys(first).sort()]);
    }
  }
  return seen;
}

/** Key attribute names from a DescribeTable output. */
export function keyNamesFromDescription(output: unknown): string[] | undefined {
  const schema = (output as { Table?: { KeySchema?: Array<{ AttributeName?: unknown }> } })?.Table?.KeySchema;
  if (!Array.isArray(schema)) return undefined;
  return schema.map((k) => String(k.AttributeName)).sort();
}

function cap<T>(xs: T[]): T[] {
  return xs.slice(0, MAX_KEYS);
}

/**
 * What a finished command says, one fact per table touched. `output` is undefined when the
 * command failed.
 */
export function factsOf(op: string, input: Record<string, unknown>, output: Record<string, unknown> | undefined, marshalled: boolean): DdbFact[] {
  const table = typeof input.TableName === 'string' ? input.TableName : '';
  const item = (x: unknown) => plainItem(x, marshalled);
  switch (op) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [{ op, table, key: input.Key ? item(input.Key) : undefined }];
    case 'PutItem':
      return [{ op, table, itemsNeedingSchema: input.Item ? [item(input.Item)] : [], singleFromItem: true }];
    case 'Query':
    case 'Scan': {
      const items = Array.isArray(output?.Items) ? cap(output!.Items as unknown[]).map(item) : [];
      return [{ op, table, itemsNeedingSchema: items }];
    }
    case 'BatchGetItem': {
      const requested = (input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>;
      const responses = (output?.Responses ?? {}) as Record<string, unknown[]>;
      return Object.keys(requested).map((t) => {
        const keyNames = Object.keys(requested[t]?.Keys?.[0] ?? {}).sort();
        const got = Array.isArray(responses[t]) ? responses[t] : undefined;
        // Keys of the items returned when the call succeeded, of the items asked for otherwise.
        const keys = got ? got.map((x) => pickKey(item(x), keyNames)).filter((k): k is PlainKey => !!k) : (requested[t]?.Keys ?? []).map(item);
        return { op, table: t, keys: cap(keys) };
      });
    }
    case 'BatchWriteItem': {
      const requests = (input.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }>>;
      return Object.keys(requests).map((t) => {
        const entries = Array.isArray(requests[t]) ? requests[t] : [];
        const keys = entries.filter((e) => e?.DeleteRequest?.Key).map((e) => item(e.DeleteRequest!.Key));
        const puts = entries.filter((e) => e?.PutRequest?.Item).map((e) => item(e.PutRequest!.Item));
        return { op, table: t, keys: cap(keys), itemsNeedingSchema: cap(puts) };
      });
    }
    case 'TransactGetItems':
    case 'TransactWriteItems': {
      const entries = Array.isArray(input.TransactItems) ? (input.TransactItems as Array<Record<string, { TableName?: unknown; Key?: unknown; Item?: unknown }>>) : [];
      const byTable = new Map<string, DdbFact>();
      for (const entry of entries) {
        for (const part of Object.values(entry ?? {})) {
          if (!part || typeof part.TableName !== 'string') continue;
          let fact = byTable.get(part.TableName);
          if (!fact) byTable.set(part.TableName, (fact = { op, table: part.TableName, keys: [], itemsNeedingSchema: [] }));
          if (part.Key) fact.keys!.push(item(part.Key));
          else if (part.Item) fact.itemsNeedingSchema!.push(item(part.Item));
        }
      }
      return [...byTable.values()].map((f) => ({ ...f, keys: cap(f.keys!), itemsNeedingSchema: cap(f.itemsNeedingSchema!) }));
    }
    default:
      return [{ op, table }];
  }
}

/** Completes a fact with the table's key names (when known) and drops the working fields. */
export function completeFact(fact: DdbFact, keyNames: string[] | undefined): { op: string; table: string; key?: PlainKey; keys?: PlainKey[] } {
  const out: { op: string; table: string; key?: PlainKey; keys?: PlainKey[] } = { op: fact.op, table: fact.table };
  if (fact.key) out.key = fact.key;
  let keys = fact.keys ? [...fact.keys] : [];
  if (fact.itemsNeedingSchema && keyNames) {
    const derived = fact.itemsNeedingSchema.map((x) => pickKey(x, keyNames)).filter((k): k is PlainKey => !!k);
    if (fact.singleFromItem) {
      if (derived[0]) out.key = derived[0];
    } else {
      keys = keys.concat(derived);
    }
  }
  if (keys.length > 0 || (fact.keys && !fact.singleFromItem)) out.keys = cap(keys);
  return out;
}

/** Does completing this fact need the table's key schema? */
export function needsSchema(fact: DdbFact): boolean {
  return !!fact.itemsNeedingSchema && fact.itemsNeedingSchema.length > 0;
}
