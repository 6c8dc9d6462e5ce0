// What the node agent's worker thread (node-agent-worker.ts) and the thread that started it
// (node-agent-thread.ts) say to each other. Both sides are this package's own code in one process,
// so this is not a wire format: structured clone carries the values as they are (bigint, RegExp).
import type { Batch } from '../../../protocol/batch';
import type { CgroupRef } from '../discovery/cgroup-fs';
import type { DockerSourceOptions } from '../discovery/docker-source';
import type { KubernetesSourceOptions } from '../discovery/kubernetes-source';
import type { KernelCaptureStatus, KernelTapStats } from '../kernel-tap';
import type { NodeAgentOptions } from './node-agent';
import type { NodeAgentStats } from './stats';

/** The node agent's options without its functions: the source as the data it is made from. */
export interface WorkerAgentSpec extends Omit<NodeAgentOptions, 'source' | 'sink' | 'log'> {
  source: { kind: 'kubernetes'; options: Omit<KubernetesSourceOptions, 'api'> } | { kind: 'docker'; options: DockerSourceOptions };
  /** the worker thread's nice value (0-19): it then takes CPU the platform's own threads leave */
  nice: number;
}

/** What the host caches, so that the NodeAgent's synchronous getters answer without a round trip. */
export interface AgentState {
  stats: NodeAgentStats;
  healthy: { ok: boolean; why?: string };
  kernelStats?: KernelTapStats;
}

export type AgentCall = 'flush' | 'stop' | 'suspendKernel' | 'resumeKernel';

/** host -> worker */
export type ToAgentWorker =
  | { t: 'call'; id: number; op: AgentCall }
  /** the sink's answer to batch `id`: delivered, or failed (tooLarge: the receiver refused its size) */
  | { t: 'sunk'; id: number; error?: { message: string; tooLarge: boolean } };

/** worker -> host */
export type FromAgentWorker =
  | { t: 'started'; mode: { kernel: KernelCaptureStatus; subtrees: CgroupRef[] }; state: AgentState }
  | { t: 'failed'; message: string }
  | { t: 'batch'; id: number; batch: Batch }
  | { t: 'log'; line: string }
  | { t: 'state'; state: AgentState }
  | { t: 'done'; id: number; state: AgentState; error?: string };
