// The store options every read command takes, in one place: commander registration for the
// `provenance` bin, and opening/closing the store for the command functions that `sls provenance …`
// (plugin/) calls directly with already-parsed options.
import type { Command } from 'commander';
import { DEFAULT_TABLE, type ProvenanceStore, type StoreLocation } from '../store/types';
import { displayDir, resolveLocation, type StoreOptions } from '../store/location';
import { openStore } from '../store/index';
import { scopeStore } from '../store/tenant-scope';
import { resolveReadScope, type ReadCredentialOptions } from './read-scope';

export type { StoreOptions } from '../store/location';

export function addStoreOptions(command: Command): Command {
  return command
    .option('--store <dir>', 'local store directory (default: $PROVENANCE_STORE, else ./.provenance)')
    .option('--endpoint <url>', 'read a DynamoDB at this endpoint instead of the local store')
    .option('--table <name>', 'DynamoDB table name', DEFAULT_TABLE)
    .option('--region <region>', 'AWS region of --endpoint (default: $AWS_REGION)');
}

/**
 * The store options plus whose provenance to read: a namespace's OpenWhisk key (scoped to that
 * namespace) or the operator's key (every namespace).
 */
export function addReadOptions(command: Command): Command {
  return addStoreOptions(command)
    .option('--apihost <url>', 'OpenWhisk API host that vouches for --auth (default: $OW_APIHOST, else the wsk properties file)')
    .option('--auth <uuid:key>', 'read as the namespace of this OpenWhisk key (default: $OW_AUTH, else $WSK_CONFIG_FILE or ~/.wskprops)')
    .option('--operator [key]', "read every namespace with the store's operator key (default: $PROVENANCE_OPERATOR_KEY)");
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
  options: StoreOptions & ReadCredentialOptions,
  fn: (store: ProvenanceStore, location: StoreLocation) => Promise<T>,
): Promise<T> {
  const location = resolveLocation(storeOptionsOf(options as StoreOptions & Record<string, unknown>));
  // the namespace is known (its key authenticated) before anything is read
  const scope = await resolveReadScope(options, location);
  const opened = await openStore(location, { create: false });
  const store = scope.kind === 'namespace' ? scopeStore(opened, scope.namespace) : opened;
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
