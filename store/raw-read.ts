// Reads of the graph's items (chunks, activation items, pointers, touch groups) straight from
// DynamoDB's wire form. Through dynamodb-toolbox every returned item was formatted against its
// entity's schema, which was a quarter of the CPU of a lineage (it reads a container's activation
// items once per file it crosses) for items whose shape the pure modules check anyway. What is
// kept from the entities is the one thing a reader needs of them: which kinds an answer may hold.
import { BatchGetItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshalItem } from './raw-items';
import { MAX_ATTEMPTS, untilProcessed } from './unprocessed-retry';

type Item = Record<string, unknown>;

/** BatchGetItem takes at most 100 keys. */
export const BATCH_GET_SIZE = 100;

/** the attribute dynamodb-toolbox names an item's kind in */
const KIND_ATTRIBUTE = '_et';

export interface RawQuery {
  table: string;
  index?: string;
  partitionKey: { name: string; value: string };
  /** sort key condition: begins_with */
  sortPrefix?: { name: string; value: string };
  consistent?: boolean;
  /** the entity names (table.ts) an answer may hold; items of other kinds are left out */
  kinds: readonly string[];
}

/** Every page of one query, as plain items. */
export async function queryItems(client: DynamoDBClient, q: RawQuery): Promise<Item[]> {
  const input: QueryCommandInput = {
    TableName: q.table,
    ...(q.index ? { IndexName: q.index } : {}),
    KeyConditionExpression: q.sortPrefix ? '#p = :p AND begins_with(#s, :s)' : '#p = :p',
    ExpressionAttributeNames: { '#p': q.partitionKey.name, ...(q.sortPrefix ? { '#s': q.sortPrefix.name } : {}) },
    ExpressionAttributeValues: { ':p': { S: q.partitionKey.value }, ...(q.sortPrefix ? { ':s': { S: q.sortPrefix.value } } : {}) },
    ...(q.consistent ? { ConsistentRead: true } : {}),
  };
  const kinds = new Set(q.kinds);
  const out: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const raw of page.Items ?? []) if (kinds.has(raw[KIND_ATTRIBUTE]?.S ?? '')) out.push(unmarshalItem(raw));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/** Items by key (absent ones left out), 100 keys per BatchGetItem, the calls in parallel. */
export async function getItems(client: DynamoDBClient, table: string, keys: ReadonlyArray<{ pk: string; sk: string }>, what: string, consistent = true): Promise<Item[]> {
  const out: Item[] = [];
  const calls: Array<Promise<void>> = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_SIZE) {
    const slice: Array<Record<string, AttributeValue>> = keys.slice(i, i + BATCH_GET_SIZE).map((k) => ({ pk: { S: k.pk }, sk: { S: k.sk } }));
    calls.push(
      untilProcessed(
        slice,
        async (pending) => {
          const page = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: pending, ...(consistent ? { ConsistentRead: true } : {}) } } }));
          for (const raw of page.Responses?.[table] ?? []) out.push(unmarshalItem(raw));
          return page.UnprocessedKeys?.[table]?.Keys ?? [];
        },
        (left) => new Error(`DynamoDB did not return ${left} ${what} after ${MAX_ATTEMPTS} attempts (throttled); retry later`),
      ),
    );
  }
  await Promise.all(calls);
  return out;
}
