// storedNode and storedEdge are computed directly, for speed; they must give exactly what encoding
// a node or edge into its item and decoding it again gives (the definition of "as the store gives
// it back"), field order included, since the stored JSON is built from them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { UpgEdge, UpgNode } from '../upg/types';
import { EDGE_FIELDS, NODE_FIELDS, edgeItem, itemToEdge, itemToNode, nodeUpdate, storedEdge, storedNode } from './items';

/** storedNode by definition: nodeUpdate's item as DynamoDB would hold it after one write, read back. */
function nodeThroughItem(node: UpgNode): UpgNode {
  const update = nodeUpdate('', node);
  const item: Record<string, unknown> = { ...update.setIfMissing, ...update.set };
  for (const m of update.monotone) Object.assign(item, m.companions ?? {}, { [m.attr]: m.value });
  if (update.addToSet.truncated) item.truncated = update.addToSet.truncated;
  return itemToNode(item);
}

/** the JSON a function gives, or the error it throws (both ways must throw alike on values of the wrong type) */
function outcome<T>(f: () => T): string {
  try {
    return JSON.stringify(f());
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

const edgeThroughItem = (edge: UpgEdge): UpgEdge => itemToEdge(edgeItem('r', edge));

const long = 'x'.repeat(33 * 1024);
const value = fc.oneof(
  fc.string(),
  fc.constant(long),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(undefined),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.constant(long)), { maxLength: 3 }),
  fc.dictionary(fc.oneof(fc.string(), fc.constant('2'), fc.constant('__proto__')), fc.oneof(fc.string(), fc.integer())),
);
const nodeFields = [...Object.keys(NODE_FIELDS), 'unknownField', 'req', 'cpk'];
const edgeFields = [...Object.keys(EDGE_FIELDS), 'unknownField'];
/** objects with any of the contract's fields (and some outside it), in any order, with values of any type */
const record = (fields: string[]) =>
  fc.array(fc.tuple(fc.constantFrom(...fields), value), { maxLength: 14 }).map((entries) => Object.fromEntries(entries));

describe('the stored form of a node or an edge', () => {
  it.each([
    ['an activation', { id: 'act:a', kind: 'activation', activationId: 'a', action: '/_/x', container: 'ctr:i/c', start: 5, end: 9, cold: true, requestId: 'r', label: 'x' }],
    ['a templated log line (its text left out)', { id: 'log:a:stdout:1', kind: 'log', text: 'hi 1', template: 'hi <*>', values: ['1'], time: 3, seq: 1, stream: 'stdout' }],
    ['a log line without template', { id: 'log:a:stdout:2', kind: 'log', text: long, time: 3, seq: 2, stream: 'stdout' }],
    ['a request (entry follows the earliest start)', { id: 'req:r', kind: 'request', requestId: 'r', entry: '/_/x', start: 1 }],
    ['an item with a key', { id: 'item:t:k', kind: 'item', table: 't', key: { b: 1, 2: 'x', a: [1] }, truncated: ['label'] }],
    ['a process with long arguments', { id: 'proc:1', kind: 'process', pid: 1, args: [long, long, 'x'], exe: '/bin/x' }],
  ])('%s', (_name, node) => {
    expect(JSON.stringify(storedNode(node as unknown as UpgNode))).toBe(JSON.stringify(nodeThroughItem(node as unknown as UpgNode)));
  });

  it('is what the item gives back, for any node', () => {
    fc.assert(
      fc.property(record(nodeFields), fc.constantFrom('activation', 'log', 'request', 'file', 'item'), (fields, kind) => {
        const node = { id: 'n', ...fields, kind } as unknown as UpgNode;
        expect(outcome(() => storedNode(node))).toBe(outcome(() => nodeThroughItem(node)));
      }),
      { numRuns: 400 },
    );
  });

  it('is what the item gives back, for any edge', () => {
    fc.assert(
      fc.property(record(edgeFields), (fields) => {
        const edge = { id: 'e:1', from: 'a', to: 'b', kind: 'used', ...fields } as unknown as UpgEdge;
        expect(outcome(() => storedEdge(edge))).toBe(outcome(() => edgeThroughItem(edge)));
      }),
      { numRuns: 400 },
    );
  });
});
