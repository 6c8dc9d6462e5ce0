// The invoker's agent: ships what containers write to the correlator (see agent.ts).
export { Agent, type AgentOptions, type AgentStats, type BatchSink } from './agent';
export { DEFAULT_MAX_LINE_BYTES, cutMarker, limitLine } from './line-limit';
export { Spool } from './spool';
export { KernelTap, kernelCapturePrerequisites, type KernelCaptureStatus, type KernelSink, type KernelTapOptions, type KernelTapStats } from './kernel-tap';
export { KernelTracker, type ActivationEvents, type TrackedContainer, type TrackerStats } from './kernel-tracker';
export { reduceKernelEvents, type ReduceOptions, type ReduceResult } from './kernel-reduce';
