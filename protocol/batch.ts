// What an invoker's agent ships to the correlator: each container's output lines (the wrapper's
// records and the application's log lines, in the order the container wrote them), the containers
// it knows, and the kernel's events already attributed to activations and reduced. Both sides
// import this file; nothing else about a batch crosses the wire.

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
  /** the action runtime's program, as the platform started it (absolute path), when it knows */
  exe?: string;
  /** the action runtime's argv (argv[0] first, as execve sees it), when the platform knows */
  args?: string[];
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
  /** the line was over the agent's limit: this many bytes of it were cut (its head is kept, with a marker) */
  cut?: number;
}

/**
 * Output the agent captured and then could not keep: a batch it could neither deliver nor spool
 * (the spool's disk full). Announced in the next batch it delivers, so that the requests it
 * belonged to say so on their graphs.
 */
export interface LostBatch {
  /** the lost batch's number */
  batch: number;
  /** one line: why it was lost, e.g. "spool disk full (ENOSPC)" */
  reason: string;
  lines: number;
  kernelEvents: number;
  /** activations whose lines or kernel events it held, where the agent could tell */
  activations: string[];
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
  /**
   * What the kernel saw in the containers (kernel capture on), already attributed to activations
   * and reduced by the agent (invokers/agent/kernel-*.ts). Compact JSON, not raw records: turning
   * an fd into the file or socket it names needs each process's whole history, which only the
   * agent has; the correlator stays stateless per batch.
   */
  kernel?: KernelEventLite[];
  /** kernel events lost (ring buffer full, undecodable records) while these activations ran */
  kernelDrops?: Record<string, number>;
  /**
   * Kernel capture's delivery watermark, per activation: the activations whose kernel events up to
   * their end have all been shipped (in this batch or an earlier one) — the capture saw the runtime's
   * sentinels close them. Present (possibly empty) on every batch of an agent whose kernel capture is
   * on, absent otherwise: an activation begun in a batch that carries it is kernel-complete only once
   * its id has been listed here. (Per activation rather than per container time: the agent's tracker
   * knows exactly which activation it has finished, a clock comparison would only approximate it.)
   */
  kernelComplete?: string[];
  /** batches captured and lost before this one (never silently): see LostBatch */
  lost?: LostBatch[];
}

/** What a kernel event did, after fd resolution (a write to a socket is a `send`). */
export type KernelOp =
  | 'open'
  | 'read'
  | 'write'
  | 'rename'
  | 'unlink'
  | 'link'
  | 'mkdir'
  | 'chmod'
  | 'exec'
  | 'fork'
  | 'exit'
  | 'connect'
  | 'accept'
  | 'bind'
  | 'listen'
  | 'send'
  | 'recv'
  | 'kill';

/** One kernel event (or several alike, aggregated), attributed by the agent. */
export interface KernelEventLite {
  container: string;
  /** activation the event belongs to; absent when no activation or several could own it (see `amb`) */
  a?: string;
  /** that activation's request id */
  r?: string;
  /** candidate activations when the agent cannot tell (concurrency > 1 in one process) */
  amb?: string[];
  op: KernelOp;
  /** ms since the epoch of the (first) occurrence */
  ts: number;
  /** ms since the epoch of the last aggregated occurrence */
  te?: number;
  /** how many syscalls this stands for (absent: 1) */
  n?: number;
  /** bytes moved (reads, writes, sends, receives) */
  bytes?: number;
  /** the process, numbered as the container sees it where known (the wrapper's pid), else the host's */
  pid: number;
  /** the process is the action runtime that ran the activation (its events are the activation's own) */
  rt?: boolean;
  comm?: string;
  /** file path (absolute when the agent could resolve it), or a pipe's name `pipe:<id>` */
  path?: string;
  /** second path: rename/link destination */
  path2?: string;
  /** socket peer (connect, send, recv, accept) or local address (bind, listen) */
  addr?: string;
  port?: number;
  proto?: string;
  /** fork: child pid; kill: target pid */
  child?: number;
  /** exec: argv */
  args?: string[];
  /** open: the open flags (O_*) */
  openFlags?: number;
  /** mkdir, chmod: the mode bits */
  mode?: number;
  /** kill: the signal sent */
  signal?: number;
  /** exit: the exit code */
  exitCode?: number;
  /** happened after its activation ended (a child process outliving it) */
  late?: boolean;
  /**
   * the container's own start-up, before its first activation (the runtime's exec, its files, the
   * bind/listen of its port): `a`/`r` name that first activation, whose trace it reaches, but the
   * container did it, not the activation
   */
  startup?: boolean;
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
  /** incidents stored for the first time by the detection that followed this batch (upg/analyses) */
  incidents?: string[];
  /** why detection did not complete for this batch (the batch itself was written; detection runs again with the next batches) */
  detectionError?: string;
  /** kernel events (syscalls, after the agent's aggregation) drawn into request graphs */
  kernelEvents?: number;
}
