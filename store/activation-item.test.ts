import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActivationNode, UpgEdge } from '../upg/types';
import { activationWrite, decodeBody, explained, itemMeta, pointerSortKey, type ActivationContribution } from './activation-item';
import { mergeStored } from './chunks';
import type { ActivationMeta } from './types';

const ID = 'a1';
const node = (fields: Partial<ActivationNode> = {}): ActivationNode => ({
  id: `act:${ID}`,
  kind: 'activation',
  activationId: ID,
  requestId: 'r1',
  action: '/guest/get-price',
  container: 'ctr:inv/c1',
  ...fields,
});
const edge = (to: string, time: number): UpgEdge => ({ id: `e:${to}`, from: `act:${ID}`, to, kind: 'used', time, activationId: ID });
const touch = (entity: string, time: number) => ({ entity, edge: edge(entity, time), request: 'r1' });
const meta: ActivationMeta = { activationId: ID, requestId: 'r1', action: '/guest/get-price', container: 'ctr:inv/c1', key: 'ab'.repeat(32), start: 5, nextSeq: 3 };

describe('which touches need an index entry', () => {
  it.each([
    ['its own log line', `log:${ID}:stdout:4`, false],
    ['a message it sent', `msg:${ID}->a2`, false],
    ['a file of its container', 'file:inv/c1:/tmp/cache', false],
    ['a file of another container', 'file:inv/c2:/tmp/cache', true],
    ['a DynamoDB item', 'item:T:{"id":1}', true],
    ['a socket', 'sock:tcp:127.0.0.1:80', true],
  ])('%s: indexed %s', (_name, entity, indexed) => {
    expect(!explained(entity, ID, 'ctr:inv/c1')).toBe(indexed);
  });
});

describe('an activation item', () => {
  const first: ActivationContribution = {
    activationId: ID,
    request: 'r1',
    node: node({ start: 5 }),
    touches: [touch('item:T:{"id":1}', 6), touch('file:inv/c1:/tmp/cache', 7), touch('sock:tcp:127.0.0.1:80', 8)],
  };

  it.each([
    ['lowercase hex (kept as base64url)', 'ab'.repeat(32), 'K'],
    ['uppercase hex (kept as given)', 'AB'.repeat(32), 'k'],
    ['odd-length hex (kept as given)', 'abc', 'k'],
    ['not hex (kept as given)', 'key-1', 'k'],
  ])('keeps the MAC key of the state exactly: %s', (_, key, attribute) => {
    const item = activationWrite(ID, undefined, [first], { ...meta, key }, undefined, mergeStored).items[0]!;
    expect(Object.keys(JSON.parse(String(item.m)) as object)).toContain(attribute);
    expect(itemMeta(item)?.key).toBe(key);
  });

  it('holds the node, the touches and the state; the first unexplained entity rides on its index key, the next gets a pointer', () => {
    const { items } = activationWrite(ID, undefined, [first], meta, undefined, mergeStored);
    const [item, ...pointers] = items;
    expect(item).toMatchObject({ pk: `ACT#${ID}`, sk: 'A', req: 'r1', cpk: 'ctr:inv/c1', hpk: 'item:T:{"id":1}' });
    expect(pointers.map((p) => [p.sk, p.hpk])).toEqual([[pointerSortKey('sock:tcp:127.0.0.1:80'), 'sock:tcp:127.0.0.1:80']]);
    expect(pointerSortKey('sock:tcp:127.0.0.1:80')).not.toBe(pointerSortKey('sock:tcp:127.0.0.1:81'));
    expect(itemMeta(item!)).toEqual(meta);
    const body = decodeBody(Buffer.from(item!.body as Uint8Array), 'r1', undefined);
    expect(body.node).toEqual(first.node);
    expect(body.touches.map((t) => t.entity).sort()).toEqual(first.touches.map((t) => t.entity).sort());
  });

  it('merges a later batch: fields and touches added, state replaced, index entries not repeated', () => {
    const { items } = activationWrite(ID, undefined, [first], meta, undefined, mergeStored);
    const previous = { item: items[0]!, body: decodeBody(Buffer.from(items[0]!.body as Uint8Array), 'r1', undefined) };
    const later: ActivationContribution = { activationId: ID, request: 'r1', node: node({ end: 9, ok: true }), touches: [touch('item:T:{"id":2}', 9), touch('sock:tcp:127.0.0.1:80', 8)] };
    const next = activationWrite(ID, previous, [later], { ...meta, nextSeq: 7 }, undefined, mergeStored);
    const [item, ...pointers] = next.items;
    expect(itemMeta(item!)?.nextSeq).toBe(7);
    expect(item!.hpk).toBe('item:T:{"id":1}');
    expect(pointers.map((p) => p.hpk)).toEqual(['item:T:{"id":2}']);
    const body = decodeBody(Buffer.from(item!.body as Uint8Array), 'r1', undefined);
    expect(body.node).toMatchObject({ start: 5, end: 9, ok: true });
    expect(body.touches).toHaveLength(4);
  });

  it('keeps the state when a write brings none, and stores none when the correlator never gave any', () => {
    const { items } = activationWrite(ID, undefined, [first], meta, undefined, mergeStored);
    const previous = { item: items[0]!, body: decodeBody(Buffer.from(items[0]!.body as Uint8Array), 'r1', undefined) };
    expect(itemMeta(activationWrite(ID, previous, [], undefined, undefined, mergeStored).items[0]!)).toEqual(meta);
    expect(itemMeta(activationWrite(ID, undefined, [first], undefined, undefined, mergeStored).items[0]!)).toBeUndefined();
  });

  it('spills new touches past the item size limit into items of their own, in the container index', () => {
    const many = Array.from({ length: 15_000 }, (_, i) => touch(`file:inv/c1:/tmp/${randomBytes(24).toString('hex')}`, i));
    const { items } = activationWrite(ID, undefined, [{ ...first, touches: many }], meta, undefined, mergeStored);
    const spills = items.filter((i) => String(i.sk).startsWith('T#'));
    expect(items[0]!.spill).toBe(true);
    expect(spills.length).toBeGreaterThan(0);
    for (const i of items) expect((i.body as Uint8Array | undefined)?.length ?? 0).toBeLessThan(400 * 1024);
    expect(spills.every((s) => s.cpk === 'ctr:inv/c1')).toBe(true);
  });
});
