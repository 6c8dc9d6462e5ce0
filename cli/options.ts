// The store options every read command takes, in one place: commander registration for the
// `provenance` bin, and opening/closing the store for the command functions that `sls provenance …`
// (plugin/) calls directly with already-parsed options.
import type { Command } from 'commander';
import { DEFAULT_TABLE, type ProvenanceStore, type StoreLocation } from '../store/types';
import { displayDir, resolveLocation, type StoreOptions } from '../store/location';
import { openStore } from '../store/index';

export type { StoreOptions } from '../store/location';

export function addStoreOptions(command: Command): Command {
  return command
    .option('--store <dir>', 'local store directory (default: $PROVENANCE_STORE, else ./.provenance)')
    .option('--endpoint <url>', 'read a DynamoDB at this endpoint instead of the local store')
    .option('--table <name>', 'DynamoDB table name', DEFAULT_TABLE)
    .option('--region <region>', 'AWS region of --endpoint (default: $AWS_REGION)');
}

/** Only the store options of a parsed options object (commander adds others, e.g. json). */
export function storeOptionsOf(options: StoreOptions & Record<string, unknown>): StoreOptions {
  const out: StoreOptions = {};
  for (const key of ['store', 'endpoint', 'table', 'region'] as const) {
    const value = options[key];
    if (value !== undefined && value !== null && value !== '') out[key] = String(value);
  }
  return out;
}

/** Open the store named by the options for the length of `fn`, without creating anything missing. */
export async function withStore<T>(
  options: StoreOptions,
  fn: (store: ProvenanceStore, location: StoreLocation) => Promise<T>,
): Promise<T> {
  const location = resolveLocation(storeOptionsOf(options as StoreOptions & Record<string, unknown>));
  const store = await openStore(location, { create: false });
  try {
    return await fn(store, location);
  } finally {
    await store.close();
  }
}

/** "in ./.provenance" or "in table provenance at https://…", for messages */
export function describeLocation(location: StoreLocation): string {
  if (location.endpoint !== undefined) return `in table ${location.table} at ${location.endpoint}`;
  return `in ${displayDir(location.dir ?? '.')}`;
}
