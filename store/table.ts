// The table and its entities, modelled with dynamodb-toolbox v2. The table name is chosen at run time
// (--table), so the model is built per store by `defineTable`. Keys (pk/sk and the GSI keys) are
// computed by the pure code in keys.ts/items.ts and stored as plain attributes; the entities give
// each item kind a schema that dynamodb-toolbox validates on every write and uses to tell item kinds
// apart on reads (its `_et` attribute).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, Table, binary, boolean, item, list, number, set, string } from 'dynamodb-toolbox';
import { INDEX } from './keys';
import type { StoredNodeAttribute } from './items';

const keys = {
  pk: string().key(),
  sk: string().key(),
};

const edgeAttributes = {
  req: string(),
  id: string(),
  from: string(),
  to: string(),
  kind: string(),
  op: string().optional(),
  time: number().optional(),
  count: number().optional(),
  bytes: number().optional(),
  activationId: string().optional(),
  source: string().optional(),
};

/** Every node field (items.ts NODE_FIELDS) is optional here: a fragment may know only some of them. */
const nodeAttributes = {
  req: string().optional(),
  id: string().optional(),
  kind: string().optional(),
  label: string().optional(),
  firstSeen: number().optional(),
  lastSeen: number().optional(),
  truncated: set(string()).optional(),
  requestId: string().optional(),
  start: number().optional(),
  end: number().optional(),
  entry: string().optional(),
  activationId: string().optional(),
  action: string().optional(),
  container: string().optional(),
  cold: boolean().optional(),
  ok: boolean().optional(),
  error: string().optional(),
  parent: string().optional(),
  index: number().optional(),
  pid: number().optional(),
  exe: string().optional(),
  args: list(string()).optional(),
  name: string().optional(),
  namespace: string().optional(),
  containerId: string().optional(),
  invoker: string().optional(),
  cgroupId: string().optional(),
  path: string().optional(),
  address: string().optional(),
  port: number().optional(),
  proto: string().optional(),
  url: string().optional(),
  table: string().optional(),
  keyJson: string().optional(),
  from: string().optional(),
  to: string().optional(),
  stream: string().optional(),
  seq: number().optional(),
  text: string().optional(),
  time: number().optional(),
  // LMS: log lines as template + values, the activation's profile and deviations
  template: string().optional(),
  valuesJson: string().optional(),
  envelope: string().optional(),
  profile: string().optional(),
  deviationsJson: string().optional(),
  unmatched: number().optional(),
  // workflows: a web request's client, a sequence or trigger activation
  method: string().optional(),
  headersJson: string().optional(),
  platform: string().optional(),
  // completeness (upg/completeness.ts)
  stdoutClosed: boolean().optional(),
  stderrClosed: boolean().optional(),
  kernelCapture: boolean().optional(),
  kernelDelivered: boolean().optional(),
  // which fragment's entry a request node keeps (items.ts)
  entryRank: string().optional(),
  // byContainer index (activation nodes only)
  cpk: string().optional(),
  csk: string().optional(),
};

// Compile-time check: the node schema has an attribute for every node field of upg/types.ts.
type MissingNodeAttributes = Exclude<StoredNodeAttribute, keyof typeof nodeAttributes>;
const nodeSchemaCoversEveryField: [MissingNodeAttributes] extends [never] ? true : MissingNodeAttributes = true;
void nodeSchemaCoversEveryField;

export function defineTable(name: string, documentClient: DynamoDBDocumentClient) {
  const table = new Table({
    name,
    documentClient,
    partitionKey: { name: 'pk', type: 'string' },
    sortKey: { name: 'sk', type: 'string' },
    indexes: {
      [INDEX.byContainer.name]: {
        type: 'global',
        partitionKey: { name: INDEX.byContainer.partitionKey, type: 'string' },
        sortKey: { name: INDEX.byContainer.sortKey, type: 'string' },
      },
      [INDEX.byEntity.name]: {
        type: 'global',
        partitionKey: { name: INDEX.byEntity.partitionKey, type: 'string' },
        sortKey: { name: INDEX.byEntity.sortKey, type: 'string' },
      },
      [INDEX.byTime.name]: {
        type: 'global',
        partitionKey: { name: INDEX.byTime.partitionKey, type: 'string' },
        sortKey: { name: INDEX.byTime.sortKey, type: 'string' },
      },
    },
  });

  // Deterministic items: timestamps would make a repeated write differ from the first.
  const common = { table, timestamps: false } as const;

  const node = new Entity({ name: 'node', ...common, schema: item({ ...keys, ...nodeAttributes }) });

  const edge = new Entity({ name: 'edge', ...common, schema: item({ ...keys, ...edgeAttributes }) });

  /** a copy of an edge under one entity it touched (byEntity index) */
  const touch = new Entity({
    name: 'touch',
    ...common,
    schema: item({ ...keys, ...edgeAttributes, hpk: string(), hsk: string() }),
  });

  /** one fragment's graph, gzip'd JSON, in parts when it is large (chunks.ts) */
  const chunk = new Entity({
    name: 'chunk',
    ...common,
    schema: item({ ...keys, req: string(), parts: number(), dict: string().optional(), body: binary() }),
  });

  /**
   * an activation: its node as every fragment so far knew it, what it touched, and the correlator's
   * state for it (activation-item.ts); also the touches it spilled past the item size limit
   */
  const activation = new Entity({
    name: 'activation',
    ...common,
    schema: item({
      ...keys,
      req: string(),
      cpk: string().optional(),
      csk: string().optional(),
      hpk: string().optional(),
      hsk: string().optional(),
      dict: string().optional(),
      body: binary(),
      spill: boolean().optional(),
      // the correlator's state (ActivationMeta), compact JSON
      m: string().optional(),
    }),
  });

  /** one more entity an activation touched that needs the byEntity index (its touches are in the activation's item) */
  const pointer = new Entity({ name: 'pointer', ...common, schema: item({ ...keys, req: string(), hpk: string(), hsk: string() }) });

  /** a learned behaviour: the dictionary the graphs of one shape of fragment are compressed against (compact-graph.ts) */
  const behaviour = new Entity({
    name: 'behaviour',
    ...common,
    schema: item({ ...keys, hash: string(), body: binary() }),
  });

  /** the edges of one fragment that touched one entity group, in the byEntity index (chunks.ts) */
  const touchGroup = new Entity({
    name: 'touchGroup',
    ...common,
    schema: item({ ...keys, req: string(), hpk: string(), hsk: string(), dict: string().optional(), body: binary() }),
  });

  const warning = new Entity({
    name: 'warning',
    ...common,
    schema: item({
      ...keys,
      req: string(),
      code: string(),
      message: string(),
      activationId: string().optional(),
      count: number().optional(),
    }),
  });

  const summary = new Entity({
    name: 'summary',
    ...common,
    schema: item({
      ...keys,
      req: string().optional(),
      start: number().optional(),
      end: number().optional(),
      entry: string().optional(),
      entryRank: string().optional(),
      placeRank: string().optional(),
      activationIds: set(string()).optional(),
      actions: set(string()).optional(),
      tpk: string().optional(),
      tsk: string().optional(),
    }),
  });

  /** one day bucket that holds at least one request (lets listRequests walk buckets without scanning) */
  const bucket = new Entity({ name: 'bucket', ...common, schema: item({ ...keys, bucket: string() }) });

  /** an action's LMS profile, keyed by its content hash; gzip + base64 JSON */
  const profile = new Entity({ name: 'lmsProfile', ...common, schema: item({ ...keys, hash: string(), body: string() }) });

  return { table, entities: { node, edge, touch, chunk, activation, pointer, touchGroup, behaviour, warning, summary, bucket, profile } };
}

export type ProvenanceModel = ReturnType<typeof defineTable>;
