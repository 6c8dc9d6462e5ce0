import { describe, expect, it } from 'vitest';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { $add, $get, BatchPutRequest, UpdateItemCommand, type Entity } from 'dynamodb-toolbox';
import { defineTable } from './table';
import { itemSchemaOf, marshalItem, mergeUpdateInput, unmarshalItem } from './raw-items';

const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const model = defineTable('t', DynamoDBDocumentClient.from(client));
const { entities } = model;

/** What dynamodb-toolbox would put for the item (plain values, as the document client marshals them). */
const toolboxPut = (entity: Entity, item: Record<string, unknown>) =>
  (entity.build(BatchPutRequest).item(item as never).params() as { PutRequest: { Item: Record<string, unknown> } }).PutRequest.Item;

const bytes = new Uint8Array([0, 1, 2, 250]);

describe('raw items are written as dynamodb-toolbox writes them', () => {
  it.each([
    ['chunk', entities.chunk, { pk: 'REQ#r', sk: 'G#h#000', req: 'r', parts: 1, dict: 'd', body: bytes }],
    ['activation', entities.activation, { pk: 'ACT#a', sk: 'A', req: 'r', cpk: 'ctr:x', csk: '0001', hpk: 'ddb:t', hsk: '0002', dict: 'd', body: bytes, spill: true, m: '{"k":"00"}' }],
    ['activation, fewest attributes', entities.activation, { pk: 'ACT#a', sk: 'A', req: 'r', body: bytes }],
    ['pointer', entities.pointer, { pk: 'ACT#a', sk: 'X#e', req: 'r', hpk: 'e', hsk: '0003' }],
    ['touch group', entities.touchGroup, { pk: 'REQ#r', sk: 'X#g#h#000', req: 'r', hpk: 'g', hsk: '0004', body: bytes }],
    ['behaviour', entities.behaviour, { pk: 'BEHAVIOUR#h', sk: 'BEHAVIOUR', hash: 'h', body: bytes }],
    ['bucket', entities.bucket, { pk: 'BUCKETS', sk: 'DAY#2026-12-03', bucket: 'DAY#2026-12-03' }],
    ['profile', entities.profile, { pk: 'LMS#h', sk: 'LMS', hash: 'h', body: 'H4sI' }],
    ['summary with sets', entities.summary, { pk: 'REQ#r', sk: 'S', req: 'r', start: 5, activationIds: new Set(['a', 'b']), actions: new Set(['/guest/x']) }],
    ['node with a list', entities.node, { pk: 'REQ#r', sk: 'N#n', args: ['node', 'x.js'], cold: false, pid: 7 }],
    ['an attribute the schema does not name is left out', entities.pointer, { pk: 'ACT#a', sk: 'X#e', req: 'r', hpk: 'e', hsk: '0003', extra: 1 }],
  ])('%s', (_name, entity, item) => {
    expect(unmarshalItem(marshalItem(itemSchemaOf(entity), item))).toEqual(toolboxPut(entity, item));
  });

  it.each([
    ['a required attribute missing', entities.pointer, { pk: 'ACT#a', sk: 'X#e', hpk: 'e', hsk: '0003' }, /pointer item ACT#a X#e: attribute req is required/],
    ['a string that is a number', entities.pointer, { pk: 'ACT#a', sk: 'X#e', req: 3, hpk: 'e', hsk: '0003' }, /attribute req should be a string/],
    ['a number that is not finite', entities.chunk, { pk: 'REQ#r', sk: 'G', req: 'r', parts: Number.NaN, body: bytes }, /attribute parts should be a number/],
    ['binary given as text', entities.chunk, { pk: 'REQ#r', sk: 'G', req: 'r', parts: 1, body: 'abc' }, /attribute body should be a binary/],
    ['an empty set', entities.summary, { pk: 'REQ#r', sk: 'S', actions: new Set() }, /set actions is empty/],
  ])('refuses %s, as dynamodb-toolbox does', (_name, entity, item, message) => {
    expect(() => marshalItem(itemSchemaOf(entity), item)).toThrow(message);
    if (!String(message).includes('empty')) expect(() => toolboxPut(entity, item)).toThrow();
  });

  it('writes every kind of value in its DynamoDB type', () => {
    const wire = marshalItem(itemSchemaOf(entities.node), { pk: 'p', sk: 's', pid: 7, cold: true, args: ['a'], truncated: new Set(['label']), label: 'x' });
    expect(wire).toEqual({ pk: { S: 'p' }, sk: { S: 's' }, pid: { N: '7' }, cold: { BOOL: true }, args: { L: [{ S: 'a' }] }, truncated: { SS: ['label'] }, label: { S: 'x' }, _et: { S: 'node' } });
  });
});

/** An update expression with its placeholders filled in, as a sorted list of clauses (order-free). */
function canonical(input: { UpdateExpression?: string; ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }, wire: boolean) {
  const values = Object.fromEntries(
    Object.entries(input.ExpressionAttributeValues ?? {}).map(([k, v]) => [k, wire ? unmarshalItem({ v: v as AttributeValue }).v : v]),
  );
  const fill = (text: string) =>
    text.replace(/#\w+/g, (n) => input.ExpressionAttributeNames![n]!).replace(/:\w+/g, (v) => JSON.stringify(values[v], (_k, x) => (x instanceof Set ? [...x].sort() : x)));
  const clauses = (input.UpdateExpression ?? '').split(/\s(?=SET |ADD )/).flatMap((part) => {
    const [verb, ...rest] = part.split(' ');
    return rest.join(' ').split(/,\s*(?![^(]*\))/).map((c) => `${verb} ${fill(c.trim())}`);
  });
  return { clauses: clauses.sort(), condition: input.ConditionExpression ? fill(input.ConditionExpression) : undefined };
}

describe('the summary merge is the UpdateItem dynamodb-toolbox sends', () => {
  const schema = itemSchemaOf(entities.summary);
  it('SET, SET if missing, ADD to a set, and the entity name if missing', () => {
    const raw = mergeUpdateInput('t', schema, { key: { pk: 'REQ#r', sk: 'S' }, set: { req: 'r' }, setIfMissing: { start: 5, tpk: 'DAY#x' }, addToSet: { activationIds: ['a', 'b'] } }, 'ALL_NEW');
    const toolbox = entities.summary
      .build(UpdateItemCommand)
      .item({ pk: 'REQ#r', sk: 'S', req: 'r', start: $get('start', 5), tpk: $get('tpk', 'DAY#x'), activationIds: $add(new Set(['a', 'b'])) } as never)
      .options({ returnValues: 'ALL_NEW' })
      .params();
    expect(canonical(raw, true)).toEqual(canonical(toolbox, false));
    expect(raw.ReturnValues).toBe('ALL_NEW');
    expect(raw.Key).toEqual({ pk: { S: 'REQ#r' }, sk: { S: 'S' } });
  });

  it('a conditional correction', () => {
    const raw = mergeUpdateInput('t', schema, { key: { pk: 'REQ#r', sk: 'S' }, set: { start: 3, tpk: 'DAY#y' }, setIfMissing: {}, addToSet: {}, condition: { attr: 'start', gte: 3 } });
    const toolbox = entities.summary
      .build(UpdateItemCommand)
      .item({ pk: 'REQ#r', sk: 'S', start: 3, tpk: 'DAY#y' } as never)
      .options({ condition: { attr: 'start', gte: 3 } } as never)
      .params();
    expect(canonical(raw, true)).toEqual(canonical(toolbox, false));
  });

  it('refuses an attribute the summary does not have', () => {
    expect(() => mergeUpdateInput('t', schema, { key: { pk: 'p', sk: 's' }, set: { colour: 'red' }, setIfMissing: {}, addToSet: {} })).toThrow(/summary item p s: the schema has no attribute colour/);
  });
});
