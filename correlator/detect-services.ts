// The deployed services' settings as the correlator's detection sees them: read from the store,
// cached per store, and re-read when a deploy changed them. Each batch costs at most one small read
// of the version counter every few seconds; the settings themselves are read again only when the
// version moved (or, as a safety net for a lost version bump, once a minute).
import type { ServiceConfig, ServiceConfigStore } from '../store/service-config';
import { resolveServices, type ResolvedService } from './detect-merge';

export interface ServiceSettingsCacheOptions {
  /** how often the version counter is read at most (ms, default 3000) */
  checkEveryMs?: number;
  /** settings older than this are re-read whatever the version says (ms, default 60000) */
  maxAgeMs?: number;
  now?: () => number;
  /** where invalid stored settings are reported (once per version) */
  log?: (line: string) => void;
}

/** What detection asks for: the current resolved services. */
export type ServiceSettingsSource = () => Promise<readonly ResolvedService[]>;

interface CacheState {
  version: number;
  services: ResolvedService[];
  checkedAt: number;
  loadedAt: number;
}

export function createServiceSettingsCache(store: ServiceConfigStore, options: ServiceSettingsCacheOptions = {}): ServiceSettingsSource {
  const checkEvery = options.checkEveryMs ?? 3_000;
  const maxAge = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let state: CacheState | undefined;
  // Concurrent batches share one refresh instead of each reading the store.
  let refreshing: Promise<readonly ResolvedService[]> | undefined;

  const refresh = async (): Promise<readonly ResolvedService[]> => {
    const at = now();
    const version = await store.serviceConfigVersion();
    if (state && version === state.version && at - state.loadedAt < maxAge) {
      state.checkedAt = at;
      return state.services;
    }
    const configs: ServiceConfig[] = await store.listServiceConfigs();
    const { services, problems } = resolveServices(configs);
    if (!state || state.version !== version) for (const p of problems) log(`correlator: ${p}`);
    state = { version, services, checkedAt: at, loadedAt: at };
    return services;
  };

  return async () => {
    if (state && now() - state.checkedAt < checkEvery) return state.services;
    refreshing ??= refresh().finally(() => (refreshing = undefined));
    return refreshing;
  };
}

// One cache per store object: ingestBatch is called with fresh options for every batch.
const caches = new WeakMap<ServiceConfigStore, ServiceSettingsSource>();

/** The shared cache of one store (created on first use). */
export function serviceSettingsOf(store: ServiceConfigStore, options?: ServiceSettingsCacheOptions): ServiceSettingsSource {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = createServiceSettingsCache(store, options)));
  return cache;
}
