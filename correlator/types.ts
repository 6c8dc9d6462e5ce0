// The correlator's input contract: what an invoker's agent ships (DESIGN.md §3, steps 4-5).
// In this first slice the agent ships each container's raw output lines (the wrapper's
// records and the application's log lines, in the order the container wrote them); kernel
// events join later as another array of the same batch.

export const BATCH_VERSION = 1;

/** A container as the agent knows it (cgroup <-> container <-> action). */
export interface ContainerInfo {
  /** container id, unique per invoker */
  container: string;
  invoker: string;
  /** fully qualified action name, e.g. "/_/purchase" */
  action: string;
  /** pid of the container's init process (the action runtime) */
  pid?: number;
  /** kernel cgroup id (cgroup v2 inode number), as a decimal string */
  cgroupId?: string;
  /** ms since the epoch */
  started: number;
  stopped?: number;
}

/** One line a container wrote to stdout or stderr. */
export interface StreamLine {
  container: string;
  stream: 'stdout' | 'stderr';
  /** ms since the epoch, when the agent read the line */
  time: number;
  /** the line without its trailing newline */
  line: string;
  /** position in the container's output (per stream), to keep order and detect gaps */
  seq: number;
}

/** One shipment from an agent to the correlator. Idempotent: sending it twice changes nothing. */
export interface Batch {
  v: typeof BATCH_VERSION;
  invoker: string;
  /** per-invoker batch sequence number (spooling and retries keep it) */
  batch: number;
  containers: ContainerInfo[];
  lines: StreamLine[];
  /** events the agent knows it lost since the previous batch */
  drops?: number;
}

/** What the correlator reports for one batch. */
export interface IngestResult {
  requests: string[];
  records: number;
  logLines: number;
  /** records refused, by reason */
  rejected: Record<string, number>;
  /** lines no activation could be given (several in progress in their container, or none) */
  unattributed?: number;
}
