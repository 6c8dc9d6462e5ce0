// The Universal Provenance Graph: W3C PROV activities, entities and agents with typed edges
//. These types are the public contract of `provenance trace --json`:
// `{"request": "<reqId>", "nodes": [...], "edges": [...]}`. Add fields freely, never rename.

/** PROV class of a node kind. */
export type ProvClass = 'activity' | 'entity' | 'agent';

export type NodeKind =
  | 'request' // activity: one end-to-end user request
  | 'activation' // activity: one run of one action
  | 'unit' // activity: an execution unit inside an activation
  | 'process' // activity: an OS process
  | 'startup' // activity: a container's start-up, before its first activation (kernel capture)
  | 'action' // agent: the deployed action (code + config)
  | 'container' // agent: one warm action container
  | 'invoker' // agent: one invoker node
  | 'client' // agent: the external caller of a request
  | 'file' // entity: a file inside one container
  | 'socket' // entity: a network endpoint
  | 'item' // entity: a DynamoDB item (or table, when no key is known)
  | 'message' // entity: an invocation message between activations
  | 'log'; // entity: one log line (later: template + values)

export const PROV_CLASS: Record<NodeKind, ProvClass> = {
  request: 'activity',
  activation: 'activity',
  unit: 'activity',
  process: 'activity',
  startup: 'activity',
  action: 'agent',
  container: 'agent',
  invoker: 'agent',
  client: 'agent',
  file: 'entity',
  socket: 'entity',
  item: 'entity',
  message: 'entity',
  log: 'entity',
};

interface NodeBase {
  /** deterministic id: a readable prefix plus what identifies the thing (hashed when long) */
  id: string;
  kind: NodeKind;
  /** short human label */
  label?: string;
  /** first and last time the graph saw this node, ms since the epoch */
  firstSeen?: number;
  lastSeen?: number;
  /** names of fields the store cut to fit DynamoDB's item size (each cut value ends with "…[truncated N bytes]") */
  truncated?: string[];
}

export interface RequestNode extends NodeBase {
  kind: 'request';
  requestId: string;
  start?: number;
  end?: number;
  /** first action the request entered */
  entry?: string;
}

export interface ActivationNode extends NodeBase {
  kind: 'activation';
  activationId: string;
  requestId: string;
  /** fully qualified action name */
  action: string;
  /** container node id */
  container: string;
  start?: number;
  end?: number;
  cold?: boolean;
  ok?: boolean;
  error?: string;
  /** parent activation id, for nested invocations */
  parent?: string;
  /** a sequence or trigger activation, run by the platform's controller (no container, no records of its own) */
  platform?: 'sequence' | 'trigger';
  /** content hash of the action's LMS profile, when its begin record named one */
  profile?: string;
  /** log sequences the action's LMS-CFG cannot produce: planted or unknown behaviour */
  deviations?: ActivationDeviation[];
  /** log lines of this activation that matched no template of its profile (kept raw) */
  unmatched?: number;
  /** the runtime's end-of-activation sentinel closed its output on stdout / on stderr */
  stdoutClosed?: boolean;
  stderrClosed?: boolean;
  /** the agent captured its container's syscalls: it is complete only once they are delivered */
  kernelCapture?: boolean;
  /** the agent has delivered every kernel event up to its end (protocol/batch.ts kernelComplete) */
  kernelDelivered?: boolean;
}

/** One deviation of an activation's log sequence from its LMS-CFG (lms/types.ts Deviation, trimmed). */
export interface ActivationDeviation {
  /** out-of-order | unknown-template | unit-end-missing | end-missing | unmatched-line */
  kind: string;
  message: string;
  templateId?: string;
  /** position in the activation's sequence of log lines */
  index?: number;
}

export interface UnitNode extends NodeBase {
  kind: 'unit';
  activationId: string;
  index: number;
}

export interface ProcessNode extends NodeBase {
  kind: 'process';
  container: string;
  pid: number;
  exe?: string;
  args?: string[];
}

/** What a container did from its first syscall until its first activation began (the runtime's start-up). */
export interface StartupNode extends NodeBase {
  kind: 'startup';
  /** container node id */
  container: string;
  /** the container's first activation, which followed it */
  activationId: string;
}

export interface ActionNode extends NodeBase {
  kind: 'action';
  name: string;
  namespace?: string;
}

export interface ContainerNode extends NodeBase {
  kind: 'container';
  containerId: string;
  action?: string;
  invoker?: string;
  /** kernel cgroup id, when kernel capture knows it */
  cgroupId?: string;
}

export interface InvokerNode extends NodeBase {
  kind: 'invoker';
  name: string;
}

export interface ClientNode extends NodeBase {
  kind: 'client';
  name: string;
  /** a web action's HTTP request: method (upper case), path after the action, headers (credentials redacted) */
  method?: string;
  path?: string;
  headers?: Record<string, string>;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  path: string;
  /** container node id: a file is identified per container (private /tmp) */
  container: string;
}

export interface SocketNode extends NodeBase {
  kind: 'socket';
  address: string;
  port: number;
  proto?: string;
  /** URL, when the socket was reached through HTTP */
  url?: string;
}

export interface ItemNode extends NodeBase {
  kind: 'item';
  table: string;
  /** the item's key (plain JSON); absent for a table-level access */
  key?: Record<string, unknown>;
}

export interface MessageNode extends NodeBase {
  kind: 'message';
  /** invoking activation id */
  from: string;
  /** invoked activation id, when known */
  to?: string;
  action: string;
}

export interface LogNode extends NodeBase {
  kind: 'log';
  activationId: string;
  stream: 'stdout' | 'stderr';
  seq: number;
  /** the line as printed (rebuilt from template + values when the store keeps only those) */
  text: string;
  time?: number;
  /** LMS template id: the line is stored as template + values, `text` rebuilt exactly */
  template?: string;
  /** one string per hole of the template, in order */
  values?: string[];
  /** for a JSON log line matched on its `message`: the object's JSON with message "" */
  envelope?: string;
}

export type UpgNode =
  | RequestNode
  | ActivationNode
  | UnitNode
  | ProcessNode
  | StartupNode
  | ActionNode
  | ContainerNode
  | InvokerNode
  | ClientNode
  | FileNode
  | SocketNode
  | ItemNode
  | MessageNode
  | LogNode;

/** W3C PROV relations used as edge kinds. */
export type EdgeKind =
  | 'used' // activity -> entity
  | 'wasGeneratedBy' // entity -> activity
  | 'wasInformedBy' // activity -> activity (informed -> informant)
  | 'wasStartedBy' // activity -> activity (started -> starter)
  | 'wasAssociatedWith' // activity -> agent
  | 'wasDerivedFrom' // entity -> entity
  | 'wasInvalidatedBy'; // entity -> activity (deleted, closed)

export interface UpgEdge {
  /** deterministic id: hash of (from, to, kind, op, time) */
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** syscall or application operation, e.g. "openat", "write", "GetItem", "invoke", "connect" */
  op?: string;
  /** time of the (first) operation, ms since the epoch */
  time?: number;
  /** how many operations this edge stands for (aggregation, ProTracer) */
  count?: number;
  /** bytes moved, where known */
  bytes?: number;
  /** the activation whose behaviour this edge records */
  activationId?: string;
  /** where the fact came from */
  source?: 'wrapper' | 'kernel' | 'platform' | 'log';
}

/** Why a graph is known to be incomplete or a record was refused. */
export interface GraphWarning {
  code: string;
  message: string;
  activationId?: string;
  count?: number;
}

/** One request's graph, as stored and as printed by `provenance trace --json`. */
export interface RequestGraph {
  request: string;
  nodes: UpgNode[];
  edges: UpgEdge[];
  warnings?: GraphWarning[];
}

/** A graph fragment for one request, as the correlator writes it (idempotently). */
export interface GraphFragment {
  request: string;
  nodes: UpgNode[];
  edges: UpgEdge[];
  warnings?: GraphWarning[];
}

/** One line of `provenance requests`. */
export interface RequestSummary {
  request: string;
  start?: number;
  end?: number;
  entry?: string;
  activations: number;
  actions: string[];
}
