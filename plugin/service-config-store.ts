// Deploy time: the service's analysis settings go to the provenance store, next to its LMS profiles
// (same store, found the same way: profile-store.ts), for the correlator's detection to apply.
import { openStore } from '../store/index';
import type { ServiceConfig } from '../store/service-config';
import type { StoreLocation } from '../store/types';
import { storeThere } from './profile-store';

export type ServiceConfigWrite = 'written' | 'unchanged' | 'no-store';

/**
 * Idempotent (keyed by namespace, service and stage; unchanged settings write nothing). 'no-store' when the location
 * is a local store dir that does not exist: no platform or correlator has used it yet.
 */
export async function writeServiceConfig(location: StoreLocation, config: ServiceConfig): Promise<ServiceConfigWrite> {
  if (!storeThere(location)) return 'no-store';
  const store = await openStore(location, { create: location.dir !== undefined ? false : undefined });
  try {
    return (await store.putServiceConfig(config)).changed ? 'written' : 'unchanged';
  } finally {
    await store.close();
  }
}
