// Pull mode: for an OpenWhisk whose nodes nobody can touch, activation records and logs are read
// through the REST API and ingested as batches. Wrapper-level provenance only: see README.md.
export { collect, PULLED_WARNING, type CollectDeps, type CollectOptions, type CollectSummary, type CheckpointStore } from './collect';
export { restSource, PullError, MAX_PAGE, type PullSource, type RestOptions } from './rest';
export { activationBatch, PULL_INVOKER, type ActivationDoc } from './activation-batch';
export { advance, firstCheckpoint, DEFAULT_OVERLAP_MS, type CollectCheckpoint } from './checkpoint';
