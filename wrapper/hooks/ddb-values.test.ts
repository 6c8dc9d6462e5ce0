import { describe, expect, it } from 'vitest';
import { completeFact, factsOf, keyNamesFromDescription, keyNamesSeen, MAX_KEYS, needsSchema, toPlain, unmarshallMap, unmarshallValue } from './ddb-values';

describe('unmarshallValue', () => {
  it.each([
    [{ S: 'x' }, 'x'],
    [{ N: '42' }, 42],
    [{ N: '1.5' }, 1.5],
    [{ N: '123456789012345678901234567890' }, '123456789012345678901234567890'],
    [{ B: new Uint8Array([1, 2, 3]) }, 'AQID'],
    [{ BOOL: true }, true],
    [{ NULL: true }, null],
    [{ M: { a: { S: 'b' } } }, { a: 'b' }],
    [{ L: [{ N: '1' }, { S: 'two' }] }, [1, 'two']],
    [{ SS: ['a', 'b'] }, ['a', 'b']],
    [{ NS: ['1', '2'] }, [1, 2]],
  ] as Array<[unknown, unknown]>)('%j', (av, expected) => {
    expect(unmarshallValue(av)).toEqual(expected);
  });

  it('unmarshalls a key map', () => {
    expect(unmarshallMap({ id: { S: 'p1' }, v: { N: '3' } })).toEqual({ id: 'p1', v: 3 });
  });
});

describe('toPlain (document client values)', () => {
  it('turns sets, bytes and bigints into JSON', () => {
    expect(toPlain({ s: new Set(['a']), b: Buffer.from([255]), n: 10n })).toEqual({ s: ['a'], b: '/w==', n: '10' });
  });
});

describe('factsOf + completeFact', () => {
  it('GetItem (marshalled): the key, unmarshalled, without a schema lookup', () => {
    const [f] = factsOf('GetItem', { TableName: 'T', Key: { id: { S: 'a' } } }, { Item: { id: { S: 'a' } } }, true);
    expect(needsSchema(f)).toBe(false);
    expect(completeFact(f, undefined)).toEqual({ op: 'GetItem', table: 'T', key: { id: 'a' } });
  });

  it('PutItem (document): the key from the item once the schema is known', () => {
    const [f] = factsOf('PutItem', { TableName: 'T', Item: { id: 'a', sk: 2, big: 'x' } }, {}, false);
    expect(needsSchema(f)).toBe(true);
    expect(completeFact(f, ['id', 'sk'])).toEqual({ op: 'PutItem', table: 'T', key: { id: 'a', sk: 2 } });
    expect(completeFact(f, undefined)).toEqual({ op: 'PutItem', table: 'T' });
  });

  it('Query: keys of returned items, capped', () => {
    const items = Array.from({ length: MAX_KEYS + 10 }, (_, i) => ({ id: { S: `p${i}` }, other: { N: '1' } }));
    const [f] = factsOf('Query', { TableName: 'T' }, { Items: items }, true);
    const done = completeFact(f, ['id']);
    expect(done.keys).toHaveLength(MAX_KEYS);
    expect(done.keys![0]).toEqual({ id: 'p0' });
  });

  it('BatchGetItem: one fact per table, keys of returned items', () => {
    const facts = factsOf(
      'BatchGetItem',
      { RequestItems: { A: { Keys: [{ id: 'x' }, { id: 'y' }] }, B: { Keys: [{ k: 1 }] } } },
      { Responses: { A: [{ id: 'x', v: 1 }], B: [] } },
      false,
    );
    expect(facts.map((f) => completeFact(f, undefined))).toEqual([
      { op: 'BatchGetItem', table: 'A', keys: [{ id: 'x' }] },
      { op: 'BatchGetItem', table: 'B', keys: [] },
    ]);
  });

  it('BatchWriteItem: deletes by key, puts by schema', () => {
    const [f] = factsOf('BatchWriteItem', { RequestItems: { T: [{ PutRequest: { Item: { id: 'n', v: 1 } } }, { DeleteRequest: { Key: { id: 'o' } } }] } }, {}, false);
    expect(completeFact(f, ['id']).keys).toEqual([{ id: 'o' }, { id: 'n' }]);
  });

  it('a failed Query records the table without keys', () => {
    const [f] = factsOf('Query', { TableName: 'T' }, undefined, true);
    expect(completeFact(f, ['id'])).toEqual({ op: 'Query', table: 'T' });
  });

  it('other operations record the table', () => {
    expect(factsOf('CreateTable', { TableName: 'T' }, {}, true)).toEqual([{ op: 'CreateTable', table: 'T' }]);
    expect(factsOf('ListTables', {}, {}, true)).toEqual([{ op: 'ListTables', table: '' }]);
  });
});

describe('key schema sources', () => {
  it('learns key names from Key parameters', () => {
    expect(keyNamesSeen('GetItem', { TableName: 'T', Key: { sk: 1, id: 2 } })).toEqual([['T', ['id', 'sk']]]);
    expect(keyNamesSeen('BatchGetItem', { RequestItems: { A: { Keys: [{ id: 1 }] } } })).toEqual([['A', ['id']]]);
  });
  it('reads DescribeTable output', () => {
    expect(keyNamesFromDescription({ Table: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] } })).toEqual(['pk']);
    expect(keyNamesFromDescription({})).toBeUndefined();
  });
});
