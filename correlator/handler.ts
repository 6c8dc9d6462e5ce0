// The correlator as an OpenWhisk action (deployed by the root serverless.yml):
//   main({batch})  or  main({batches: [...]})
// Where the store is comes from the action's parameters, else its environment:
//   table     | PROVENANCE_TABLE               DynamoDB table (default "provenance")
//   endpoint  | PROVENANCE_DYNAMODB_ENDPOINT   DynamoDB endpoint URL (default: the region's AWS endpoint)
//   region    | PROVENANCE_REGION, AWS_REGION  region (needed for AWS; "us-east-1" for local endpoints)
// Incident detection after each batch: see detect/action-settings.ts (sensitive, allowlist, alerts, detect).
// Credentials are the AWS SDK's usual ones (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the
// environment, or the parameters aws_access_key_id / aws_secret_access_key).
// Returns {ok: true, results: IngestResult[]} or {error}, with refused: true when the batch itself is
// malformed (protocol/correlator-action.ts).
import type { ProvenanceStore, StoreLocation } from '../store/types';
import { DEFAULT_TABLE } from '../store/types';
import { openStore } from '../store/index';
import { ingestAllClassified } from './index';
import type { IngestResult } from '../protocol/batch';
import type { CorrelatorActionResult } from '../protocol/correlator-action';
import { BatchError, BatchVersionError } from './ingest/batch-error';
import type { ClassifiedBatch } from './ingest/classify-batch';
import { readBatch } from './ingest/read-batch';
import { detectionOptionsFrom } from './detect/action-settings';

export type HandlerResult = CorrelatorActionResult;

type Env = Record<string, string | undefined>;

/** Pure: where the store is, from params then env, or a message saying what is missing. */
export function storeLocationFrom(params: Record<string, unknown>, env: Env): StoreLocation | { error: string } {
  const pick = (param: string, ...vars: string[]): string | undefined => {
    const p = params[param];
    if (typeof p === 'string' && p !== '') return p;
    for (const v of vars) if (env[v]) return env[v];
    return undefined;
  };
  const table = pick('table', 'PROVENANCE_TABLE') ?? DEFAULT_TABLE;
  const region = pick('region', 'PROVENANCE_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION');
  let endpoint = pick('endpoint', 'PROVENANCE_DYNAMODB_ENDPOINT');
  if (endpoint !== undefined) {
    try {
      new URL(endpoint);
    } catch {
      return { error: `endpoint ${JSON.stringify(endpoint)} is not a URL: pass e.g. http://127.0.0.1:8000 as the endpoint parameter or PROVENANCE_DYNAMODB_ENDPOINT` };
    }
  } else if (region !== undefined) {
    endpoint = `https://dynamodb.${region}.amazonaws.com`;
  } else {
    return { error: 'no DynamoDB to write to: set the endpoint parameter (or PROVENANCE_DYNAMODB_ENDPOINT), or a region for AWS DynamoDB' };
  }
  return { endpoint, table, region: region ?? 'us-east-1' };
}

/** Pure: the batches a call carries, checked and read, or a message saying what is wrong (before anything is written). */
export function batchesFrom(params: Record<string, unknown>): ClassifiedBatch[] | { error: string; refused?: true } {
  const hasOne = params.batch !== undefined;
  const hasMany = params.batches !== undefined;
  if (hasOne === hasMany) return { error: 'pass exactly one of {batch: Batch} or {batches: Batch[]} (protocol/batch.ts)', refused: true };
  const list: unknown[] = hasOne ? [params.batch] : Array.isArray(params.batches) ? params.batches : [];
  if (hasMany && !Array.isArray(params.batches)) return { error: 'batches must be an array of Batch objects', refused: true };
  try {
    return list.map((b, i) => readBatch(b, hasOne ? 'batch' : `batches[${i}]`));
  } catch (err) {
    if (err instanceof BatchVersionError) return { error: err.message };
    if (err instanceof BatchError) return { error: err.message, refused: true };
    throw err;
  }
}

// A warm container keeps its store connection between activations.
const stores = new Map<string, Promise<ProvenanceStore>>();

async function storeFor(location: StoreLocation): Promise<ProvenanceStore> {
  const key = JSON.stringify(location);
  let store = stores.get(key);
  if (!store) {
    const opening = openStore(location);
    stores.set(key, opening);
    opening.catch(() => stores.delete(key)); // a failed open is retried by the next activation
    store = opening;
  }
  return store;
}

/** Closes the connections kept by warm activations (tests; a container shutting down). */
export async function closeStores(): Promise<void> {
  const open = [...stores.values()];
  stores.clear();
  await Promise.all(open.map(async (s) => (await s.catch(() => undefined))?.close()));
}

export async function main(params: Record<string, unknown> = {}, env: Env = process.env): Promise<HandlerResult> {
  const batches = batchesFrom(params);
  if ('error' in batches) return batches;
  const location = storeLocationFrom(params, env);
  if ('error' in location) return location;
  const detection = detectionOptionsFrom(params, env, location.endpoint);
  if (detection !== false && 'error' in detection) return detection;
  if (typeof params.aws_access_key_id === 'string' && typeof params.aws_secret_access_key === 'string') {
    // The SDK reads credentials from the environment; an action's parameters are how OpenWhisk configures it.
    process.env.AWS_ACCESS_KEY_ID = params.aws_access_key_id;
    process.env.AWS_SECRET_ACCESS_KEY = params.aws_secret_access_key;
  }
  try {
    const store = await storeFor(location);
    // In order: an activation's begin must be known before its later records (batch order).
    const results: IngestResult[] = await ingestAllClassified(batches, store, { detection });
    return { ok: true, results };
  } catch (err) {
    return { error: `correlator could not ingest into ${location.table} at ${location.endpoint}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
