// Several batches in order, with the pure stages of one overlapping the store writes of the one
// before: against a remote store a batch's writes are round trips (read state, batch writes,
// summary updates) the correlator would otherwise sit out. At most `inFlight` writes are pending.
//
// What the overlap must not change:
//   - state: a batch is assembled with the activation state the batches before it left. Their
//     state is in memory here from their assembly until their write is done (the store's copy may
//     not have it yet); everything else is read from the store, as without the overlap.
//   - order and failure: writes happen one after another in batch order, and a failed write stops
//     every later one (the caller retries from the failed batch, as it would one at a time).
//   - detection: it reads settings and graphs afresh, so with detection on, batches go one at a
//     time (a later batch's deployment must not be stored before an earlier one is judged).
import type { ActivationMeta, ProvenanceStore } from '../../store/types';
import type { IngestResult } from '../../protocol/batch';
import type { ClassifiedBatch } from './classify-batch';

export interface PipelineStages {
  /** loads state through `state`, stores deployments, assembles (pure): what to write */
  assemble(input: ClassifiedBatch, state: ProvenanceStore): Promise<{ fragments: Parameters<ProvenanceStore['writeFragments']>[0]; metas: readonly ActivationMeta[]; result: IngestResult }>;
  /** after a batch's write, in batch order (detection) */
  afterWrite?(result: IngestResult): Promise<void>;
}

/** writes pending at once when nothing runs after each write */
export const DEFAULT_IN_FLIGHT = 2;

export async function ingestInOrder(
  inputs: Iterable<ClassifiedBatch> | (() => Iterable<ClassifiedBatch>),
  store: ProvenanceStore,
  stages: PipelineStages,
  inFlight: number = stages.afterWrite ? 1 : DEFAULT_IN_FLIGHT,
): Promise<IngestResult[]> {
  const pendingState = new Map<string, ActivationMeta>();
  const view = stateView(store, pendingState);
  const writes: Array<Promise<IngestResult>> = [];
  let last: Promise<unknown> = Promise.resolve();
  let failed = false;
  try {
    for (const input of typeof inputs === 'function' ? inputs() : inputs) {
      // Keep at most `inFlight` writes pending: wait for the oldest beyond that.
      if (writes.length >= inFlight) await writes[writes.length - inFlight]!.catch(() => undefined);
      if (failed) break;
      const out = await stages.assemble(input, view);
      for (const m of out.metas) pendingState.set(m.activationId, m);
      const write = last.then(async () => {
        await store.writeFragments(out.fragments, out.metas);
        await stages.afterWrite?.(out.result);
        return out.result;
      });
      write.then(
        () => {
          // Stored now: the store answers for it (unless a later batch's state is pending meanwhile).
          for (const m of out.metas) if (pendingState.get(m.activationId) === m) pendingState.delete(m.activationId);
        },
        () => {
          failed = true;
        },
      );
      last = write;
      writes.push(write);
    }
  } catch (err) {
    // A batch that could not be read or assembled: what was already on its way is written first.
    await Promise.allSettled(writes);
    throw err;
  }
  return Promise.all(writes);
}

/** The store, with the state of batches whose writes are still pending in front of its own. */
function stateView(store: ProvenanceStore, pending: ReadonlyMap<string, ActivationMeta>): ProvenanceStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getActivationMeta') {
        return async (ids: string[]): Promise<Map<string, ActivationMeta>> => {
          const fromStore = ids.filter((id) => !pending.has(id));
          const out = fromStore.length ? await target.getActivationMeta(fromStore) : new Map<string, ActivationMeta>();
          for (const id of ids) {
            const m = pending.get(id);
            if (m) out.set(id, m);
          }
          return out;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
