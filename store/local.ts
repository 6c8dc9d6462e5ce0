// The local DynamoDB: dynalite served in-process on 127.0.0.1, persisted in <dir>/dynamodb/ (LevelDB),
// and the table's creation. LevelDB can be opened by one process only: whoever starts dynalite on a
// store dir owns it until stop(); others reach it through its endpoint (see index.ts, platform.json).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { INDEX } from './keys';

// dynalite ships no type declarations: this is the part we use.
const dynalite = require('dynalite') as (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => import('node:http').Server;

/** The LevelDB of a store dir is held by another process (a platform, a demo, another command). */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}

export interface LocalDynamo {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  stop(): Promise<void>;
}

/** where a store dir keeps its LevelDB */
export const dynamoDir = (storeDir: string): string => join(storeDir, 'dynamodb');

/** Start dynalite on `<dir>/dynamodb/` (created when missing), listening on 127.0.0.1 on a free port. */
export async function startLocalDynamo(dir: string): Promise<LocalDynamo> {
  const path = dynamoDir(dir);
  mkdirSync(path, { recursive: true });
  // dynalite opens LevelDB lazily and throws an uncaught error on its first request when another
  // process holds the lock, so find out first, with the same LevelDB package dynalite uses.
  await assertUnlocked(path);
  // Tables become ACTIVE almost at once: nothing here models provisioning delays.
  const server = dynalite({ path, createTableMs: 5, deleteTableMs: 5, updateTableMs: 5 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        // Keep-alive connections would hold close() open until they time out.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      })),
  };
}

async function assertUnlocked(path: string): Promise<void> {
  const levelPath = require.resolve('level', { paths: [dirname(require.resolve('dynalite'))] });
  const { Level } = require(levelPath) as { Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> } };
  const db = new Level(path);
  try {
    await db.open();
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code === 'LEVEL_LOCKED') throw new StoreLockedError(`the DynamoDB data in ${path} is in use by another process`);
    throw err;
  }
  await db.close();
}

/** The table and its GSIs (keys.ts explains what each index answers). */
export function tableDefinition(table: string): CreateTableCommandInput {
  const indexes = Object.values(INDEX);
  const attributes = ['pk', 'sk', ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

export type TableState = 'ACTIVE' | 'MISSING' | string;

export async function tableState(client: DynamoDBClient, table: string): Promise<TableState> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    return Table?.TableStatus ?? 'UNKNOWN';
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return 'MISSING';
    throw err;
  }
}

/** Create the table and its GSIs when missing (idempotent), then wait until it is ACTIVE. */
export async function ensureTable(client: DynamoDBClient, table: string, timeoutMs = 60_000): Promise<void> {
  if ((await tableState(client, table)) === 'MISSING') {
    try {
      await client.send(new CreateTableCommand(tableDefinition(table)));
    } catch (err) {
      // Someone else created it between our look and our create: fine.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 1000)) {
    const state = await tableState(client, table);
    if (state === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${table} is still ${state} after ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
