// Deployed services' analysis settings (custom.provenance sensitive / allowlist / alerts, and which
// actions belong to the service), written by the plugin at deploy and read by the correlator's
// detection. One item per service+stage (a redeploy replaces it), plus one version counter that is
// bumped only when a deploy changes a service's settings, so the correlator can poll one small item
// instead of re-reading every service.
//
//   item            pk         sk                          GSI
//   service config  SERVICES   SVC#<service>#<stage>       -
//   version marker  SERVICES   VERSION                     -
//
// All of them live in one partition (a handful of services, read by one query, never a scan).
import { createHash } from 'node:crypto';
import { $add, Entity, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, isConditionCheckFailed, item, list, number, string } from 'dynamodb-toolbox';
import type { ProvenanceModel } from './table';

type Table = ProvenanceModel['table'];

export const SERVICES_PARTITION = 'SERVICES';
const SERVICE_SK_PREFIX = 'SVC#';
export const serviceConfigKey = (service: string, stage: string) => ({ pk: SERVICES_PARTITION, sk: `${SERVICE_SK_PREFIX}${service}#${stage}` });
export const serviceVersionKey = { pk: SERVICES_PARTITION, sk: 'VERSION' } as const;

/** What one deployed service asks of the analyses (the plugin writes it; see plugin/service-settings.ts). */
export interface ServiceConfig {
  service: string;
  stage: string;
  /**
   * The service's actions as `<namespace>/<action name>` (e.g. `guest/shop-dev-purchase`). Namespace
   * `_` is "the deployer's default namespace", unknown at deploy time: it matches any namespace.
   */
  actions: string[];
  /** custom.provenance.sensitive, as written (validated by the plugin) */
  sensitive?: { tables?: string[]; files?: string[]; secrets?: string[] };
  /** custom.provenance.allowlist, as written */
  allowlist?: string[];
  /** custom.provenance.alerts, as written */
  alerts?: string | { action: string } | { url: string };
  /** when it was deployed (ms; informational: a redeploy with the same settings keeps the first) */
  deployedAt: number;
}

export interface PutServiceConfigResult {
  /** false when the stored settings were already exactly these (nothing written) */
  changed: boolean;
}

export interface ServiceConfigStore {
  /** Idempotent by service+stage: the same settings again change nothing (not even the version). */
  putServiceConfig(config: ServiceConfig): Promise<PutServiceConfigResult>;
  /** every deployed service's settings, by service then stage */
  listServiceConfigs(): Promise<ServiceConfig[]>;
  /** a number that changes whenever putServiceConfig changes something; 0 when nothing was ever stored */
  serviceConfigVersion(): Promise<number>;
}

/** Pure: the content hash of what matters in a config (not its deploy time), for idempotent puts. */
export function serviceConfigHash(config: ServiceConfig): string {
  const { service, stage, sensitive, allowlist, alerts } = config;
  const canonical = JSON.stringify([service, stage, [...config.actions].sort(), sensitive ?? null, allowlist ?? null, alerts ?? null], sortedKeys);
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
    ...serviceConfigKey(config.service, config.stage),
    service: config.service,
    stage: config.stage,
    actions: [...config.actions].sort(),
    settings: JSON.stringify({ ...(sensitive ? { sensitive } : {}), ...(allowlist ? { allowlist } : {}), ...(alerts !== undefined ? { alerts } : {}) }),
    hash: serviceConfigHash(config),
    deployedAt: config.deployedAt,
  };
}

/** Pure: a stored item back as a ServiceConfig. */
export function itemToServiceConfig(stored: { service: string; stage: string; actions: string[]; settings: string; deployedAt: number }): ServiceConfig {
  const settings = JSON.parse(stored.settings) as Pick<ServiceConfig, 'sensitive' | 'allowlist' | 'alerts'>;
  return { service: stored.service, stage: stored.stage, actions: [...stored.actions], ...settings, deployedAt: stored.deployedAt };
}

export function defineServiceConfigEntities(table: Table) {
  const config = new Entity({
    name: 'serviceConfig',
    table,
    timestamps: false,
    schema: item({
      pk: string().key(),
      sk: string().key(),
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
  return { config, version };
}

export class DynamoServiceConfigStore implements ServiceConfigStore {
  private readonly entities: ReturnType<typeof defineServiceConfigEntities>;
  constructor(private readonly table: Table) {
    this.entities = defineServiceConfigEntities(table);
  }

  async putServiceConfig(config: ServiceConfig): Promise<PutServiceConfigResult> {
    const stored = serviceConfigItem(config);
    try {
      // Written only when absent or different: a redeploy with the same settings leaves the version alone.
      await this.entities.config
        .build(PutItemCommand)
        .item(stored)
        .options({ condition: { or: [{ attr: 'pk', exists: false }, { attr: 'hash', ne: stored.hash }] } })
        .send();
    } catch (err) {
      if (isConditionCheckFailed(err)) return { changed: false };
      throw err;
    }
    // After the put: a reader that sees the new version finds the new settings. (Should this bump be
    // lost, readers still reload everything now and then: correlator/detect-services.ts.)
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
}
