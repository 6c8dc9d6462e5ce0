// The invoker's agent: ships what containers write to the correlator (see agent.ts).
export { Agent, type AgentOptions, type AgentStats, type BatchSink } from './agent';
export { DEFAULT_MAX_LINE_BYTES, cutMarker, limitLine } from './line-limit';
export { Spool } from './spool';
export { KernelTap, kernelCapturePrerequisites, type KernelCaptureStatus, type KernelSink, type KernelTapOptions, type KernelTapStats } from './kernel-tap';
export { KernelTracker, type ActivationEvents, type TrackedContainer, type TrackerStats } from './kernel-tracker';
export { reduceKernelEvents, type ReduceOptions, type ReduceResult } from './kernel-reduce';
// The standalone agent of one invoker node (`provenance agent`), usable in-process too.
export { startNodeAgent, containerKey, type NodeAgent, type NodeAgentOptions } from './daemon/node-agent';
export type { NodeAgentStats } from './daemon/stats';
export { storeSink, actionSink, type ClosableSink } from './daemon/sinks';
export type { ContainerSource, FoundContainer, SourceEvents } from './discovery/source';
export { DockerSource, type DockerSourceOptions } from './discovery/docker-source';
export { DEFAULT_ACTION_RULE, isActionContainer, parsePattern, type ActionRule } from './discovery/action-rule';
export { startMetricsServer, type MetricsServer } from './metrics-server';
