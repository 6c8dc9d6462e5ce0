// Where the node agent's batches go (side effects): the correlator in this process, writing to a
// DynamoDB or a local store directory; or the deployed correlator action, through the OpenWhisk
// API. Every failure that may pass (store down, action erroring or timing out) is thrown, so the
// Agent spools the batch and retries it; a batch the correlator refuses as malformed would be
// refused again, so it is said in one line and dropped; one the platform refuses for its size
// (413) is thrown as BatchTooLargeError, and the Agent splits it (batch-size.ts).
import openwhisk from 'openwhisk';
import { createLocalSink, type BatchSink as LocalBatchSink } from '../../../correlator/local-sink';
import { openStore, type ProvenanceStore, type StoreLocation } from '../../../store/index';
import type { Batch, IngestResult } from '../../../protocol/batch';
import { BatchTooLargeError } from '../batch-size';
import { isRefusal } from '../../../protocol/correlator-action';

export interface ClosableSink {
  (batch: Batch): Promise<void>;
  /** where batches go, for the start-up line */
  description: string;
  /** with the correlator in this process: what it has ingested (batches, kernel events drawn into graphs) */
  ingested?: () => { batches: number; kernelEvents: number };
  close(): Promise<void>;
}

/** The correlator in-process, on a store opened at the first batch (and again after a failed open). */
export function storeSink(location: StoreLocation, log: (line: string) => void): ClosableSink {
  let opening: Promise<{ store: ProvenanceStore; sink: LocalBatchSink }> | undefined;
  const ingested = { batches: 0, kernelEvents: 0 };
  const onResult = (r: IngestResult) => {
    ingested.batches++;
    ingested.kernelEvents += r.kernelEvents ?? 0;
  };
  const open = () =>
    (opening ??= openStore(location, { create: true }).then(
      (store) => ({ store, sink: createLocalSink({ store, log: (l) => log(`agent: ${l}`), platform: () => undefined, onResult }) }),
      (err) => {
        opening = undefined;
        throw err;
      },
    ));
  const sink = async (batch: Batch) => {
    const { sink: s } = await open();
    await s(batch);
  };
  return Object.assign(sink, {
    description: location.endpoint ? `DynamoDB ${location.endpoint} table ${location.table}` : `the local store ${location.dir}`,
    ingested: () => ({ ...ingested }),
    close: async () => {
      if (!opening) return;
      const o = await opening.catch(() => undefined);
      if (!o) return;
      await o.sink.drain().catch(() => undefined);
      await o.store.close();
    },
  });
}

export interface ActionSinkOptions {
  apihost: string;
  /** uuid:key */
  auth: string;
  /** the correlator action, e.g. serverless-provenance-dev-correlator or /ns/pkg/name */
  action: string;
  namespace?: string;
  log: (line: string) => void;
}

export function actionSink(o: ActionSinkOptions): ClosableSink {
  const ow = openwhisk({ apihost: o.apihost, api_key: o.auth, namespace: o.namespace, ignore_certs: false });
  const sink = async (batch: Batch) => {
    let result: unknown;
    try {
      result = await ow.actions.invoke({ name: o.action, blocking: true, result: true, params: { batch } });
    } catch (err) {
      // an application error arrives as a rejection carrying the action's {error}
      const e = err as { message?: string; statusCode?: number; error?: { response?: { result?: { error?: unknown } }; error?: unknown } };
      const answer = e.error?.response?.result;
      const text = String(answer?.error ?? e.error?.error ?? e.message ?? err);
      // the platform refused the parameters for their size: retried whole it would be refused forever
      if (e.statusCode === 413) throw new BatchTooLargeError(`the correlator action ${o.action} refused it: ${text}`);
      if (isRefusal(answer)) return refuse(batch, text);
      throw new Error(`the correlator action ${o.action} failed: ${text}`);
    }
    const r = result as { ok?: boolean; error?: string } | undefined;
    if (r?.ok) return;
    const text = r?.error ?? 'no result (timed out?)';
    if (isRefusal(r)) return refuse(batch, text);
    throw new Error(`the correlator action ${o.action} failed: ${text}`);
  };
  const refuse = (batch: Batch, why: string) => o.log(`agent: the correlator refused batch ${batch.invoker}#${batch.batch}: ${why}; dropped`);
  return Object.assign(sink, { description: `the correlator action ${o.action} at ${o.apihost}`, close: async () => undefined });
}
