// Opening the provenance store: a local store dir (dynalite, started here or already served by a
// running platform) or any DynamoDB endpoint. See types.ts for the store interface.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProvenanceStore, StoreLocation } from './types';
import { DynamoProvenanceStore } from './dynamo-store';
import { defineTable } from './table';
import { dynamoDir, ensureTable, startLocalDynamo, StoreLockedError, tableState, type LocalDynamo } from './local';
import { displayDir, isLoopback, planLocal } from './location';
import { parsePlatformInfo, PLATFORM_INFO_FILE, type PlatformInfo } from '../protocol/platform-info';
import { isConnectionError, reason, StoreError } from './errors';
import { pidAlive } from './pid-alive';

export type { ProvenanceStore, StoreLocation, TimeRange, ActivationMeta, CorrelatorStateStore } from './types';
export { DEFAULT_STORE_DIR, DEFAULT_TABLE } from './types';
export { resolveLocation, displayDir, type StoreOptions } from './location';
export { startLocalDynamo, ensureTable, tableDefinition, type LocalDynamo } from './local';
export { StoreError } from './errors';
export { StoreInputError } from './validate';

export interface OpenOptions {
  /**
   * Create what is missing (the local store dir, the table). Default: yes for a local store dir or a
   * loopback endpoint, no for a remote DynamoDB. Read commands pass false so that a wrong --store or
   * --table is reported instead of silently creating an empty store.
   */
  create?: boolean;
}

// Local servers answer at once or not at all: fail fast. A remote DynamoDB gets the SDK's retries.
const LOCAL_CLIENT = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 30_000 } };
const REMOTE_CLIENT = { maxAttempts: 3, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } };
// dynalite and DynamoDB Local accept any credentials, but the SDK insists on having some.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function openStore(location: StoreLocation, options: OpenOptions = {}): Promise<ProvenanceStore> {
  if (location.endpoint !== undefined) {
    return connect(location.endpoint, location, options.create ?? isLoopback(location.endpoint), `at ${location.endpoint}`);
  }
  if (location.dir === undefined) throw new StoreError('no store location: pass --store DIR or --endpoint URL', 2);
  const dir = location.dir;
  const create = options.create ?? true;
  const platform = readPlatformInfo(dir);
  const plan = planLocal({
    ...(platform ? { platform } : {}),
    pidAlive: platform !== undefined && pidAlive(platform.pid),
    dataExists: existsSync(dynamoDir(dir)),
    create,
  });
  const shown = displayDir(dir);
  if (plan.use === 'missing') {
    throw new StoreError(
      `no provenance store at ${shown} — run \`npm run demo\` or \`npx provenance local start\` first, or pass --store DIR (or set PROVENANCE_STORE)`,
    );
  }
  if (plan.use === 'running') {
    return connect(plan.endpoint, location, create, `of the platform running on ${shown} (pid ${plan.pid}, ${plan.endpoint})`);
  }
  let local: LocalDynamo;
  try {
    local = await startLocalDynamo(dir);
  } catch (err) {
    if (err instanceof StoreLockedError) {
      throw new StoreError(
        `the store at ${shown} is in use by another process, but ${shown}/platform.json names no running platform — stop that process, or pass --endpoint URL of the DynamoDB it serves`,
      );
    }
    throw new StoreError(`cannot open the store at ${shown}: ${reason(err)}`);
  }
  try {
    return await connect(local.endpoint, location, create, `in ${shown}`, () => local.stop());
  } catch (err) {
    await local.stop();
    throw err;
  }
}

async function connect(
  endpoint: string,
  location: StoreLocation,
  create: boolean,
  where: string,
  onClose?: () => Promise<void>,
): Promise<ProvenanceStore> {
  const client = new DynamoDBClient(clientConfig(endpoint, location));
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  try {
    const state = await tableState(client, location.table);
    if (state === 'MISSING' && !create) {
      throw new StoreError(
        `no table ${location.table} ${where} — pass the right --table (and --region), or create it with \`npx provenance store init${location.endpoint ? ` --endpoint ${location.endpoint}` : ''} --table ${location.table}\``,
      );
    }
    if (state !== 'ACTIVE') await ensureTable(client, location.table);
  } catch (err) {
    client.destroy();
    if (err instanceof StoreError) throw err;
    if (isConnectionError(err)) {
      throw new StoreError(`cannot reach DynamoDB ${where} (${reason(err)}) — is it running? check --endpoint`);
    }
    if (/credential/i.test(reason(err))) {
      throw new StoreError(`no AWS credentials for ${endpoint} — set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`);
    }
    throw new StoreError(`DynamoDB ${where} failed: ${reason(err)}`);
  }
  return new DynamoProvenanceStore(defineTable(location.table, documentClient), client, documentClient, onClose);
}

function clientConfig(endpoint: string, location: StoreLocation): DynamoDBClientConfig {
  if (isLoopback(endpoint)) {
    const envCredentials = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY;
    return {
      ...LOCAL_CLIENT,
      endpoint,
      region: location.region ?? 'us-east-1',
      ...(envCredentials ? {} : { credentials: LOCAL_CREDENTIALS }),
    };
  }
  if (location.region === undefined) {
    throw new StoreError(`no AWS region for ${endpoint} — pass --region R or set AWS_REGION`, 2);
  }
  return { ...REMOTE_CLIENT, endpoint, region: location.region };
}

function readPlatformInfo(dir: string): PlatformInfo | undefined {
  try {
    return parsePlatformInfo(readFileSync(join(dir, PLATFORM_INFO_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}
