// `provenance store init`: create the table and its indexes where they are missing (a real DynamoDB,
// or a fresh local store dir). Idempotent.
import type { Command } from 'commander';
import { openStore } from '../../store/index';
import { resolveLocation } from '../../store/location';
import { addStoreOptions, describeLocation, storeOptionsOf, type StoreOptions } from '../options';
import type { Output } from '../output';

export async function runStoreInit(options: StoreOptions, out: Output): Promise<void> {
  const location = resolveLocation(storeOptionsOf(options as StoreOptions & Record<string, unknown>));
  const store = await openStore(location, { create: true });
  await store.close();
  out.write(`provenance store ready: table ${location.table} ${describeLocation(location)}\n`);
}

export function register(program: Command): void {
  const store = program.command('store').description('manage the provenance store');
  addStoreOptions(
    store.command('init').description('create the provenance table and its indexes if they do not exist'),
  ).action(async (options: StoreOptions) => {
    await runStoreInit(options, process.stdout);
  });
}
