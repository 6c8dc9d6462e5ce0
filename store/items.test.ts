import { describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { NodeKind, UpgEdge, UpgNode } from '../upg/types';
import {
  edgeItem,
  entityEndpoints,
  itemToEdge,
  itemToMeta,
  itemToNode,
  itemToTouchedEdge,
  itemToWarning,
  metaItem,
  nodeUpdate,
  touchItem,
  warningItem,
  type MergeUpdate,
} from './items';
import { firstPass } from './merge';

/** What a fresh item looks like after one merge update (DynamoDB's SET/if_not_exists/ADD on a missing item). */
function applyToEmpty(update: MergeUpdate): Record<string, unknown> {
  const pass = firstPass(update);
  const item: Record<string, unknown> = { ...update.key, ...pass.setIfMissing, ...pass.set };
  for (const [attr, values] of Object.entries(pass.addToSet)) item[attr] = new Set(values);
  return item;
}

const T = 1793707200000;

const everyKind: UpgNode[] = [
  { id: 'req:r1', kind: 'request', requestId: 'r1', start: T, end: T + 90, entry: '/_/purchase', label: 'r1', firstSeen: T, lastSeen: T + 90 },
  { id: 'act:a1', kind: 'activation', activationId: 'a1', requestId: 'r1', action: '/_/purchase', container: 'ctr:i/c1', start: T, end: T + 80, cold: true, ok: false, error: 'boom', parent: 'a0' },
  { id: 'unit:a1#0', kind: 'unit', activationId: 'a1', index: 0 },
  { id: 'proc:1', kind: 'process', container: 'ctr:i/c1', pid: 42, exe: '/usr/bin/node', args: ['node', '-e', ''] },
  { id: 'action:/_/purchase', kind: 'action', name: '/_/purchase', namespace: '_' },
  { id: 'ctr:i/c1', kind: 'container', containerId: 'c1', action: '/_/purchase', invoker: 'i', cgroupId: '1234' },
  { id: 'inv:i', kind: 'invoker', name: 'i' },
  { id: 'client:r1', kind: 'client', name: 'curl' },
  { id: 'file:1', kind: 'file', path: '/tmp/cache.json', container: 'ctr:i/c1' },
  { id: 'sock:1', kind: 'socket', address: '127.0.0.1', port: 8443, proto: 'tcp', url: 'https://127.0.0.1:8443/charge' },
  { id: 'item:1', kind: 'item', table: 'Products', key: { id: 'p-1', n: 2, nested: { ok: true, list: [1, 'x', null] } } },
  { id: 'item:2', kind: 'item', table: 'Products' },
  { id: 'msg:1', kind: 'message', from: 'a1', to: 'a2', action: '/_/get-price' },
  { id: 'log:1', kind: 'log', activationId: 'a1', stream: 'stderr', seq: 3, text: 'price is 12', time: T + 5 },
];

describe('node <-> item', () => {
  it.each(everyKind.map((n) => [n.kind, n] as const))('a %s node reads back exactly as written', (_kind, node) => {
    expect(itemToNode(applyToEmpty(nodeUpdate('r1', node)))).toEqual(node);
  });

  it('SETs facts, keeps times as min/max and indexes activations by container and start', () => {
    const update = nodeUpdate('r1', everyKind[1]!);
    expect(update.key).toEqual({ pk: 'REQ#r1', sk: 'N#act:a1' });
    expect(update.set).toMatchObject({ req: 'r1', kind: 'activation', action: '/_/purchase', cpk: 'ctr:i/c1' });
    expect(update.set).not.toHaveProperty('start');
    expect(update.monotone).toEqual([
      { attr: 'start', keep: 'min', value: T, companions: { csk: `00${T}#act:a1` } },
      { attr: 'end', keep: 'max', value: T + 80 },
    ]);
  });

  it('gives an activation without a start a placeholder index position, not a SET', () => {
    const update = nodeUpdate('r1', { id: 'act:a2', kind: 'activation', activationId: 'a2', requestId: 'r1', action: 'x', container: 'ctr:c' });
    expect(update.setIfMissing).toEqual({ csk: '~#act:a2' });
    expect(update.set).not.toHaveProperty('csk');
  });

  it("ranks a request node's entry by its start", () => {
    const update = nodeUpdate('r1', everyKind[0]!);
    expect(update.set).not.toHaveProperty('entry');
    expect(update.monotone).toContainEqual({ attr: 'entryRank', keep: 'min', value: `00${T}`, companions: { entry: '/_/purchase' } });
  });

  it('drops fields outside the contract and ignores a truncated flag given as input', () => {
    const node = { id: 'file:2', kind: 'file', path: '/tmp/a', container: 'c', surprise: 1, truncated: ['path'] } as unknown as UpgNode;
    expect(itemToNode(applyToEmpty(nodeUpdate('r1', node)))).toEqual({ id: 'file:2', kind: 'file', path: '/tmp/a', container: 'c' });
  });

  it('bounds huge values, flags them, and keeps the worst case under the 400 KB item limit', () => {
    const huge = 'x'.repeat(1_000_000);
    const node = {
      ...everyKind[1]!,
      label: huge,
      error: huge,
      text: huge,
      exe: huge,
      url: huge,
      args: Array.from({ length: 1000 }, () => huge.slice(0, 5000)),
      key: { blob: huge },
    } as unknown as UpgNode;
    const item = applyToEmpty(nodeUpdate('r1', node));
    const size = marshalledSize(item);
    expect(size).toBeLessThan(400 * 1024);
    const back = itemToNode(item) as unknown as Record<string, unknown>;
    expect(back.truncated).toEqual(['args', 'error', 'exe', 'key', 'label', 'text', 'url']);
    expect(String(back.label)).toMatch(/…\[truncated \d+ bytes\]$/);
    // A cut JSON value cannot be parsed: it is kept readable instead.
    expect(back.key).toHaveProperty('truncatedJson');
  });
});

/** DynamoDB item size: attribute names plus values, as marshalled */
function marshalledSize(item: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(marshall(item, { removeUndefinedValues: true })), 'utf8');
}

describe('edges, touches, warnings, metas', () => {
  const edge: UpgEdge = { id: 'e1', from: 'act:a1', to: 'file:1', kind: 'used', op: 'openat', time: T + 1, count: 3, bytes: 10, activationId: 'a1', source: 'wrapper' };

  it('round-trips an edge', () => {
    expect(itemToEdge(edgeItem('r1', edge))).toEqual(edge);
    expect(edgeItem('r1', edge)).toMatchObject({ pk: 'REQ#r1', sk: 'E#e1', req: 'r1' });
  });

  it('indexes a touch by entity, then time', () => {
    const item = touchItem('r1', 'file:1', edge);
    expect(item).toMatchObject({ hpk: 'file:1', hsk: `00${T + 1}#r1#e1`, sk: 'X#file:1#e1' });
    expect(itemToTouchedEdge(item)).toEqual({ ...edge, request: 'r1' });
  });

  it('round-trips warnings and activation metas', () => {
    const w = { code: 'rejected', message: 'forged MAC', activationId: 'a1', count: 2 };
    expect(itemToWarning(warningItem('r1', w))).toEqual(w);
    const meta = { activationId: 'a1', requestId: 'r1', action: '/_/p', container: 'ctr:c', key: 'ab12', start: T, nextSeq: 4 };
    expect(itemToMeta(metaItem(meta))).toEqual(meta);
    expect(metaItem(meta)).toMatchObject({ pk: 'META#a1', sk: 'META' });
  });
});

describe('entityEndpoints', () => {
  const kinds: Record<string, NodeKind> = { 'act:a': 'activation', 'file:f': 'file', 'file:g': 'file', 'ctr:c': 'container', 'sock:s': 'socket' };
  const e = (kind: string, from: string, to: string) => ({ id: 'x', kind, from, to }) as UpgEdge;
  it.each([
    ['used: activity -> file', e('used', 'act:a', 'file:f'), ['file:f']],
    ['wasGeneratedBy: file -> activity', e('wasGeneratedBy', 'file:f', 'act:a'), ['file:f']],
    ['wasDerivedFrom: both sides', e('wasDerivedFrom', 'file:g', 'file:f'), ['file:g', 'file:f']],
    ['wasAssociatedWith: agent is not an entity', e('wasAssociatedWith', 'act:a', 'ctr:c'), []],
    ['unknown nodes: the relation decides (used)', e('used', 'act:?', 'sock:?'), ['sock:?']],
    ['unknown nodes: the relation decides (wasInvalidatedBy)', e('wasInvalidatedBy', 'file:?', 'act:?'), ['file:?']],
    ['unknown nodes, unknown relation: nothing', e('connect', 'x', 'y'), []],
    ['known kinds win over the relation', e('used', 'act:a', 'ctr:c'), []],
  ])('%s', (_name, edge, expected) => {
    expect(entityEndpoints(edge, (id) => kinds[id])).toEqual(expected);
  });
});
