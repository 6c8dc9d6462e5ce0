// ProvenanceStore over one DynamoDB table (side effects only: what to write and how to read it back
// is decided by the pure modules keys.ts, items.ts, summary.ts and merge.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand as RawBatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  $add,
  $get,
  $set,
  BatchGetCommand,
  BatchGetRequest,
  BatchPutRequest,
  BatchWriteCommand,
  QueryCommand,
  UpdateItemCommand,
  executeBatchGet,
  executeBatchWrite,
  isConditionCheckFailed,
} from 'dynamodb-toolbox';
import type { GraphFragment, RequestGraph, RequestSummary, ActivationNode, UpgEdge, UpgNode, GraphWarning } from '../upg/types';
import type { ActivationMeta, ProvenanceStore, TimeRange } from './types';
import {
  BUCKETS_PK,
  GRAPH_SK_UPPER_BOUND,
  INDEX,
  UNKNOWN_DAY,
  dayBucket,
  metaKey,
  requestPk,
  timeSortPart,
} from './keys';
import {
  edgeItem,
  entityEndpoints,
  itemToEdge,
  itemToMeta,
  itemToNode,
  itemToTouchedEdge,
  itemToWarning,
  metaItem,
  nodeUpdate,
  touchItem,
  warningItem,
  type MergeUpdate,
} from './items';
import { bucketMarkers, itemToSummary, summaryUpdate } from './summary';
import { corrections, firstPass } from './merge';
import { validateFragment, validateMetas } from './validate';
import { itemToProfile, profileItem, profileKey, profilesNeeded, restoreLogTexts } from './profiles';
import type { LmsProfile } from '../lms/types';
import type { ProvenanceModel } from './table';
import type { Entity } from 'dynamodb-toolbox';
import type { Incident } from '../upg/analyses/types';
import { DynamoIncidentStore, type IncidentQuery, type PutIncidentResult } from './incidents';
import { DynamoServiceConfigStore, type PutServiceConfigResult, type ServiceConfig } from './service-config';

/** BatchWriteItem takes at most 25 requests, BatchGetItem 100 keys. */
const BATCH_WRITE_SIZE = 25;
const BATCH_GET_SIZE = 100;
/** UpdateItem calls in flight at once while writing one fragment */
const UPDATE_CONCURRENCY = 8;
/** attempts for unprocessed batch items, with exponential backoff from RETRY_BASE_MS */
const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 25;

type Item = Record<string, unknown>;

export class DynamoProvenanceStore implements ProvenanceStore {
  private readonly incidents: DynamoIncidentStore;
  private readonly services: DynamoServiceConfigStore;

  constructor(
    private readonly model: ProvenanceModel,
    private readonly client: DynamoDBClient,
    private readonly documentClient: DynamoDBDocumentClient,
    /** what else to stop when the store closes (a dynalite this store started) */
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.incidents = new DynamoIncidentStore(model.table);
    this.services = new DynamoServiceConfigStore(model.table);
  }

  putServiceConfig(config: ServiceConfig): Promise<PutServiceConfigResult> {
    return this.services.putServiceConfig(config);
  }

  listServiceConfigs(): Promise<ServiceConfig[]> {
    return this.services.listServiceConfigs();
  }

  serviceConfigVersion(): Promise<number> {
    return this.services.serviceConfigVersion();
  }

  putIncident(incident: Incident): Promise<PutIncidentResult> {
    return this.incidents.putIncident(incident);
  }

  markIncidentAlerted(id: string, at: number): Promise<void> {
    return this.incidents.markIncidentAlerted(id, at);
  }

  listIncidents(query?: IncidentQuery): Promise<Incident[]> {
    return this.incidents.listIncidents(query);
  }

  async writeFragment(fragment: GraphFragment): Promise<void> {
    validateFragment(fragment);
    const { entities } = this.model;
    const request = fragment.request;
    const kinds = new Map<string, UpgNode['kind']>(fragment.nodes.map((n) => [n.id, n.kind]));
    const summary = summaryUpdate(fragment);

    // Order matters for readers, not for correctness: puts and nodes first, the summary last, so a
    // request is listed only once its graph can be read (and its time bucket marker exists).
    await this.putAll([
      ...fragment.edges.map((e) => ({ entity: entities.edge, item: edgeItem(request, e) })),
      ...fragment.edges.flatMap((e) =>
        entityEndpoints(e, (id) => kinds.get(id)).map((entityId) => ({
          entity: entities.touch,
          item: touchItem(request, entityId, e),
        })),
      ),
      ...(fragment.warnings ?? []).map((w) => ({ entity: entities.warning, item: warningItem(request, w) })),
      ...bucketMarkers(summary).map((item) => ({ entity: entities.bucket, item })),
    ]);
    await forEachLimited(fragment.nodes, UPDATE_CONCURRENCY, (node) => this.merge(entities.node, nodeUpdate(request, node)));
    await this.merge(entities.summary, summary);
  }

  async getRequestGraph(requestId: string): Promise<RequestGraph | undefined> {
    const items = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.node, this.model.entities.edge, this.model.entities.warning, this.model.entities.summary)
        .query({ partition: requestPk(requestId), range: { lt: GRAPH_SK_UPPER_BOUND } })
        .options({ consistent: true, maxPages: Infinity }),
    );
    if (items.length === 0) return undefined;
    const nodes: UpgNode[] = [];
    const edges: UpgEdge[] = [];
    const warnings: GraphWarning[] = [];
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.startsWith('N#')) nodes.push(itemToNode(item));
      else if (sk.startsWith('E#')) edges.push(itemToEdge(item));
      else if (sk.startsWith('W#')) warnings.push(itemToWarning(item));
    }
    const graph: RequestGraph = { request: requestId, nodes, edges };
    if (warnings.length > 0) graph.warnings = warnings;
    const needed = profilesNeeded(graph);
    if (needed.length > 0) restoreLogTexts(graph, await this.getProfiles(needed));
    return graph;
  }

  async listRequests(range: TimeRange = {}): Promise<RequestSummary[]> {
    const { since, until, limit } = range;
    if (limit !== undefined && limit <= 0) return [];
    // Buckets that hold requests, newest first: one small partition, one marker per day.
    const bucketItems = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.bucket)
        .query({
          partition: BUCKETS_PK,
          range: { between: [since !== undefined ? dayBucket(since) : 'DAY#', until !== undefined ? dayBucket(until) : 'DAY#9'] },
        })
        .options({ reverse: true, consistent: true, maxPages: Infinity }),
    );
    const buckets = bucketItems.map((b) => String(b.bucket)).filter((b) => b !== UNKNOWN_DAY);
    // Requests with no known time are listed last, and only when no time range was asked for.
    if (since === undefined && until === undefined) buckets.push(UNKNOWN_DAY);

    const out: RequestSummary[] = [];
    const low = since !== undefined ? timeSortPart(since) : '';
    // '#' sorts before every character of a request id, and the '~' unknown-time marker after digits.
    const high = until !== undefined ? `${timeSortPart(until)}#\uffff` : '\uffff';
    for (const bucket of buckets) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const remaining = limit === undefined ? undefined : limit - out.length;
        const page = await this.model.table
          .build(QueryCommand)
          .entities(this.model.entities.summary)
          .query({ index: INDEX.byTime.name, partition: bucket, range: { between: [low, high] } })
          .options({ reverse: true, maxPages: 1, ...(remaining ? { limit: remaining } : {}), ...(startKey ? { exclusiveStartKey: startKey } : {}) })
          .send();
        for (const item of page.Items ?? []) out.push(itemToSummary(item as Item));
        startKey = page.LastEvaluatedKey;
      } while (startKey && (limit === undefined || out.length < limit));
      if (limit !== undefined && out.length >= limit) break;
    }
    return limit === undefined ? out : out.slice(0, limit);
  }

  async containerActivations(containerNodeId: string): Promise<ActivationNode[]> {
    const items = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.node)
        .query({ index: INDEX.byContainer.name, partition: containerNodeId })
        .options({ maxPages: Infinity }),
    );
    return items.map((item) => itemToNode(item) as ActivationNode);
  }

  async entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>> {
    const items = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.touch)
        .query({ index: INDEX.byEntity.name, partition: entityNodeId })
        .options({ maxPages: Infinity }),
    );
    return items.map(itemToTouchedEdge);
  }

  async getActivationMeta(activationIds: string[]): Promise<Map<string, ActivationMeta>> {
    const ids = [...new Set(activationIds)];
    const out = new Map<string, ActivationMeta>();
    for (const chunk of chunks(ids, BATCH_GET_SIZE)) {
      const command = this.model.table
        .build(BatchGetCommand)
        .requests(...chunk.map((id) => this.model.entities.meta.build(BatchGetRequest).key(metaKey(id) as never)))
        .options({ consistent: true });
      const { Responses, UnprocessedKeys } = await executeBatchGet({ maxAttempts: MAX_ATTEMPTS }, command);
      if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) {
        throw new Error(`DynamoDB did not return ${chunk.length} activation records after ${MAX_ATTEMPTS} attempts (throttled); retry later`);
      }
      for (const item of (Responses?.[0] ?? []) as Array<Item | undefined>) {
        if (item) {
          const meta = itemToMeta(item);
          out.set(meta.activationId, meta);
        }
      }
    }
    return out;
  }

  async putActivationMeta(metas: ActivationMeta[]): Promise<void> {
    validateMetas(metas);
    await this.putAll(metas.map((m) => ({ entity: this.model.entities.meta, item: metaItem(m) })));
  }

  async putProfiles(profiles: ReadonlyMap<string, LmsProfile>): Promise<void> {
    await this.putAll([...profiles].map(([hash, profile]) => ({ entity: this.model.entities.profile, item: profileItem(hash, profile) })));
  }

  async getProfiles(hashes: readonly string[]): Promise<Map<string, LmsProfile>> {
    const out = new Map<string, LmsProfile>();
    for (const chunk of chunks([...new Set(hashes)], BATCH_GET_SIZE)) {
      const command = this.model.table
        .build(BatchGetCommand)
        .requests(...chunk.map((hash) => this.model.entities.profile.build(BatchGetRequest).key(profileKey(hash) as never)));
      const { Responses, UnprocessedKeys } = await executeBatchGet({ maxAttempts: MAX_ATTEMPTS }, command);
      if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) {
        throw new Error(`DynamoDB did not return ${chunk.length} LMS profiles after ${MAX_ATTEMPTS} attempts (throttled); retry later`);
      }
      for (const item of (Responses?.[0] ?? []) as Array<Item | undefined>) if (item) out.set(String(item.hash), itemToProfile(item));
    }
    return out;
  }

  async close(): Promise<void> {
    this.documentClient.destroy();
    this.client.destroy();
    await this.onClose();
  }

  /** UpdateItem that merges into the stored item, plus the rare conditional correction (merge.ts). */
  private async merge(entity: Entity, update: MergeUpdate): Promise<void> {
    const pass = firstPass(update);
    const item: Item = { ...update.key, ...pass.set };
    for (const [attr, value] of Object.entries(pass.set)) if (Array.isArray(value)) item[attr] = $set(value as never);
    for (const [attr, value] of Object.entries(pass.setIfMissing)) item[attr] = $get(attr, value as never);
    for (const [attr, values] of Object.entries(pass.addToSet)) item[attr] = $add(new Set(values));
    const { Attributes } = await entity
      .build(UpdateItemCommand)
      .item(item as never)
      .options({ returnValues: 'ALL_NEW' })
      .send();
    for (const correction of corrections(update, (Attributes ?? {}) as Item)) {
      const { attr, ...comparison } = correction.condition;
      try {
        await entity
          .build(UpdateItemCommand)
          .item({ ...correction.key, ...correction.set } as never)
          .options({ condition: { attr, ...comparison } as never })
          .send();
      } catch (err) {
        // Someone stored a better value meanwhile: theirs stays, which is the point.
        if (!isConditionCheckFailed(err)) throw err;
      }
    }
  }

  /** BatchWriteItem puts, deduplicated by key, 25 at a time, retrying unprocessed items with backoff. */
  private async putAll(puts: Array<{ entity: Entity; item: Item }>): Promise<void> {
    const byKey = new Map<string, { entity: Entity; item: Item }>();
    for (const put of puts) byKey.set(`${String(put.item.pk)}\u0000${String(put.item.sk)}`, put);
    for (const chunk of chunks([...byKey.values()], BATCH_WRITE_SIZE)) {
      const command = this.model.table
        .build(BatchWriteCommand)
        .requests(...chunk.map(({ entity, item }) => entity.build(BatchPutRequest).item(item as never)));
      let { UnprocessedItems: unprocessed } = await executeBatchWrite(command);
      for (let attempt = 1; unprocessed && Object.keys(unprocessed).length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`DynamoDB left items unwritten after ${MAX_ATTEMPTS} attempts (throttled); the write is idempotent, retry it`);
        }
        await sleep(RETRY_BASE_MS * 2 ** attempt);
        ({ UnprocessedItems: unprocessed } = await this.documentClient.send(
          new RawBatchWriteCommand({ RequestItems: unprocessed as never }),
        ));
      }
    }
  }

  /** every page of a query (each query below asks for maxPages: Infinity) */
  private async queryAll(command: { send(): Promise<{ Items?: unknown[] }> }): Promise<Item[]> {
    const { Items } = await command.send();
    return (Items ?? []) as Item[];
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function forEachLimited<T>(list: T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) await fn(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
