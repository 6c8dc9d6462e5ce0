// Deployed services' analysis settings (custom.provenance sensitive / allowlist / alerts, and which
// actions belong to the service), written by the plugin at deploy and read by the correlator's
// detection. One item per service+stage (a redeploy replaces it), plus one version counter that is
// bumped only when a deploy changes a service's settings, so the correlator can poll one small item
// instead of re-reading every service.
//
//   item               pk         sk                          GSI
//   service config     SERVICES   SVC#<namespace>#<service>#<stage>   (`_` when not known)
//   version marker     SERVICES   VERSION                     -
//   deployment known   DEP#<dh>   KNOWN                       -
//   awaiting judgement DEP#<dh>   AWAIT                       -
//
// The service items live in one partition (a handful of services, read by one query, never a scan).
// The deployment items say which deployments (protocol/deployment.ts, by hash) the correlator has
// stored, and which requests ran with one it had not stored yet, to be judged again when it arrives.
import { createHash } from 'node:crypto';
import { $add, DeleteItemCommand, Entity, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, isConditionCheckFailed, item, list, number, set, string } from 'dynamodb-toolbox';
import type { ProvenanceModel } from './table';
import type { DeploymentLedger, PutServiceConfigResult, ServiceConfig, ServiceConfigStore } from './types';

export type { DeploymentLedger, PutServiceConfigResult, ServiceConfig, ServiceConfigStore } from './types';

type Table = ProvenanceModel['table'];

export const SERVICES_PARTITION = 'SERVICES';
const SERVICE_SK_PREFIX = 'SVC#';
export const serviceConfigKey = (namespace: string | undefined, service: string, stage: string) => ({
  pk: SERVICES_PARTITION,
  sk: `${SERVICE_SK_PREFIX}${namespace ?? '_'}#${service}#${stage}`,
});
export const serviceVersionKey = { pk: SERVICES_PARTITION, sk: 'VERSION' } as const;

/**
 * Pure: an action as a begin record or a service's settings name it (`/ns/pkg/name`, `ns/name` or
 * `name`) -> its namespace (`_` when not said) and the rest.
 */
export function splitAction(action: string): { namespace: string; name: string } {
  const parts = action.split('/').filter(Boolean);
  if (parts.length <= 1) return { namespace: '_', name: parts[0] ?? '' };
  return { namespace: parts[0]!, name: parts.slice(1).join('/') };
}

/** Pure: a service's action names the action a begin named: the same name, and the same namespace or `_` on either side. */
export function sameAction(own: { namespace: string; name: string }, wanted: { namespace: string; name: string }): boolean {
  return own.name === wanted.name && (own.namespace === wanted.namespace || own.namespace === '_' || wanted.namespace === '_');
}

/** `<service>/<stage>`, after its namespace when known: how lines and reports name a deployed service. */
export function serviceId(config: Pick<ServiceConfig, 'namespace' | 'service' | 'stage'>): string {
  return `${config.namespace !== undefined ? `${config.namespace}/` : ''}${config.service}/${config.stage}`;
}

/** Pure: the content hash of what matters in a config (not its deploy time), for idempotent puts. */
export function serviceConfigHash(config: ServiceConfig): string {
  const { namespace, service, stage, sensitive, allowlist, alerts } = config;
  const canonical = JSON.stringify([namespace ?? '_', service, stage, [...config.actions].sort(), sensitive ?? null, allowlist ?? null, alerts ?? null], sortedKeys);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** JSON.stringify replacer that writes object keys in sorted order (stable hashes). */
function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Pure: the stored form of one service's config. */
export function serviceConfigItem(config: ServiceConfig) {
  const { sensitive, allowlist, alerts } = config;
  return {
    ...serviceConfigKey(config.namespace, config.service, config.stage),
    ...(config.namespace !== undefined ? { namespace: config.namespace } : {}),
    service: config.service,
    stage: config.stage,
    actions: [...config.actions].sort(),
    settings: JSON.stringify({ ...(sensitive ? { sensitive } : {}), ...(allowlist ? { allowlist } : {}), ...(alerts !== undefined ? { alerts } : {}) }),
    hash: serviceConfigHash(config),
    deployedAt: config.deployedAt,
  };
}

/** Pure: a stored item back as a ServiceConfig. */
export function itemToServiceConfig(stored: { namespace?: string; service: string; stage: string; actions: string[]; settings: string; deployedAt: number }): ServiceConfig {
  const settings = JSON.parse(stored.settings) as Pick<ServiceConfig, 'sensitive' | 'allowlist' | 'alerts'>;
  return {
    ...(stored.namespace !== undefined ? { namespace: stored.namespace } : {}),
    service: stored.service,
    stage: stored.stage,
    actions: [...stored.actions],
    ...settings,
    deployedAt: stored.deployedAt,
  };
}

export function defineServiceConfigEntities(table: Table) {
  const config = new Entity({
    name: 'serviceConfig',
    table,
    timestamps: false,
    schema: item({
      pk: string().key(),
      sk: string().key(),
      namespace: string().optional(),
      service: string(),
      stage: string(),
      actions: list(string()),
      settings: string(),
      hash: string(),
      deployedAt: number(),
    }),
  });
  const version = new Entity({
    name: 'serviceConfigVersion',
    table,
    timestamps: false,
    schema: item({ pk: string().key(), sk: string().key(), version: number() }),
  });
  const known = new Entity({
    name: 'deploymentKnown',
    table,
    timestamps: false,
    schema: item({ pk: string().key(), sk: string().key() }),
  });
  const awaiting = new Entity({
    name: 'deploymentAwaiting',
    table,
    timestamps: false,
    schema: item({ pk: string().key(), sk: string().key(), requests: set(string()) }),
  });
  return { config, version, known, awaiting };
}

export const deploymentKnownKey = (hash: string) => ({ pk: `DEP#${hash}`, sk: 'KNOWN' });
export const deploymentAwaitKey = (hash: string) => ({ pk: `DEP#${hash}`, sk: 'AWAIT' });

export class DynamoServiceConfigStore implements ServiceConfigStore, DeploymentLedger {
  private readonly entities: ReturnType<typeof defineServiceConfigEntities>;
  constructor(private readonly table: Table) {
    this.entities = defineServiceConfigEntities(table);
  }

  async putServiceConfig(config: ServiceConfig): Promise<PutServiceConfigResult> {
    const stored = serviceConfigItem(config);
    try {
      // Written only when absent, or different and not older: a redeploy with the same settings leaves
      // the version alone, and an older deployment arriving late (a container still running the
      // previous artifact sends the settings it was packaged with) never replaces a newer one.
      await this.entities.config
        .build(PutItemCommand)
        .item(stored)
        .options({ condition: { or: [{ attr: 'pk', exists: false }, { and: [{ attr: 'hash', ne: stored.hash }, { attr: 'deployedAt', lte: stored.deployedAt }] }] } })
        .send();
    } catch (err) {
      if (isConditionCheckFailed(err)) return { changed: false };
      throw err;
    }
    // After the put: a reader that sees the new version finds the new settings. (Should this bump be
    // lost, readers still reload everything now and then: correlator/detect/service-settings-cache.ts.)
    await this.entities.version.build(UpdateItemCommand).item({ ...serviceVersionKey, version: $add(1) }).send();
    return { changed: true };
  }

  async listServiceConfigs(): Promise<ServiceConfig[]> {
    const { Items } = await this.table
      .build(QueryCommand)
      .entities(this.entities.config)
      .query({ partition: SERVICES_PARTITION, range: { beginsWith: SERVICE_SK_PREFIX } })
      .options({ consistent: true, maxPages: Infinity })
      .send();
    return (Items ?? []).map(itemToServiceConfig);
  }

  async serviceConfigVersion(): Promise<number> {
    const { Item } = await this.entities.version.build(GetItemCommand).key(serviceVersionKey).options({ consistent: true }).send();
    return Item?.version ?? 0;
  }

  async markDeploymentsKnown(hashes: readonly string[]): Promise<string[]> {
    const waiting = new Set<string>();
    for (const hash of [...new Set(hashes)]) {
      // Known first, then the waiting list: a request added after this read sees the mark and is judged then.
      await this.entities.known.build(PutItemCommand).item(deploymentKnownKey(hash)).send();
      const { Item } = await this.entities.awaiting.build(GetItemCommand).key(deploymentAwaitKey(hash)).options({ consistent: true }).send();
      if (!Item) continue;
      for (const r of Item.requests) waiting.add(r);
      await this.entities.awaiting.build(DeleteItemCommand).key(deploymentAwaitKey(hash)).send();
    }
    return [...waiting].sort();
  }

  async knownDeployments(hashes: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const hash of [...new Set(hashes)]) {
      const { Item } = await this.entities.known.build(GetItemCommand).key(deploymentKnownKey(hash)).options({ consistent: true }).send();
      if (Item) out.add(hash);
    }
    return out;
  }

  async awaitDeployment(hash: string, requests: readonly string[]): Promise<void> {
    if (requests.length === 0) return;
    await this.entities.awaiting.build(UpdateItemCommand).item({ ...deploymentAwaitKey(hash), requests: $add(new Set(requests)) }).send();
  }
}
