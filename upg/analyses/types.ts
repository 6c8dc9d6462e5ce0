// The analyses' public types: incidents (the `provenance report --json` contract) and the
// configuration the analyses take (custom.provenance.sensitive / allowlist, the platform's own
// endpoints). Add fields freely, never rename: the report JSON is `{"incidents": Incident[]}`.

export type IncidentKind = 'container-reuse' | 'exfiltration';
export type Verdict = 'attack' | 'benign-shared-state' | 'suspicious';

/** One side of an incident: the planting (or, for exfiltration, the sensitive-data-reading) activation, or an affected one. */
export interface IncidentParty {
  request: string;
  activation: string;
  /** fully qualified action name, when known */
  action?: string;
}

/** What an incident is about: a file or process left in a container, or a sensitive source. */
export interface IncidentArtifact {
  kind: 'file' | 'process' | 'item' | 'table';
  /** file path, or the program of a process */
  path?: string;
  pid?: number;
  /** DynamoDB table and item key */
  table?: string;
  key?: unknown;
  /** graph node id */
  node: string;
}

/** A network endpoint outside the platform and the allowlist that data went to. */
export interface IncidentSink {
  kind: 'socket';
  address: string;
  port: number;
  url?: string;
  node: string;
}

/** One step of an incident's story, in time order. */
export interface TimelineEvent {
  /** ms since the epoch (absent when the graph did not know it) */
  time?: number;
  request: string;
  activation: string;
  action?: string;
  /** plant | use | source | carry | send */
  role: 'plant' | 'use' | 'source' | 'carry' | 'send';
  /** the operation: write, load, GetItem, invoke, connect, http:POST, ... */
  op?: string;
  /** the graph node acted on */
  node: string;
}

export interface Incident {
  /** deterministic: the same evidence always gives the same id (re-ingest => same incidents) */
  id: string;
  kind: IncidentKind;
  verdict: Verdict;
  /** container node id: where the artifact was left (reuse) or where the data left (exfiltration) */
  container: string;
  planter: IncidentParty;
  victims: IncidentParty[];
  artifact: IncidentArtifact;
  sink?: IncidentSink;
  /** node ids along the causal path, cause first */
  path: string[];
  timeline: TimelineEvent[];
  /** every request the incident involves (planter's and victims'), sorted */
  requests: string[];
  /** one line: why this verdict */
  reason: string;
  /** each piece of evidence the verdict rests on */
  evidence: string[];
  /** ISO time of the first detection (kept when the incident is detected again) */
  detectedAt: string;
}

/** A host (name or address) and optionally one port; no port means every port of that host. */
export interface Endpoint {
  host: string;
  port?: number;
}

/** What counts as sensitive data (custom.provenance.sensitive). Names may use `*` as a wildcard. */
export interface SensitiveConfig {
  /** DynamoDB table names */
  tables: string[];
  /** file paths (absolute, `*` matches within and across path segments) */
  files: string[];
  /** secret names, matched against the base name of files read (e.g. `.env`, `credentials.json`) */
  secrets: string[];
}

export interface AnalysisConfig {
  sensitive: SensitiveConfig;
  /** network sinks data may go to (custom.provenance.allowlist) */
  allowlist: Endpoint[];
  /**
   * The platform's own endpoints (OpenWhisk API host, DynamoDB endpoint): always inside. When the
   * caller knows none, the embedded platform's host (127.0.0.1, ::1, localhost) is inside: it is
   * where the local platform serves its API and DynamoDB (other loopback addresses, e.g. 127.0.0.66, are outside).
   */
  inside: Endpoint[];
  /** a behaviour is the action's normal one when at least this many distinct activations show it (default 2) */
  minSupport: number;
  /** "the action never does this" is only claimed with at least this many activations of it observed (default 3) */
  minModel: number;
}
