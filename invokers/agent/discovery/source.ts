// Where the node agent learns which action containers run on its node. A source reports each
// container once it runs (with its main process, cgroup and log file) and when it stops; it never
// says which action a container serves (OpenWhisk names prewarmed containers after the runtime, and
// a name is no identity): the wrapper's begin record does. Implemented: the Docker Engine API
// (docker-source.ts) and a Kubernetes node's pod logs and kubepods cgroups (kubernetes-source.ts,
// which also finds the embedded platform's process containers, laid out the same way).
import type { LogFormat } from '../logs/log-format';
import type { CgroupRef } from './cgroup-fs';

export interface FoundContainer {
  /** the engine's id (full) */
  id: string;
  /** its name in batches (default: the first 12 characters of the id, as `docker ps` shows it) */
  key?: string;
  /** the engine's name, for messages only */
  name: string;
  /** host pid of the container's main process */
  pid: number;
  /** its cgroup v2, when it could be read (the process may have exited already) */
  cgroup?: CgroupRef;
  /** the log file the engine writes the container's stdout/stderr to, when it uses one */
  logPath?: string;
  /** that file's format (default json-file) */
  logFormat?: LogFormat;
  /** the working directory of its main process, when known (relative paths in syscalls resolve against it) */
  cwd?: string;
  /** ms since the epoch */
  started: number;
}

export interface SourceEvents {
  /** a container runs (or was already running when the source started) */
  started(c: FoundContainer): void;
  /** it stopped (ms since the epoch); its log may still hold lines to read */
  stopped(id: string, at: number): void;
  /** a container the rule does not select: its cgroup, if known, can be ignored */
  skipped(c: { id: string; name: string; cgroup?: CgroupRef }): void;
  /** one line per problem, with its kind for counting */
  problem(kind: 'engine-unreachable' | 'container-gone' | 'inspect-failed' | 'events-ended', line: string): void;
}

export interface ContainerSource {
  /** e.g. "docker unix:///var/run/docker.sock", for the start-up line */
  readonly description: string;
  /**
   * Cgroups under which this engine creates containers (e.g. /docker), captured whole by the kernel
   * so that a container's first syscalls are recorded before the source reports it.
   */
  subtrees(): Promise<CgroupRef[]>;
  /** Report running containers, then follow starts and stops until stop(). Retries a lost engine. */
  start(events: SourceEvents): Promise<void>;
  /** Report what runs now, before it resolves (for a flush); sources that are told at once need not have it. */
  sync?(): Promise<void>;
  /** whether the engine answered the last time it was asked */
  connected(): boolean;
  stop(): Promise<void>;
}
