// ProvenanceStore over one DynamoDB table (side effects only: what to write and how to read it back
// is decided by the pure modules keys.ts, items.ts, summary.ts and merge.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  BatchGetRequest,
  QueryCommand,
  executeBatchGet,
} from 'dynamodb-toolbox';
import type { GraphFragment, RequestGraph, RequestSummary, ActivationNode, UpgEdge } from '../upg/types';
import type { ActivationMeta, ProvenanceStore, TimeRange } from './types';
import {
  BUCKETS_PK,
  INDEX,
  UNKNOWN_DAY,
  dayBucket,
  requestPk,
  timeSortPart,
} from './keys';
import type { MergeUpdate } from './items';
import {
  CHUNK_PREFIX,
  activationEdges,
  activationsOf,
  behaviourBytes,
  behaviourItem,
  behaviourKey,
  chunksToFragments,
  dictionariesNamed,
  fragmentItems,
  graphFromFragments,
  groupActivation,
  itemsToActivations,
  learnedBehaviour,
  mergeStored,
  touchGroup,
  touchesToHistory,
  unpackActivation,
} from './chunks';
import {
  ACTIVATION_SK,
  POINTER_PREFIX,
  activationBehaviour,
  activationShape,
  activationKey,
  activationPk,
  activationWrite,
  fileContainer,
  itemMeta,
  ownActivation,
  type ActivationContribution,
} from './activation-item';
import { shapeOf, type Dictionary } from './compact-graph';
import { bucketMarkers, itemToSummary, summaryUpdate } from './summary';
import { validateFragment, validateMetas } from './validate';
import { itemToProfile, profileItem, profileKey, profilesNeeded, restoreLogTexts } from './profiles';
import type { LmsProfile } from '../lms/types';
import type { ProvenanceModel } from './table';
import type { Entity } from 'dynamodb-toolbox';
import type { Incident } from '../upg/analyses/types';
import { DynamoIncidentStore, type IncidentQuery, type PutIncidentResult, type StoredIncident } from './incidents';
import { DynamoServiceConfigStore, type PutServiceConfigResult, type ServiceConfig } from './service-config';
import { DynamoCollectCheckpointStore } from './collect-checkpoint';
import { batchWrite, mergeItem, putRequests, type Put } from './raw-write';
import { BATCH_GET_SIZE, getItems, queryItems, type RawQuery } from './raw-read';
import { MAX_ATTEMPTS } from './unprocessed-retry';

/** how long, and for how many containers, a reading store keeps a container's items (containerItems) */
const CONTAINER_READ_KEPT_MS = 2_000;
const CONTAINER_READS_KEPT = 64;
/** behaviour dictionaries, and LMS profiles, kept in memory at most (each cache); past it that memory starts over */
const MAX_BEHAVIOURS = 4096;
/** activation ids writtenBy keeps at most (a store that writes and never reads would grow it) */
const MAX_WRITTEN_KEPT = 50_000;
/** write calls in flight at once (batch writes of one call, summary updates) */
const WRITES_IN_FLIGHT = 4;

type Item = Record<string, unknown>;

export class DynamoProvenanceStore implements ProvenanceStore {
  private readonly incidents: DynamoIncidentStore;
  private readonly services: DynamoServiceConfigStore;
  private readonly checkpoints: DynamoCollectCheckpointStore;
  /**
   * The learned behaviour of each shape of fragment this store wrote (compact-graph.ts), with the
   * write of its item: a shape counts as learned only once that item is stored, or a write that
   * failed part-way (and its retry) would leave items compressed against a dictionary nobody has.
   */
  private readonly behaviours = new Map<string, { dictionary: Dictionary; stored: Promise<void> }>();
  /** behaviour dictionaries by hash, written or read here */
  private readonly dictionaryCache = new Map<string, Buffer>();
  /** containers' activation items as a store that never wrote read them last (containerItems) */
  private readonly containerReads = new Map<string, { at: number; items: Promise<Item[]> }>();
  /** LMS profiles by hash, read here (content-addressed, so never stale) */
  private readonly profileCache = new Map<string, LmsProfile>();
  /** activation items asked for by graph reads in this turn of the event loop: read with one BatchGetItem */
  private graphReads: { ids: Set<string>; done: Promise<Map<string, Item | undefined>> } | undefined;
  /** day buckets whose marker this store already wrote (markers are immutable) */
  private readonly knownBuckets = new Set<string>();
  /**
   * The activation items the last getActivationMeta read (undefined: not stored): the correlator
   * reads them before it assembles a batch, so writing the batch merges into them without reading again.
   */
  private lastRead = new Map<string, Item | undefined>();
  /** writes done when lastRead's read started: an item in it is current unless a later write wrote it */
  private lastReadDoneBefore = -1;
  /**
   * The write (its number) that last wrote each activation item, for the writes a read in lastRead
   * may have missed: with batches assembled while the one before is written (correlator/ingest/
   * pipeline.ts), only the items that write touched need reading again.
   */
  private readonly writtenBy = new Map<string, number>();
  /** writtenBy forgot the writes numbered below this (it is kept small): a read from before them is not used */
  private writtenByFrom = 0;
  private writesStarted = 0;
  private writesDone = 0;
  /** writes of this store, one at a time: each merges into activation items the one before may have written */
  private writing: Promise<unknown> = Promise.resolve();

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

  getIncident(id: string): Promise<StoredIncident | undefined> {
    return this.incidents.getIncident(id);
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

  async writeFragments(fragments: readonly GraphFragment[], metas: readonly ActivationMeta[] = []): Promise<void> {
    for (const fragment of fragments) validateFragment(fragment);
    validateMetas([...metas]);
    if (fragments.length === 0 && metas.length === 0) return;
    const write = this.writing.then(() => this.write(fragments, metas)).finally(() => this.writesDone++);
    this.writing = write.catch(() => {});
    await write;
  }

  private async write(fragments: readonly GraphFragment[], metas: readonly ActivationMeta[]): Promise<void> {
    // What getActivationMeta read is current for an item no write wrote since the read began.
    if (this.lastReadDoneBefore < this.writtenByFrom) this.lastRead = new Map();
    for (const id of this.lastRead.keys()) if ((this.writtenBy.get(id) ?? -1) >= this.lastReadDoneBefore) this.lastRead.delete(id);
    const writeNumber = this.writesStarted++;
    if (this.writtenBy.size > MAX_WRITTEN_KEPT) {
      this.writtenBy.clear();
      this.writtenByFrom = writeNumber;
    }
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
    const dictionaries = await this.behavioursOf(fragments.map((f) => [shapeOf(f), () => learnedBehaviour(f)]));

    const puts: Array<{ entity: Entity; item: Item }> = [];
    const contributions = new Map<string, { list: ActivationContribution[]; dictionary?: Dictionary }>();
    fragments.forEach((f, i) => {
      const { chunks, activations, touches } = fragmentItems(f, dictionaries[i]);
      puts.push(...chunks.map((item) => ({ entity: entities.chunk, item })), ...touches.map((item) => ({ entity: entities.touchGroup, item })));
        for (const c of activations) {
        let entry = contributions.get(c.activationId);
        if (!entry) contributions.set(c.activationId, (entry = { list: [] }));
        entry.list.push(c);
      }
    });
    // Each activation's body against the first of its shape (its action, cold or warm) this store wrote.
    const shaped = [...contributions.values()].flatMap((entry) => {
      const first = entry.list.find((c) => c.node?.action !== undefined);
      return first ? [{ entry, first }] : [];
    });
    const activationDictionaries = await this.behavioursOf(shaped.map(({ first }) => [activationShape(first.node!), () => activationBehaviour(first)]));
    shaped.forEach(({ entry }, i) => (entry.dictionary = activationDictionaries[i]));
    puts.push(...(await this.activationItems(contributions, metas, writeNumber)));
    puts.push(...markers.map((item) => ({ entity: entities.bucket, item })));
    await this.putAll(puts);
    for (const m of markers) this.knownBuckets.add(String(m.sk));
    await forEachLimited(summaries, WRITES_IN_FLIGHT, (summary) => this.merge(entities.summary, summary));
  }

  /**
   * The dictionary of each shape, learned from `learn()` the first time a shape is seen, once its item
   * is stored (new ones in one write). A failed write forgets what it learned, so a retry stores it
   * again; a write that meets a shape another write is still storing waits for that write.
   */
  private async behavioursOf(shapes: ReadonlyArray<readonly [string, () => Dictionary]>): Promise<Dictionary[]> {
    const fresh: Array<{ shape: string; known: { dictionary: Dictionary; stored: Promise<void> } }> = [];
    const known = shapes.map(([shape, learn]) => {
      let k = this.behaviours.get(shape);
      if (!k) {
        if (this.behaviours.size >= MAX_BEHAVIOURS) this.behaviours.clear();
        k = { dictionary: learn(), stored: Promise.resolve() };
        this.behaviours.set(shape, k);
        fresh.push({ shape, known: k });
      }
      return k;
    });
    if (fresh.length) {
      const stored = this.putAll(fresh.map(({ known: k }) => ({ entity: this.model.entities.behaviour, item: behaviourItem(k.dictionary) }))).then(
        () => {
          for (const { known: k } of fresh) this.dictionaryCache.set(k.dictionary.hash, k.dictionary.bytes);
        },
        (err: unknown) => {
          for (const { shape, known: k } of fresh) if (this.behaviours.get(shape) === k) this.behaviours.delete(shape);
          throw err;
        },
      );
      for (const { known: k } of fresh) k.stored = stored;
    }
    await Promise.all(new Set(known.map((k) => k.stored)));
    return known.map((k) => k.dictionary);
  }

  /** Each activation's item merged with what this write knows of it (activation-item.ts). */
  private async activationItems(
    contributions: ReadonlyMap<string, { list: ActivationContribution[]; dictionary?: Dictionary }>,
    metas: readonly ActivationMeta[],
    writeNumber: number,
  ): Promise<Array<{ entity: Entity; item: Item }>> {
    const metaOf = new Map(metas.map((m) => [m.activationId, m]));
    const ids = [...new Set([...contributions.keys(), ...metaOf.keys()])].sort();
    for (const id of ids) this.writtenBy.set(id, writeNumber);
    const unread = ids.filter((id) => !this.lastRead.has(id));
    const stored = new Map([...this.lastRead].filter(([id]) => ids.includes(id)));
    for (const [id, item] of await this.readActivationItems(unread)) stored.set(id, item);
    this.lastRead = new Map();
    const previousBodies = await this.getBehaviours(dictionariesNamed([...stored.values()].filter((i): i is Item => i !== undefined)));
    const out: Array<{ entity: Entity; item: Item }> = [];
    for (const id of ids) {
      const item = stored.get(id);
      const previous = item ? { item, body: unpackActivation(item, previousBodies) } : undefined;
      const entry = contributions.get(id);
      const dictionary = entry?.dictionary ?? (item?.dict ? { hash: String(item.dict), bytes: previousBodies.get(String(item.dict))! } : undefined);
      const { items } = activationWrite(id, previous, entry?.list ?? [], metaOf.get(id), dictionary, mergeStored);
      for (const i of items) out.push({ entity: String(i.sk).startsWith(POINTER_PREFIX) ? this.model.entities.pointer : this.model.entities.activation, item: i });
    }
    return out;
  }

  /** activation items by activation id (undefined: none stored), one BatchGetItem per 100 */
  private async readActivationItems(activationIds: readonly string[]): Promise<Map<string, Item | undefined>> {
    const out = new Map<string, Item | undefined>(activationIds.map((id) => [id, undefined]));
    const items = await getItems(this.client, this.model.table.getName(), activationIds.map(activationKey), 'activation items');
    for (const item of items) out.set(String(item.pk).slice(activationPk('').length), item);
    return out;
  }

  /**
   * readActivationItems for graph reads: the reads of graphs loaded side by side (a lineage loads
   * many, 16 at a time) join one BatchGetItem instead of one each.
   */
  private readForGraph(activationIds: readonly string[]): Promise<Map<string, Item | undefined>> {
    if (!this.graphReads) {
      const ids = new Set<string>();
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.graphReads = undefined;
        return this.readActivationItems([...ids]);
      });
      this.graphReads = { ids, done };
    }
    for (const id of activationIds) this.graphReads.ids.add(id);
    return this.graphReads.done;
  }

  async getRequestGraph(requestId: string): Promise<RequestGraph | undefined> {
    const items = await this.query({
      partitionKey: { name: 'pk', value: requestPk(requestId) },
      sortPrefix: { name: 'sk', value: CHUNK_PREFIX },
      consistent: true,
      kinds: [this.model.entities.chunk],
    });
    if (items.length === 0) return undefined;
    const fragments = chunksToFragments(requestId, items, await this.getBehaviours(dictionariesNamed(items)));
    // The edges the activations' items hold (activation-item.ts), with any touches they spilled.
    const wanted = activationsOf(fragments);
    const read = await this.readForGraph(wanted);
    const activationItems = wanted.map((id) => read.get(id)).filter((i): i is Item => i !== undefined);
    for (const item of activationItems.filter((i) => i.spill === true)) {
      activationItems.push(...(await this.activationPartition(String(item.pk).slice(activationPk('').length))).filter((i) => i.sk !== ACTIVATION_SK));
    }
    const edges = activationEdges(requestId, activationItems, await this.getBehaviours(dictionariesNamed(activationItems)));
    const graph = graphFromFragments(requestId, [...fragments, { request: requestId, nodes: [], edges }]);
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
    const items = await this.containerItems(containerNodeId);
    return itemsToActivations(items, await this.getBehaviours(dictionariesNamed(items)));
  }

  /**
   * Where an entity's touches are (activation-item.ts): its byEntity entries (activation items,
   * pointers to them, touch groups), its touch group's entries, the items of its container's
   * activations (a file) or of its activation (a log line, a message).
   */
  async entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>> {
    const { activation, pointer, touchGroup: touchGroupItems } = this.model.entities;
    const byEntity = (partition: string) =>
      this.query({ index: INDEX.byEntity.name, partitionKey: { name: INDEX.byEntity.partitionKey, value: partition }, kinds: [activation, pointer, touchGroupItems] });
    const group = touchGroup(entityNodeId);
    const container = fileContainer(entityNodeId);
    const own = ownActivation(entityNodeId) ?? groupActivation(group);
    const [direct, grouped, ofContainer, ofActivation] = await Promise.all([
      byEntity(entityNodeId),
      group !== entityNodeId ? byEntity(group) : Promise.resolve([]),
      container !== undefined ? this.containerItems(container) : Promise.resolve([]),
      own !== undefined ? this.activationPartition(own) : Promise.resolve([]),
    ]);
    const items = [...direct, ...grouped, ...ofContainer, ...ofActivation];
    // Pointers name an activation whose item holds the touches; its spilled touches are in its partition.
    const pointed = [...new Set(items.filter((i) => String(i.sk).startsWith(POINTER_PREFIX)).map((i) => String(i.pk).slice(activationPk('').length)))];
    const read = await this.readActivationItems(pointed);
    for (const item of read.values()) if (item) items.push(item);
    const spilled = [...new Set(items.filter((i) => i.sk === ACTIVATION_SK && i.spill === true).map((i) => String(i.pk).slice(activationPk('').length)))];
    for (const id of spilled) items.push(...(await this.activationPartition(id)));
    return touchesToHistory(entityNodeId, items, await this.getBehaviours(dictionariesNamed(items)));
  }

  private containerItems(containerNodeId: string): Promise<Item[]> {
    // A walk across requests asks for the history of every file of a container it crosses (a cold
    // start's forty module files), and each is answered from all of the container's activation
    // items. A store that has written nothing (a CLI command reading) keeps one container's items
    // for a moment, as one snapshot of it; a store that writes (the correlator, whose detection
    // must see what was just stored) always reads afresh.
    if (this.writesStarted > 0) return this.queryContainer(containerNodeId);
    const now = Date.now();
    const kept = this.containerReads.get(containerNodeId);
    if (kept && now - kept.at < CONTAINER_READ_KEPT_MS) return kept.items;
    const items = this.queryContainer(containerNodeId);
    if (this.containerReads.size >= CONTAINER_READS_KEPT) this.containerReads.clear();
    this.containerReads.set(containerNodeId, { at: now, items });
    items.catch(() => this.containerReads.delete(containerNodeId));
    return items;
  }

  private queryContainer(containerNodeId: string): Promise<Item[]> {
    return this.query({
      index: INDEX.byContainer.name,
      partitionKey: { name: INDEX.byContainer.partitionKey, value: containerNodeId },
      kinds: [this.model.entities.activation],
    });
  }

  private activationPartition(activationId: string): Promise<Item[]> {
    return this.query({
      partitionKey: { name: 'pk', value: activationPk(activationId) },
      consistent: true,
      kinds: [this.model.entities.activation, this.model.entities.pointer],
    });
  }

  /** one query of the graph's items, every page, read raw (raw-read.ts) */
  private query(q: Omit<RawQuery, 'table' | 'kinds'> & { kinds: Entity[] }): Promise<Item[]> {
    return queryItems(this.client, { ...q, table: this.model.table.getName(), kinds: q.kinds.map((e) => e.entityName) });
  }

  async getActivationMeta(activationIds: string[]): Promise<Map<string, ActivationMeta>> {
    // Writes numbered from here on may be missing from what this reads (write() checks per item).
    const doneBefore = this.writesDone;
    const keepFrom = Math.min(doneBefore, this.lastReadDoneBefore);
    for (const [id, n] of this.writtenBy) if (n < keepFrom) this.writtenBy.delete(id);
    const read = await this.readActivationItems([...new Set(activationIds)]);
    this.lastRead = read;
    this.lastReadDoneBefore = doneBefore;
    const out = new Map<string, ActivationMeta>();
    for (const [id, item] of read) {
      const meta = item ? itemMeta(item) : undefined;
      if (meta) out.set(id, meta);
    }
    return out;
  }

  /** The correlator's state alone (writeFragments takes it with the fragments, which is what the correlator does). */
  async putActivationMeta(metas: ActivationMeta[]): Promise<void> {
    await this.writeFragments([], metas);
  }

  async putProfiles(profiles: ReadonlyMap<string, LmsProfile>): Promise<void> {
    await this.putAll([...profiles].map(([hash, profile]) => ({ entity: this.model.entities.profile, item: profileItem(hash, profile) })));
  }

  /** learned behaviours by hash, from this store's cache, else one BatchGetItem per 100 */
  private getBehaviours(hashes: readonly string[]): Promise<Map<string, Buffer>> {
    return this.readByHash(hashes, this.dictionaryCache, this.model.entities.behaviour, behaviourKey, 'behaviour dictionaries', behaviourBytes);
  }

  getProfiles(hashes: readonly string[]): Promise<Map<string, LmsProfile>> {
    return this.readByHash(hashes, this.profileCache, this.model.entities.profile, profileKey, 'LMS profiles', itemToProfile);
  }

  /**
   * Items named by their content hash: from `cache`, else one BatchGetItem per 100 keys (each key
   * once: DynamoDB refuses a batch that names a key twice). What is read is kept, since an item
   * named by its content cannot go stale; past MAX_BEHAVIOURS the cache starts over.
   */
  private async readByHash<T>(
    hashes: readonly string[],
    cache: Map<string, T>,
    entity: Entity,
    keyOf: (hash: string) => { pk: string; sk: string },
    what: string,
    decode: (item: Item) => T,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const missing = [...new Set(hashes)].filter((h) => {
      const known = cache.get(h);
      if (known !== undefined) out.set(h, known);
      return known === undefined;
    });
    for (const chunk of chunks(missing, BATCH_GET_SIZE)) {
      const command = this.model.table.build(BatchGetCommand).requests(...chunk.map((hash) => entity.build(BatchGetRequest).key(keyOf(hash) as never)));
      const { Responses, UnprocessedKeys } = await executeBatchGet({ maxAttempts: MAX_ATTEMPTS }, command);
      if (UnprocessedKeys && Object.keys(UnprocessedKeys).length > 0) {
        throw new Error(`DynamoDB did not return ${chunk.length} ${what} after ${MAX_ATTEMPTS} attempts (throttled); retry later`);
      }
      for (const item of (Responses?.[0] ?? []) as Array<Item | undefined>) {
        if (!item) continue;
        const value = decode(item);
        if (cache.size >= MAX_BEHAVIOURS) cache.clear();
        cache.set(String(item.hash), value);
        out.set(String(item.hash), value);
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.documentClient.destroy();
    this.client.destroy();
    await this.onClose();
  }

  /** UpdateItem that merges into the stored item, plus the rare conditional correction (merge.ts); sent as raw-write.ts builds it. */
  private merge(entity: Entity, update: MergeUpdate): Promise<void> {
    return mergeItem(this.client, this.model.table.getName(), entity, update);
  }

  /** BatchWriteItem puts, deduplicated by key, 25 at a time (a few calls in flight), retrying unprocessed items with backoff (raw-write.ts). */
  private async putAll(puts: Put[]): Promise<void> {
    const table = this.model.table.getName();
    await forEachLimited(putRequests(puts), WRITES_IN_FLIGHT, (requests) => batchWrite(this.client, table, requests));
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

