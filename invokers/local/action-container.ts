// What the invoker needs of a container, whatever runs it (a process of ours, or a Docker
// container), and how it asks for a new one.
import type { ContainerInfo } from '../../protocol/batch';
import type { InitMessage, RunMessage } from '../../protocol/action-runtime';
import type { LogCollection } from './log-collection';
import type { CallResult } from './runtime-client';

/** The action a container serves; a prewarmed container gets one when an action takes it over. */
export interface ContainerAssignment {
  /** fully qualified action name ('' while prewarmed) */
  action: string;
  /** action identity + version: containers are reused only for the same key ('' while prewarmed) */
  actionKey: string;
  concurrency: number;
}

export interface ActionContainer {
  readonly id: string;
  readonly info: ContainerInfo;
  readonly spec: ContainerAssignment;
  state: 'starting' | 'ready' | 'dead';
  initialized: boolean;
  /** activations running now */
  active: number;
  lastUsed: number;
  /** set when its action was updated or deleted: destroy when idle */
  retired: boolean;
  /** Start collecting the next activation's logs (only with concurrency 1, as OpenWhisk does). */
  collectLogs(): LogCollection;
  stopCollecting(collection: LogCollection): void;
  init(message: InitMessage, timeoutMs: number): Promise<CallResult>;
  run(message: RunMessage, timeoutMs: number): Promise<CallResult>;
  /** Kill the container and remove what it left. Idempotent. */
  destroy(): Promise<void>;
  /** Synchronous last resort when the platform's own process exits without stop(). */
  killNow(): void;
  /** the action now runs here (a prewarmed container taken over) */
  assign(assignment: ContainerAssignment): void;
}

export interface ContainerRequest extends ContainerAssignment {
  /** namespace and name of the action, for names that say what runs there ('' while prewarmed) */
  namespace: string;
  name: string;
  /** `nodejs:20`, …, or `blackbox` */
  kind: string;
  /** the image of a blackbox action */
  image?: string;
  /** a container started before any action needs it */
  prewarm: boolean;
  /** the container died or was destroyed */
  onExit: (container: ActionContainer) => void;
}

export type ContainerLauncher = (request: ContainerRequest) => Promise<ActionContainer>;
