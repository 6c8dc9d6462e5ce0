// Items as DynamoDB's wire form (pure), for the correlator's write path: BatchWriteItem puts and the
// summary's UpdateItem. Going through dynamodb-toolbox and the document client cost about a third of
// the correlator's own CPU per activation (schema parsing, expression building, then marshalling
// every value again), for items that are flat: strings, numbers, booleans, binary, string sets.
//
// The entities in table.ts stay the one definition of what an item holds: the schema used here is
// read from them, and an item is written exactly as dynamodb-toolbox writes it (the same attributes,
// the entity's name in `_et`, attributes the schema does not name left out), so every reader, which
// still reads through dynamodb-toolbox, sees no difference. raw-items.test.ts checks that for each kind.
import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Entity } from 'dynamodb-toolbox';

type Item = Record<string, unknown>;

interface AttributeSpec {
  name: string;
  /** the attribute's name in the table */
  savedAs: string;
  type: string;
  /** for sets and lists: the elements' type */
  elements?: string;
  required: boolean;
  /** written when the item has no value (the entity's name, for `_et`) */
  putDefault?: unknown;
}

export interface ItemSchema {
  entity: string;
  attributes: readonly AttributeSpec[];
  byName: ReadonlyMap<string, AttributeSpec>;
}

interface ToolboxAttribute {
  type: string;
  props: { required?: string; savedAs?: string; putDefault?: unknown };
  elements?: { type: string };
}

const schemas = new WeakMap<Entity, ItemSchema>();

/** The write schema of an entity of table.ts, read from its dynamodb-toolbox schema once. */
export function itemSchemaOf(entity: Entity): ItemSchema {
  const known = schemas.get(entity);
  if (known) return known;
  const attributes = Object.entries((entity.schema as unknown as { attributes: Record<string, ToolboxAttribute> }).attributes).map(
    ([name, a]): AttributeSpec => {
      if (!['string', 'number', 'boolean', 'binary', 'set', 'list'].includes(a.type)) {
        throw new Error(`entity ${entity.entityName}: attribute ${name} is a ${a.type}, which raw-items.ts cannot write; add it there`);
      }
      return {
        name,
        savedAs: a.props.savedAs ?? name,
        type: a.type,
        ...(a.elements ? { elements: a.elements.type } : {}),
        required: (a.props.required ?? 'atLeastOnce') !== 'never',
        ...(a.props.putDefault !== undefined ? { putDefault: a.props.putDefault } : {}),
      };
    },
  );
  const schema: ItemSchema = { entity: entity.entityName, attributes, byName: new Map(attributes.map((a) => [a.name, a])) };
  schemas.set(entity, schema);
  return schema;
}

/** One item as a PutRequest's Item. Throws on a missing required attribute or a value of the wrong type. */
export function marshalItem(schema: ItemSchema, item: Item): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const a of schema.attributes) {
    const value = item[a.name] ?? a.putDefault;
    if (value === undefined || value === null) {
      if (a.required) throw new Error(`${schema.entity} item ${describeKey(item)}: attribute ${a.name} is required`);
      continue;
    }
    out[a.savedAs] = attributeValue(schema, a, value, item);
  }
  return out;
}

function attributeValue(schema: ItemSchema, a: AttributeSpec, value: unknown, item: Item): AttributeValue {
  const wrong = (): Error => new Error(`${schema.entity} item ${describeKey(item)}: attribute ${a.name} should be a ${a.elements ? `${a.type} of ${a.elements}` : a.type}`);
  switch (a.type) {
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return { S: value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      return { N: String(value) };
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return { BOOL: value };
    case 'binary':
      if (!(value instanceof Uint8Array)) throw wrong();
      return { B: value };
    case 'set': {
      const values = value instanceof Set ? [...value] : Array.isArray(value) ? value : undefined;
      if (!values || a.elements !== 'string' || values.some((v) => typeof v !== 'string')) throw wrong();
      // DynamoDB refuses an empty set: the attribute is left out, as an absent set reads back the same.
      if (values.length === 0) throw new Error(`${schema.entity} item ${describeKey(item)}: set ${a.name} is empty (DynamoDB refuses empty sets); leave it out`);
      return { SS: values as string[] };
    }
    case 'list':
      if (!Array.isArray(value) || a.elements !== 'string' || value.some((v) => typeof v !== 'string')) throw wrong();
      return { L: (value as string[]).map((S) => ({ S })) };
    default:
      throw wrong();
  }
}

const describeKey = (item: Item): string => `${String(item.pk)} ${String(item.sk)}`;

/** What one UpdateItem merges into a stored item (merge.ts firstPass), and an optional condition. */
export interface MergeWrite {
  key: { pk: string; sk: string };
  set: Item;
  setIfMissing: Item;
  addToSet: Record<string, readonly string[]>;
  /** apply only while the stored attribute is >= gte, or <= lte */
  condition?: { attr: string; gte?: number | string; lte?: number | string };
}

/**
 * An UpdateItem's input: SET a = :v for `set` (and the entity's name in `_et` if missing), SET a =
 * if_not_exists(a, :v) for `setIfMissing`, ADD a :set for `addToSet`; what dynamodb-toolbox's
 * UpdateItemCommand sends for the same item.
 */
export function mergeUpdateInput(table: string, schema: ItemSchema, write: MergeWrite, returnValues?: 'ALL_NEW'): UpdateItemCommandInput {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets: string[] = [];
  const adds: string[] = [];
  let n = 0;
  const placeholder = (attr: string, value: AttributeValue): [string, string] => {
    n++;
    names[`#a${n}`] = attr;
    values[`:v${n}`] = value;
    return [`#a${n}`, `:v${n}`];
  };
  const spec = (name: string): AttributeSpec => {
    const a = schema.byName.get(name);
    if (!a) throw new Error(`${schema.entity} item ${describeKey(write.key)}: the schema has no attribute ${name}`);
    return a;
  };
  for (const [name, value] of Object.entries(write.set)) {
    if (value === undefined) continue;
    const a = spec(name);
    const [k, v] = placeholder(a.savedAs, attributeValue(schema, a, value, write.key));
    sets.push(`${k} = ${v}`);
  }
  const missing: Item = { ...write.setIfMissing };
  for (const a of schema.attributes) if (a.putDefault !== undefined && missing[a.name] === undefined && write.set[a.name] === undefined) missing[a.name] = a.putDefault;
  for (const [name, value] of Object.entries(missing)) {
    if (value === undefined) continue;
    const a = spec(name);
    const [k, v] = placeholder(a.savedAs, attributeValue(schema, a, value, write.key));
    sets.push(`${k} = if_not_exists(${k}, ${v})`);
  }
  for (const [name, list] of Object.entries(write.addToSet)) {
    if (list.length === 0) continue;
    const a = spec(name);
    const [k, v] = placeholder(a.savedAs, attributeValue(schema, a, new Set(list), write.key));
    adds.push(`${k} ${v}`);
  }
  const input: UpdateItemCommandInput = {
    TableName: table,
    Key: { pk: { S: write.key.pk }, sk: { S: write.key.sk } },
    UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  if (write.condition) {
    const { attr, gte, lte } = write.condition;
    const bound = gte ?? lte;
    if (bound === undefined) throw new Error(`condition on ${attr} needs gte or lte`);
    const [k, v] = placeholder(spec(attr).savedAs, typeof bound === 'number' ? { N: String(bound) } : { S: bound });
    input.ConditionExpression = `${k} ${gte !== undefined ? '>=' : '<='} ${v}`;
  }
  if (returnValues) input.ReturnValues = returnValues;
  return input;
}

/** A returned item in plain values (strings, numbers, booleans, bytes, string sets as Set, lists, maps). */
export function unmarshalItem(item: Record<string, AttributeValue>): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = plain(v);
  return out;
}

function plain(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.B !== undefined) return v.B;
  if (v.SS !== undefined) return new Set(v.SS);
  if (v.NS !== undefined) return new Set(v.NS.map(Number));
  if (v.L !== undefined) return v.L.map(plain);
  if (v.M !== undefined) return unmarshalItem(v.M);
  if (v.NULL) return null;
  throw new Error(`unexpected DynamoDB value ${JSON.stringify(Object.keys(v))}`);
}
