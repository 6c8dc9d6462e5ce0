// The provenance store: one DynamoDB table (single-table design, a few GSIs) that answers the
// access patterns of docs/architecture.md ("The store") without scanning. Backends: dynalite on 127.0.0.1 (default,
// persisted under ./.provenance/), or any real DynamoDB via --endpoint/--table.
import type { LmsProfile } from '../lms/types';
import type { GraphFragment, RequestGraph, RequestSummary, ActivationNode, UpgEdge } from '../upg/types';
import type { Incident } from '../upg/analyses/types';

// The interfaces of the store's parts are defined here, and each part (incidents.ts,
// service-config.ts, collect-checkpoint.ts) implements its own: what depends on the store depends on
// this file only, and this file on none of its implementations.

export const DEFAULT_TABLE = 'provenance';
export const DEFAULT_STORE_DIR = '.provenance';

/** Where the store is. Exactly one of `dir` (local dynalite) or `endpoint` is used. */
export interface StoreLocation {
  /** local store directory (dynalite LevelDB + endpoint.json of a running platform) */
  dir?: string;
  /** DynamoDB endpoint URL, e.g. https://dynamodb.eu-west-1.amazonaws.com or http://127.0.0.1:8000 */
  endpoint?: string;
  table: string;
  region?: string;
}

export interface TimeRange {
  since?: number;
  until?: number;
  limit?: number;
}

export interface ProvenanceStore extends CorrelatorStateStore, IncidentStore, ServiceConfigStore, DeploymentLedger, CollectCheckpointStore {
  /** Idempotent: writing the same fragment twice leaves the same items. */
  writeFragment(fragment: GraphFragment): Promise<void>;
  /**
   * writeFragment for many at once: their items share batch writes (what the correlator does per
   * batch). `metas`: the correlator's state for the batch's activations, kept on the activations'
   * own items (one write instead of two; putActivationMeta is the same with no fragments).
   */
  writeFragments(fragments: readonly GraphFragment[], metas?: readonly ActivationMeta[]): Promise<void>;
  getRequestGraph(requestId: string): Promise<RequestGraph | undefined>;
  listRequests(range?: TimeRange): Promise<RequestSummary[]>;
  /** the activations one container served, in time order */
  containerActivations(containerNodeId: string): Promise<ActivationNode[]>;
  /** every edge, across requests, that touched one (container-persistent) entity, in time order */
  entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>>;
  /** LMS profiles, keyed by content hash: written at deploy, read by the correlator and by trace */
  putProfiles(profiles: ReadonlyMap<string, LmsProfile>): Promise<void>;
  getProfiles(hashes: readonly string[]): Promise<Map<string, LmsProfile>>;
  close(): Promise<void>;
}

/**
 * What the correlator must remember about an activation between batches (an activation's
 * records can span batches): who it is, and the MAC key from its `begin` record.
 */
export interface ActivationMeta {
  activationId: string;
  requestId: string;
  /** fully qualified action name */
  action: string;
  /** container node id */
  container: string;
  /** MAC key from the begin record, hex */
  key: string;
  start?: number;
  /** next expected record sequence number (gaps are reported) */
  nextSeq?: number;
  /** content hash of the action's LMS profile, from the begin record */
  profile?: string;
  /** the LMS matcher's position in this activation between batches (correlator/lms/cfg-position.ts), JSON */
  lms?: string;
  /**
   * Per stream, the number (line seq) of the runtime's sentinel that closed this activation's output
   * there: a line after it claiming the activation's ids was written by someone else (a later
   * activation of the container); a line before it (a batch sent again) is still the activation's.
   */
  closedAt?: { stdout?: number; stderr?: number };
}

export interface CorrelatorStateStore {
  getActivationMeta(activationIds: string[]): Promise<Map<string, ActivationMeta>>;
  putActivationMeta(metas: ActivationMeta[]): Promise<void>;
}

// Incidents (incidents.ts)

export interface IncidentQuery {
  /** only incidents first detected at or after this time (ms) */
  since?: number;
  /** only incidents that involve this request */
  request?: string;
  limit?: number;
}

export interface PutIncidentResult {
  /** the incident was not stored before */
  created: boolean;
  /** its alert was already delivered (by an earlier detection) */
  alerted: boolean;
  /** the incident as stored now (merged with what was stored) */
  incident: Incident;
}

/** An incident as stored, and whether its alert was delivered. */
export interface StoredIncident {
  incident: Incident;
  alerted: boolean;
}

export interface IncidentStore {
  /** Idempotent by incident id: stores it, or merges it into the stored one (upg/analyses/merge-incident.ts), keeping the alert state. */
  putIncident(incident: Incident): Promise<PutIncidentResult>;
  /** The stored incident of this id (one consistent read), so that detection can skip writing one it finds unchanged. */
  getIncident(id: string): Promise<StoredIncident | undefined>;
  markIncidentAlerted(id: string, at: number): Promise<void>;
  /** newest first */
  listIncidents(query?: IncidentQuery): Promise<Incident[]>;
}

// Deployed services' analysis settings (service-config.ts)

/** What one deployed service asks of the analyses (the plugin writes it; see plugin/service-settings.ts). */
export interface ServiceConfig {
  service: string;
  stage: string;
  /**
   * The namespace the service was deployed to, when known: the correlator knows it from the action
   * that delivered the settings, the plugin when the API host told it whose the deploy key is. Two
   * namespaces' services of the same name and stage are different services.
   */
  namespace?: string;
  /**
   * The service's actions as `<namespace>/<action name>` (e.g. `guest/shop-dev-purchase`). Namespace
   * `_` is "the deployer's default namespace", unknown at deploy time: it matches any namespace (the
   * correlator never stores it: it resolves `_` to the namespace of the action that delivered them).
   */
  actions: string[];
  /** custom.provenance.sensitive, as written (validated by the plugin) */
  sensitive?: { tables?: string[]; files?: string[]; secrets?: string[] };
  /** custom.provenance.allowlist, as written */
  allowlist?: string[];
  /** custom.provenance.alerts, as written */
  alerts?: string | { action: string } | { url: string };
  /** when it was packaged (ms): the later deployment of a service wins; a redeploy with the same settings keeps the first */
  deployedAt: number;
}

export interface PutServiceConfigResult {
  /** false when the stored settings were already exactly these (nothing written) */
  changed: boolean;
}

export interface ServiceConfigStore {
  /**
   * Idempotent by service+stage: the same settings again change nothing (not even the version), and
   * settings deployed before the stored ones (smaller deployedAt) are refused as `changed: false`.
   */
  putServiceConfig(config: ServiceConfig): Promise<PutServiceConfigResult>;
  /** every deployed service's settings, by service then stage */
  listServiceConfigs(): Promise<ServiceConfig[]>;
  /** a number that changes whenever putServiceConfig changes something; 0 when nothing was ever stored */
  serviceConfigVersion(): Promise<number>;
}

/**
 * Which deployments (protocol/deployment.ts, by hash) the correlator has stored, and the requests
 * that ran with one before it was stored (their begin records name it): judged again when it arrives.
 * Kept by service-config.ts.
 */
export interface DeploymentLedger {
  /** marks deployments stored; returns (and forgets) the requests that were waiting for them */
  markDeploymentsKnown(hashes: readonly string[]): Promise<string[]>;
  /** the subset of `hashes` stored so far */
  knownDeployments(hashes: readonly string[]): Promise<Set<string>>;
  /** remembers requests that ran with a deployment not stored yet */
  awaitDeployment(hash: string, requests: readonly string[]): Promise<void>;
}

// Where pull-mode collection left off (collect-checkpoint.ts)

export interface CollectCheckpointStore {
  /** the state a collector stored under `key` (JSON-compatible), undefined when it never ran */
  getCollectCheckpoint<T>(key: string): Promise<T | undefined>;
  putCollectCheckpoint<T>(key: string, state: T): Promise<void>;
}
