// One `provenance collect` run: list what is new since the checkpoint, read each new activation's
// logs, ingest each as a batch (oldest first, so a container's first activation, which carries the
// deployment's settings and profile, comes before the rest), detect once over every request touched,
// then advance the checkpoint. The checkpoint moves only after everything listed was ingested: a run
// that fails half-way leaves it where it was, and the next run ingests the same activations again,
// which changes nothing (ingestion is idempotent).
import type { Batch } from '../../protocol/batch';
import type { GraphFragment, GraphWarning } from '../../upg/types';
import { activationBatch, concurrencyOf, type ActivationDoc } from './activation-batch';
import { advance, firstCheckpoint, seenBefore, type CollectCheckpoint } from './checkpoint';
import { MAX_PAGE, type PullSource } from './rest';

export interface CheckpointStore {
  getCollectCheckpoint(key: string): Promise<CollectCheckpoint | undefined>;
  putCollectCheckpoint(key: string, checkpoint: CollectCheckpoint): Promise<void>;
}

export interface CollectDeps {
  source: PullSource;
  checkpoints: CheckpointStore;
  /** ingests one batch (no detection), returns the requests it touched */
  ingest(batch: Batch): Promise<{ requests: string[] }>;
  /** writes a fragment (the pull-mode warning on each request's graph) */
  writeFragment(fragment: GraphFragment): Promise<void>;
  /** incident detection over the requests touched by this run */
  detect(requests: readonly string[]): Promise<void>;
  log(line: string): void;
}

/** On every graph built from pulled data: what pull mode cannot see. */
export const PULLED_WARNING: GraphWarning = {
  code: 'pulled',
  message:
    'built from activation records and logs pulled through the OpenWhisk REST API: no kernel events (what native code and child processes did ' +
    'is missing unless the wrapper saw it), nothing of actions with concurrency > 1 (OpenWhisk collects no logs for them), and lines OpenWhisk truncated are cut',
};

export interface CollectOptions {
  /** names the checkpoint: one per API host and namespace */
  key: string;
  /** list from here instead of the checkpoint (ms) */
  since?: number;
  overlapMs?: number;
  /** page size (<= 200) */
  pageSize?: number;
}

export interface CollectSummary {
  listed: number;
  collected: number;
  requests: string[];
  /** activations whose logs OpenWhisk does not collect (concurrency > 1) */
  withoutLogs: number;
  checkpoint: CollectCheckpoint;
}

export async function collect(deps: CollectDeps, options: CollectOptions): Promise<CollectSummary> {
  const stored = await deps.checkpoints.getCollectCheckpoint(options.key);
  const prev = stored ?? firstCheckpoint(options.since ?? 0);
  const since = options.since ?? prev.since;
  const seen = seenBefore(prev);
  const pageSize = Math.min(options.pageSize ?? MAX_PAGE, MAX_PAGE);

  // Newest first: an activation that ends while we page moves the rest one place down, so a page may
  // repeat one of the previous page's, never skip one.
  const listed = new Map<string, ActivationDoc>();
  for (let skip = 0; ; skip += pageSize) {
    const page = await deps.source.listPage({ since, skip, limit: pageSize });
    for (const doc of page) if (doc && typeof doc.activationId === 'string' && typeof doc.start === 'number') listed.set(doc.activationId, doc);
    if (page.length < pageSize) break;
  }
  const fresh = [...listed.values()].filter((d) => !seen(d.activationId)).sort((a, b) => a.start - b.start || (a.activationId < b.activationId ? -1 : 1));

  const requests = new Set<string>();
  let withoutLogs = 0;
  for (const doc of fresh) {
    const logs = await deps.source.logs(doc.activationId);
    if (logs.length === 0 && (concurrencyOf(doc) ?? 1) > 1) withoutLogs++;
    const result = await deps.ingest(activationBatch(doc, logs));
    for (const r of result.requests) {
      if (!requests.has(r)) await deps.writeFragment({ request: r, nodes: [], edges: [], warnings: [PULLED_WARNING] });
      requests.add(r);
    }
  }
  if (withoutLogs) deps.log(`collect: ${withoutLogs} activation(s) of actions with concurrency > 1 have no logs (OpenWhisk does not collect them): nothing of them can be seen in pull mode`);
  const touched = [...requests].sort();
  if (touched.length) await deps.detect(touched);
  const checkpoint = advance({ ...prev, since: Math.min(prev.since, since) }, fresh, options.overlapMs);
  await deps.checkpoints.putCollectCheckpoint(options.key, checkpoint);
  return { listed: listed.size, collected: fresh.length, requests: touched, withoutLogs, checkpoint };
}
