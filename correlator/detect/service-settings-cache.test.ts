import { describe, expect, it } from 'vitest';
import type { ServiceConfig, ServiceConfigStore } from '../../store/service-config';
import { createServiceSettingsCache } from './service-settings-cache';

/** A service-config store in memory that counts its reads (the cache's logic is what is tested). */
function memoryStore() {
  const configs = new Map<string, ServiceConfig>();
  const reads = { version: 0, list: 0 };
  let version = 0;
  const store: ServiceConfigStore = {
    async putServiceConfig(c) {
      configs.set(`${c.service}/${c.stage}`, c);
      version++;
      return { changed: true };
    },
    async listServiceConfigs() {
      reads.list++;
      return [...configs.values()];
    },
    async serviceConfigVersion() {
      reads.version++;
      return version;
    },
  };
  return { store, reads, silentlyReplace: (c: ServiceConfig) => configs.set(`${c.service}/${c.stage}`, c) };
}

const shop = (tables: string[]): ServiceConfig => ({ service: 'shop', stage: 'dev', actions: ['_/shop-dev-a'], sensitive: { tables }, deployedAt: 1 });

describe('the deployed services\' settings cache', () => {
  it('sees a change stored just before it is asked, however soon after the last call', async () => {
    const { store, reads } = memoryStore();
    const current = createServiceSettingsCache(store, { now: () => 0 });
    await store.putServiceConfig(shop(['t1']));
    expect((await current())[0]!.sensitive.tables).toEqual(['t1']);
    // the same instant: a deploy (or a batch carrying a deployment) stored new settings
    await store.putServiceConfig(shop(['t2']));
    expect((await current())[0]!.sensitive.tables).toEqual(['t2']);
    expect(reads).toEqual({ version: 2, list: 2 });
  });

  it('reads the version on every call, and the settings only when it moved or they are too old', async () => {
    const { store, reads, silentlyReplace } = memoryStore();
    let now = 0;
    const current = createServiceSettingsCache(store, { maxAgeMs: 10_000, now: () => now });
    await store.putServiceConfig(shop(['t1']));
    await current();
    now = 1;
    await current();
    expect(reads).toEqual({ version: 2, list: 1 });

    silentlyReplace(shop(['t3'])); // a change whose version bump was lost: picked up at maxAge
    now = 9000;
    expect((await current())[0]!.sensitive.tables).toEqual(['t1']);
    now = 10_001;
    expect((await current())[0]!.sensitive.tables).toEqual(['t3']);
  });

  it('concurrent callers that saw one version share one read; an invalid stored config is reported once and left out', async () => {
    const { store, reads } = memoryStore();
    await store.putServiceConfig({ ...shop(['t']), service: 'bad', allowlist: 7 as unknown as string[] });
    await store.putServiceConfig(shop(['t']));
    const lines: string[] = [];
    let now = 0;
    const current = createServiceSettingsCache(store, { maxAgeMs: 1000, now: () => now, log: (l) => lines.push(l) });
    const [a, b] = await Promise.all([current(), current()]);
    expect(a).toBe(b);
    expect(a.map((s) => s.id)).toEqual(['shop/dev']);
    expect(reads).toEqual({ version: 2, list: 1 });
    now = 5000;
    await current();
    expect(lines).toEqual([expect.stringMatching(/^correlator: service bad\/dev: custom\.provenance\.allowlist must be a list/)]);
  });
});
