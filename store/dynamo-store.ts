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
import type { GraphFragment, RequestGraph, RequestSummary, ActivationNode, UpgEdge } from '../upg/types';
import type { ActivationMeta, ProvenanceStore, TimeRange } from './types';
import {
  BUCKETS_PK,
  INDEX,
  UNKNOWN_DAY,
  dayBucket,
  metaKey,
  requestPk,
  timeSortPart,
} from './keys';
import { itemToMeta, metaItem, type MergeUpdate } from './items';
import {
  CHUNK_PREFIX,
  activationPk,
  behaviourItem,
  behaviourKey,
  chunksToFragments,
  dictionariesNamed,
  fragmentItems,
  graphFromFragments,
  groupActivation,
  learnedBehaviour,
  refsToActivations,
  touchGroup,
  touchesToHistory,
} from './chunks';
import { shapeOf, type Dictionary } from './compact-graph';
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
import { DynamoCollectCheckpointStore } from './collect-checkpoint';

/** BatchWriteItem takes at most 25 requests, BatchGetItem 100 keys. */
const BATCH_WRITE_SIZE = 25;
const BATCH_GET_SIZE = 100;
/** learned behaviours (and dictionaries read) kept in memory at most; past it the memory starts over */
const MAX_BEHAVIOURS = 4096;
/** write calls in flight at once (batch writes of one call, summary updates) */
const WRITES_IN_FLIGHT = 4;
/** attempts for unprocessed batch items, with exponential backoff from RETRY_BASE_MS */
const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 25;

type Item = Record<string, unknown>;

export class DynamoProvenanceStore implements ProvenanceStore {
  private readonly incidents: DynamoIncidentStore;
  private readonly services: DynamoServiceConfigStore;
  private readonly checkpoints: DynamoCollectCheckpointStore;
  /** the learned behaviour of each shape of fragment this store wrote (compact-graph.ts) */
  private readonly behaviours = new Map<string, Dictionary>();
  /** behaviour dictionaries by hash, written or read here */
  private readonly dictionaryCache = new Map<string, Buffer>();
  /** day buckets whose marker this store already wrote (markers are immutable) */
  private readonly knownBuckets = new Set<string>();

  constructor(
    private readonly model: ProvenanceModel,
    private readonly client: DynamoDBClient,
    private readonly documentClient: DynamoDBDocumentClient,
    /** what else to stop when the store closes (a dynalite this store started) */
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.incidents = new DynamoIncidentStore(model.table);
    this.services = new DynamoServiceConfigStore(model.table);
    this.checkpoints = new DynamoCollectCheckpointStore(model.table);
  }

  markDeploymentsKnown(hashes: readonly string[]): Promise<string[]> {
    return this.services.markDeploymentsKnown(hashes);
  }

  knownDeployments(hashes: readonly string[]): Promise<Set<string>> {
    return this.services.knownDeployments(hashes);
  }

  awaitDeployment(hash: string, requests: readonly string[]): Promise<void> {
    return this.services.awaitDeployment(hash, requests);
  }

  getCollectCheckpoint<T>(key: string): Promise<T | undefined> {
    return this.checkpoints.getCollectCheckpoint<T>(key);
  }

  putCollectCheckpoint<T>(key: string, state: T): Promise<void> {
    return this.checkpoints.putCollectCheckpoint(key, state);
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

  writeFragment(fragment: GraphFragment): Promise<void> {
    return this.writeFragments([fragment]);
  }

  async writeFragments(fragments: readonly GraphFragment[]): Promise<void> {
    for (const fragment of fragments) validateFragment(fragment);
    if (fragments.length === 0) return;
    const { entities } = this.model;
    // One summary update per request, from all of its fragments here (min/max/union: the same result).
    const byRequest = new Map<string, GraphFragment>();
    for (const f of fragments) {
      const known = byRequest.get(f.request);
      byRequest.set(f.request, known ? { request: f.request, nodes: [...known.nodes, ...f.nodes], edges: [...known.edges, ...f.edges] } : f);
    }
    const summaries = [...byRequest.values()].map(summaryUpdate);
    // Only markers this store has not written yet: every fragment of a day points at the same one.
    const markers = summaries.flatMap(bucketMarkers).filter((m) => !this.knownBuckets.has(String(m.sk)));

    // Order matters for readers, not for correctness: the graphs and their indexes first, the
    // summaries last, so a request is listed only once its graph can be read (and its bucket marker exists).
    // Each shape of fragment is compressed against the first of its shape this store wrote (its
    // learned behaviour), which is written before any chunk that needs it.
    const learned: Dictionary[] = [];
    const dictionaries = fragments.map((f) => {
      const shape = shapeOf(f);
      let d = this.behaviours.get(shape);
      if (!d) {
        if (this.behaviours.size >= MAX_BEHAVIOURS) this.behaviours.clear();
        this.behaviours.set(shape, (d = learnedBehaviour(f)));
        learned.push(d);
      }
      return d;
    });
    if (learned.length) await this.putAll(learned.map((d) => ({ entity: entities.behaviour, item: behaviourItem(d) })));
    for (const d of learned) this.dictionaryCache.set(d.hash, d.bytes);

    const puts: Array<{ entity: Entity; item: Item }> = [];
    for (const { chunks, activations, touches } of fragments.map((f, i) => fragmentItems(f, dictionaries[i]))) {
      puts.push(
        ...chunks.map((item) => ({ entity: entities.chunk, item })),
        ...activations.map((item) => ({ entity: entities.activationRef, item })),
        ...touches.map((item) => ({ entity: entities.touchGroup, item })),
      );
    }
    puts.push(...markers.map((item) => ({ entity: entities.bucket, item })));
    await this.putAll(puts);
    for (const m of markers) this.knownBuckets.add(String(m.sk));
    await forEachLimited(summaries, WRITES_IN_FLIGHT, (summary) => this.merge(entities.summary, summary));
  }

  async getRequestGraph(requestId: string): Promise<RequestGraph | undefined> {
    const items = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.chunk)
        .query({ partition: requestPk(requestId), range: { beginsWith: CHUNK_PREFIX } })
        .options({ consistent: true, maxPages: Infinity }),
    );
    if (items.length === 0) return undefined;
    const graph = graphFromFragments(requestId, chunksToFragments(requestId, items, await this.getBehaviours(dictionariesNamed(items))));
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
    // DynamoDB refuses an empty string as a key value, even as a range bound: no --since, no lower bound.
    const low = since !== undefined ? timeSortPart(since) : undefined;
    // '#' sorts before every character of a request id, and the '~' unknown-time marker after digits.
    const high = until !== undefined ? `${timeSortPart(until)}#\uffff` : '\uffff';
    for (const bucket of buckets) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const remaining = limit === undefined ? undefined : limit - out.length;
        const page = await this.model.table
          .build(QueryCommand)
          .entities(this.model.entities.summary)
          .query({ index: INDEX.byTime.name, partition: bucket, range: low !== undefined ? { between: [low, high] } : { lte: high } })
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
        .entities(this.model.entities.activationRef)
        .query({ index: INDEX.byContainer.name, partition: containerNodeId })
        .options({ maxPages: Infinity }),
    );
    return refsToActivations(items, await this.getBehaviours(dictionariesNamed(items)));
  }

  async entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>> {
    const items = await this.queryAll(
      this.model.table
        .build(QueryCommand)
        .entities(this.model.entities.touchGroup)
        .query({ index: INDEX.byEntity.name, partition: touchGroup(entityNodeId) })
        .options({ maxPages: Infinity }),
    );
    const activation = groupActivation(touchGroup(entityNodeId));
    if (activation !== undefined) {
      items.push(
        ...(await this.queryAll(
          this.model.table
            .build(QueryCommand)
            .entities(this.model.entities.activationRef)
            .query({ partition: activationPk(activation) })
            .options({ consistent: true, maxPages: Infinity }),
        )),
      );
    }
    return touchesToHistory(entityNodeId, items, await this.getBehaviours(dictionariesNamed(items)));
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

  /** learned behaviours by hash, from this store's cache, else one BatchGetItem per 100 */
  private async getBehaviours(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing = hashes.filter((h) => {
      const known = this.dictionaryCache.get(h);
      if (known) out.set(h, known);
      return !known;
    });
    for (const chunk of chunks(missing, BATCH_GET_SIZE)) {
      const command = this.model.table
        .build(BatchGetCommand)
        .requests(...chunk.map((hash) => this.model.entities.behaviour.build(BatchGetRequest).key(behaviourKey(hash) as never)));
      const { Responses, UnprocessedKeys } = await executeBatchGet({ maxAttempts: MAX_ATTEMPTS }, command);
      if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) {
        throw new Error(`DynamoDB did not return ${chunk.length} behaviour dictionaries after ${MAX_ATTEMPTS} attempts (throttled); retry later`);
      }
      for (const item of (Responses?.[0] ?? []) as Array<Item | undefined>) {
        if (!item) continue;
        const bytes = Buffer.from(item.body as Uint8Array);
        if (this.dictionaryCache.size >= MAX_BEHAVIOURS) this.dictionaryCache.clear();
        this.dictionaryCache.set(String(item.hash), bytes);
        out.set(String(item.hash), bytes);
      }
    }
    return out;
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

  /** BatchWriteItem puts, deduplicated by key, 25 at a time (a few calls in flight), retrying unprocessed items with backoff. */
  private async putAll(puts: Array<{ entity: Entity; item: Item }>): Promise<void> {
    const byKey = new Map<string, { entity: Entity; item: Item }>();
    for (const put of puts) byKey.set(`${String(put.item.pk)}\u0000${String(put.item.sk)}`, put);
    await forEachLimited(chunks([...byKey.values()], BATCH_WRITE_SIZE), WRITES_IN_FLIGHT, async (chunk) => {
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
    });
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

async function forEachLimited<T>(list: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) await fn(list[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
