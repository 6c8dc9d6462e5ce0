// How the store's writes are sent (side effects): BatchWriteItem puts and merging UpdateItems, in
// DynamoDB's wire form built by raw-items.ts, through the low-level client.
import { BatchWriteItemCommand, UpdateItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { Entity } from 'dynamodb-toolbox';
import { itemSchemaOf, marshalItem, mergeUpdateInput, unmarshalItem } from './raw-items';
import type { MergeUpdate } from './items';
import { corrections, firstPass } from './merge';
import { MAX_ATTEMPTS, untilProcessed } from './unprocessed-retry';

type Item = Record<string, unknown>;

/** BatchWriteItem takes at most 25 requests, and no two for the same key. */
export const BATCH_WRITE_SIZE = 25;

export interface Put {
  entity: Entity;
  item: Item;
}

/** Pure: the puts deduplicated by key (the last wins) and marshalled, in BatchWriteItem calls of 25. */
export function putRequests(puts: readonly Put[]): WriteRequest[][] {
  const byKey = new Map<string, Put>();
  for (const put of puts) byKey.set(`${String(put.item.pk)}\u0000${String(put.item.sk)}`, put);
  const requests = [...byKey.values()].map(({ entity, item }): WriteRequest => ({ PutRequest: { Item: marshalItem(itemSchemaOf(entity), item) } }));
  const out: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) out.push(requests.slice(i, i + BATCH_WRITE_SIZE));
  return out;
}

/**
 * One BatchWriteItem, retrying what DynamoDB leaves unprocessed (throttling) with exponential
 * backoff. Throws when items are still unwritten after MAX_ATTEMPTS: the caller's write is
 * idempotent, so the whole write can be retried.
 */
export async function batchWrite(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  await untilProcessed(
    requests,
    async (pending) => (await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }))).UnprocessedItems?.[table] ?? [],
    (left) => new Error(`DynamoDB left ${left} items unwritten after ${MAX_ATTEMPTS} attempts (throttled); the write is idempotent, retry it`),
  );
}

/** UpdateItem that merges into the stored item, plus the rare conditional correction (merge.ts). */
export async function mergeItem(client: DynamoDBClient, table: string, entity: Entity, update: MergeUpdate): Promise<void> {
  const schema = itemSchemaOf(entity);
  const key = { pk: String(update.key.pk), sk: String(update.key.sk) };
  const { Attributes } = await client.send(new UpdateItemCommand(mergeUpdateInput(table, schema, { key, ...firstPass(update) }, 'ALL_NEW')));
  for (const correction of corrections(update, Attributes ? unmarshalItem(Attributes) : {})) {
    try {
      await client.send(new UpdateItemCommand(mergeUpdateInput(table, schema, { key, set: correction.set, setIfMissing: {}, addToSet: {}, condition: correction.condition })));
    } catch (err) {
      // Someone stored a better value meanwhile: theirs stays, which is the point.
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }
}
