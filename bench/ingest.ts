// Correlator ingest rate: the pure stages (read, classify, assemble) and the store writes, into
// dynalite served in the same process, so one Node process (one core) does all of it. The batches
// are benign hello-retail-like traffic (bench/ingest-traffic.ts), built before the clock starts.
// Incident detection is off: it is an analysis over what was stored, not ingest.
//   npx tsx bench/ingest.ts [--requests N]      (4 activations per request; default 500)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestBatch } from '../correlator/index';
import { openStore, startLocalDynamo, type ProvenanceStore } from '../store/index';
import { ACTIVATIONS_PER_REQUEST, helloRetailBatches, type TrafficOptions } from './ingest-traffic';

export interface IngestBench {
  activations: number;
  batches: number;
  seconds: number;
  activationsPerSecond: number;
}

export const INGEST_DEFAULTS = { requests: 500 } as const;

/** Ingests the traffic into `store` and times it. */
export async function timeIngest(store: ProvenanceStore, traffic: TrafficOptions): Promise<IngestBench> {
  const batches = helloRetailBatches(traffic);
  const started = process.hrtime.bigint();
  for (const batch of batches) await ingestBatch(batch, store, { detection: false });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const activations = traffic.requests * ACTIVATIONS_PER_REQUEST;
  return { activations, batches: batches.length, seconds, activationsPerSecond: activations / seconds };
}

/** A fresh dynalite in this process, the traffic ingested, the rate; `inspect` sees the store before it closes. */
export async function benchIngest(
  traffic: TrafficOptions = { requests: INGEST_DEFAULTS.requests },
  inspect?: (store: ProvenanceStore, endpoint: string) => Promise<void>,
): Promise<IngestBench> {
  const dir = mkdtempSync(join(tmpdir(), 'prov-bench-ingest-'));
  const dynamo = await startLocalDynamo(dir);
  const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: true });
  try {
    // A few requests first so the clock does not time the JIT and the table's first writes.
    await timeIngest(store, { ...traffic, requests: Math.min(20, traffic.requests), run: 'warmup' });
    const result = await timeIngest(store, traffic);
    if (inspect) await inspect(store, dynamo.endpoint);
    return result;
  } finally {
    await store.close();
    await dynamo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const formatIngest = (b: IngestBench): string =>
  `ingest: ${b.activations} activations in ${b.batches} batches in ${b.seconds.toFixed(2)} s = ${Math.round(b.activationsPerSecond)} activations/s (one process: correlator + dynalite)`;

export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} needs a positive whole number, got ${process.argv[i + 1]}`);
  return v;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  benchIngest({ requests: numberArg('requests', INGEST_DEFAULTS.requests) })
    .then((b) => console.log(formatIngest(b)))
    .catch((e) => {
      console.error(`bench/ingest: ${(e as Error).message}`);
      process.exit(1);
    });
}
