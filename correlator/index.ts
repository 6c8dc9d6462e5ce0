// The correlator's side-effect stage: load the activation state a batch needs, assemble (pure),
// write the fragments and the new state. Idempotent: fragments have deterministic ids and the
// store merges, so a retried or duplicated batch changes nothing.
import type { ActivationMeta, CorrelatorStateStore, ProvenanceStore } from '../store/types';
import type { IngestResult } from '../protocol/batch';
import type { LmsProfile } from '../lms/types';
import { assemble, type AssembleOutput } from './assemble/assemble';
import { classifiedLines, type ClassifiedBatch } from './ingest/classify-batch';
import { readBatch } from './ingest/read-batch';
import { ingestInOrder } from './ingest/pipeline';
import { detectAfterIngest } from './detect/after-ingest';
import { forgetWarmMemory, warmMemoryFor, type WarmMemory } from './detect/warm-memory';
import type { DetectionOptions } from './detect/detect-incidents';
import { profilesNamed, type ProfileSource } from './lms/profiles-needed';
import { kernelActivationIds } from './kernel/join';
import { deploymentsFromRecords } from './deployments/from-records';
import { storeDeployments, type DeploymentSink } from './deployments/store-deployments';
import { settleDeployments } from './deployments/awaiting';
import type { DeploymentLedger } from '../store/types';

export { assemble } from './assemble/assemble';
export type { AssembleOutput, UnattributedLine } from './assemble/assemble';
export { validateBatch, BatchError } from './ingest/validate-batch';
export { readBatch } from './ingest/read-batch';
export { classifyBatch, type ClassifiedBatch } from './ingest/classify-batch';
export { detectIncidents, type DetectionOptions, type DetectionResult } from './detect/detect-incidents';

/** Activation ids a batch mentions (records and log-line ids): the state to load before assembling. */
export function referencedActivationIds(input: ClassifiedBatch): string[] {
  const ids = new Set<string>();
  for (const { cls } of classifiedLines(input)) {
    if (cls.kind === 'log') ids.add(cls.activationId);
    else if (cls.kind === 'record' && 'record' in cls.parsed) ids.add(cls.parsed.record.a);
  }
  for (const a of kernelActivationIds(input.batch)) ids.add(a);
  for (const a of input.batch.kernelComplete ?? []) ids.add(a);
  for (const lost of input.batch.lost ?? []) for (const a of lost.activations) ids.add(a);
  return [...ids].sort();
}

/**
 * Loads state, stores the deployments the batch delivers, assembles, and returns what to write.
 * Split from ingestBatch so tests can look at it.
 *
 * Ordering: a container sends its deployment (settings and LMS profile, correlator/deployments/)
 * right after the begin of its first activation, before any other record. They are stored here,
 * before the batch is assembled and before detection runs over its requests (which reads the
 * settings' version afresh each time), so every activation is judged with the settings it was
 * deployed with, however fast or slow the platform and the correlator are.
 */
export async function assembleWithState(input: ClassifiedBatch, state: CorrelatorStateStore & Partial<ProfileSource> & Partial<DeploymentSink> & Partial<DeploymentLedger>): Promise<AssembleOutput> {
  const ids = referencedActivationIds(input);
  const known: Map<string, ActivationMeta> = ids.length ? await state.getActivationMeta(ids) : new Map();
  const { delivered, problems } = deploymentsFromRecords(input, known);
  const fromStream = delivered.length && state.putServiceConfig && state.putProfiles ? await storeDeployments(delivered, state as DeploymentSink) : undefined;
  const hashes = profilesNamed(input, known).filter((h) => !fromStream?.profiles.has(h));
  const profiles = hashes.length && state.getProfiles ? await state.getProfiles(hashes) : new Map<string, LmsProfile>();
  for (const [hash, profile] of fromStream?.profiles ?? []) profiles.set(hash, profile);
  // Requests that ran before their settings were stored: judged again now that they are (awaiting.ts).
  const rejudge = isLedger(state) ? await settleDeployments(state, input, fromStream ? delivered.map((d) => d.hash) : []) : [];
  const out = assemble(input, known, profiles);
  if (rejudge.length) out.result.requests = [...new Set([...out.result.requests, ...rejudge])].sort();
  if (problems.length) out.result.rejected[DEPLOYMENT_REFUSED] = (out.result.rejected[DEPLOYMENT_REFUSED] ?? 0) + problems.length;
  return out;
}

function isLedger(state: object): state is DeploymentLedger {
  const s = state as Partial<DeploymentLedger>;
  return typeof s.markDeploymentsKnown === 'function' && typeof s.knownDeployments === 'function' && typeof s.awaitDeployment === 'function';
}

/** The reason counted in IngestResult.rejected for a deployment refused or left incomplete. */
export const DEPLOYMENT_REFUSED = 'deployment-refused';

export interface IngestOptions {
  /** automatic incident detection after the write (default: on, with the default analysis config); false: off */
  detection?: DetectionOptions | false;
}

/** Checks and reads a batch from outside (throws BatchError when it is malformed), then ingests it. */
export async function ingestBatch(batch: unknown, store: ProvenanceStore, options: IngestOptions = {}): Promise<IngestResult> {
  return ingestClassified(readBatch(batch), store, options);
}

/** Ingests a batch already checked and read (readBatch): the correlator action reads all of a call's batches first. */
export async function ingestClassified(input: ClassifiedBatch, store: ProvenanceStore, options: IngestOptions = {}): Promise<IngestResult> {
  const memory = followBatch(input, store, options);
  try {
    const out = await assembleWithState(input, store);
    // The activations' state goes with the fragments, onto the activations' own items (one write).
    // Safe to retry: a begin whose state was already stored is recognised as the same begin (same
    // key), so a retry assembles exactly the same fragments.
    await store.writeFragments(out.fragments, out.metas);
    if (options.detection !== false) await detectAfterIngest(store, out.result, options.detection ?? {}, memory);
    return out.result;
  } catch (err) {
    // part of the batch may be written, and detection did not read it
    memory?.forget();
    throw err;
  }
}

/**
 * Detection's memory in this process (detect/warm-memory.ts), told of the batch about to be ingested;
 * undefined, and whatever it remembered forgotten, when detection will not run after the batch.
 */
function followBatch(input: ClassifiedBatch, store: ProvenanceStore, options: IngestOptions): WarmMemory | undefined {
  if (options.detection === false) {
    forgetWarmMemory(store);
    return undefined;
  }
  const memory = warmMemoryFor(store);
  memory.follow(input.batch);
  return memory;
}

/**
 * Ingests batches in the agent's order (an activation's begin before its later records), each
 * read and checked as its turn comes (BatchError for a malformed one). With detection off, a
 * batch's pure stages overlap the writes of the one before (ingest/pipeline.ts); a failure stops
 * every later batch, and what was written before it stays written.
 */
export function ingestBatches(batches: readonly unknown[], store: ProvenanceStore, options: IngestOptions = {}): Promise<IngestResult[]> {
  return ingestAllClassified(function* () {
    for (const batch of batches) yield readBatch(batch);
  }, store, options);
}

/** ingestBatches for batches already read (the correlator action reads all of a call's batches first). */
export async function ingestAllClassified(inputs: Iterable<ClassifiedBatch> | (() => Iterable<ClassifiedBatch>), store: ProvenanceStore, options: IngestOptions = {}): Promise<IngestResult[]> {
  const detection = options.detection;
  let memory: WarmMemory | undefined;
  try {
    return await ingestInOrder(inputs, store, {
      assemble: (input, state) => {
        memory = followBatch(input, store, options);
        return assembleWithState(input, state);
      },
      ...(detection !== false ? { afterWrite: (result: IngestResult) => detectAfterIngest(store, result, detection ?? {}, memory) } : {}),
    });
  } catch (err) {
    memory?.forget();
    throw err;
  }
}
