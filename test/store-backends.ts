// The DynamoDB implementations the store's tests and the query bench run against, started on
// 127.0.0.1 on a free port and stopped by the caller: dynalite (what the project runs locally) and
// AWS's DynamoDB Local (stricter: real limits and expression rules).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../store/local';
import { dynamoDbLocalMissing, startDynamoDbLocal } from '../store/dynamodb-local';

export interface StoreBackend {
  name: string;
  /** why this backend cannot run on this machine, or null */
  missing(): string | null;
  start(): Promise<LocalDynamo>;
}

export const STORE_BACKENDS: StoreBackend[] = [
  {
    name: 'dynalite',
    missing: () => null,
    async start() {
      const dir = mkdtempSync(join(tmpdir(), 'prov-dynalite-'));
      const dynamo = await startLocalDynamo(dir);
      return {
        endpoint: dynamo.endpoint,
        stop: async () => {
          await dynamo.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  { name: 'DynamoDB Local', missing: dynamoDbLocalMissing, start: startDynamoDbLocal },
];
