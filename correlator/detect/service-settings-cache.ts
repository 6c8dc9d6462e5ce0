// The deployed services' settings as the correlator's detection sees them: read from the store,
// cached per store, and re-read when a deploy changed them. Every detection run reads the version
// counter (one small consistent read, next to the graphs detection gathers anyway); the settings
// themselves are read again only when the version moved (or, as a safety net for a lost version
// bump, once they are a minute old). So a verdict never depends on a cache's timing: whatever settings
// were stored before a detection run starts (by a deploy, or by a batch that delivered them) are the
// ones it judges with.
import type { ServiceConfig, ServiceConfigStore } from '../../store/service-config';
import { resolveServices, type ResolvedService } from './incident-settings';

export interface ServiceSettingsCacheOptions {
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
  loadedAt: number;
}

export function createServiceSettingsCache(store: ServiceConfigStore, options: ServiceSettingsCacheOptions = {}): ServiceSettingsSource {
  const maxAge = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let state: CacheState | undefined;
  // Callers that saw the same version share one read of the settings (it started after that version was read).
  let loading: { version: number; promise: Promise<readonly ResolvedService[]> } | undefined;

  const load = async (version: number): Promise<readonly ResolvedService[]> => {
    const at = now();
    const configs: ServiceConfig[] = await store.listServiceConfigs();
    const { services, problems } = resolveServices(configs);
    if (!state || state.version !== version) for (const p of problems) log(`correlator: ${p}`);
    if (!state || version >= state.version) state = { version, services, loadedAt: at };
    return services;
  };

  return async () => {
    const version = await store.serviceConfigVersion();
    if (state && version === state.version && now() - state.loadedAt < maxAge) return state.services;
    if (!loading || loading.version !== version) {
      const promise = load(version).finally(() => {
        if (loading?.promise === promise) loading = undefined;
      });
      loading = { version, promise };
    }
    return loading.promise;
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
