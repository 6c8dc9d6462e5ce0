// The provenance store: one DynamoDB table (single-table design, a few GSIs) that answers the
// access patterns of DESIGN.md §5 without scanning. Backends: dynalite on 127.0.0.1 (default,
// persisted under ./.provenance/), or any real DynamoDB via --endpoint/--table.
import type { LmsProfile } from '../lms/types';
import type { GraphFragment, RequestGraph, RequestSummary, ActivationNode, UpgEdge } from '../upg/types';
import type { IncidentStore } from './incidents';
import type { ServiceConfigStore } from './service-config';

export type { IncidentStore, IncidentQuery, PutIncidentResult } from './incidents';
export type { ServiceConfig, ServiceConfigStore, PutServiceConfigResult } from './service-config';

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

export interface ProvenanceStore extends CorrelatorStateStore, IncidentStore, ServiceConfigStore {
  /** Idempotent: writing the same fragment twice leaves the same items. */
  writeFragment(fragment: GraphFragment): Promise<void>;
  getRequestGraph(requestId: string): Promise<RequestGraph | undefined>;
  listRequests(range?: TimeRange): Promise<RequestSummary[]>;
  /** the activations one container served, in time order */
  containerActivations(containerNodeId: string): Promise<ActivationNode[]>;
  /** every edge, across requests, that touched one (container-persistent) entity, in time order */
  entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>>;
  /** LMS profiles (issue 5), keyed by content hash: written at deploy, read by the correlator and by trace */
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
  /** content hash of the action's LMS profile, from the begin record (issue 5) */
  profile?: string;
  /** the LMS matcher's position in this activation between batches (correlator/lms-tracker.ts), JSON */
  lms?: string;
}

export interface CorrelatorStateStore {
  getActivationMeta(activationIds: string[]): Promise<Map<string, ActivationMeta>>;
  putActivationMeta(metas: ActivationMeta[]): Promise<void>;
}
