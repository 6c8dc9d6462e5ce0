// Correlator ingest rate: the pure stages (read, classify, assemble) and the store writes, into
// dynalite. The batches are benign hello-retail-like traffic (bench/ingest-traffic.ts), built before
// the clock starts. Incident detection is off: it is an analysis over what was stored, not ingest.
//
// "One core": dynalite runs in a process of its own (as DynamoDB is a service of its own), and the
// CPU each process used is measured: the correlator's (this process: the pure stages, the store's
// encoding, the SDK, HTTP) and dynalite's (its request handling and LevelDB). The headline rate is
// activations per CPU second of the two together, what one core doing all of it would ingest; CPU
// time does not grow when other people's work shares the cores, wall time does. The wall-clock rate
// (two processes, on however many cores the machine lent them) is printed beside it.
//   npx tsx bench/ingest.ts [--requests N]      (4 activations per request; default 500)
import { ingestBatches } from '../correlator/index';
import { openStore, type ProvenanceStore } from '../store/index';
import { ACTIVATIONS_PER_REQUEST, helloRetailBatches, type TrafficOptions } from './ingest-traffic';
import { startDynaliteProcess, type DynaliteProcess } from './dynalite-process';

export interface IngestBench {
  activations: number;
  batches: number;
  /** wall time */
  seconds: number;
  /** activations per CPU second of the correlator and dynalite together (one core doing both) */
  activationsPerSecond: number;
  /** activations per wall second, the two processes on the machine's cores */
  wallActivationsPerSecond: number;
  /** CPU per activation: this process (pure stages, encoding, SDK, HTTP) */
  correlatorCpuMsPerActivation: number;
  /** CPU per activation: the dynalite process */
  dynaliteCpuMsPerActivation: number;
}

export const INGEST_DEFAULTS = { requests: 500 } as const;

/** Ingests the traffic into `store` and times it; `dynamo` is the process whose CPU is charged too. */
export async function timeIngest(store: ProvenanceStore, traffic: TrafficOptions, dynamo: Pick<DynaliteProcess, 'cpuMs'>): Promise<IngestBench> {
  const batches = helloRetailBatches(traffic);
  const dynamoBefore = dynamo.cpuMs();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await ingestBatches(batches, store, { detection: false });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const correlatorMs = (cpu.user + cpu.system) / 1000;
  const dynamoMs = dynamo.cpuMs() - dynamoBefore;
  const activations = traffic.requests * ACTIVATIONS_PER_REQUEST;
  return {
    activations,
    batches: batches.length,
    seconds,
    activationsPerSecond: (activations / (correlatorMs + dynamoMs)) * 1000,
    wallActivationsPerSecond: activations / seconds,
    correlatorCpuMsPerActivation: correlatorMs / activations,
    dynaliteCpuMsPerActivation: dynamoMs / activations,
  };
}

/** A fresh dynalite process, the traffic ingested, the rate; `inspect` sees the store before it closes. */
export async function benchIngest(
  traffic: TrafficOptions = { requests: INGEST_DEFAULTS.requests },
  inspect?: (store: ProvenanceStore, endpoint: string) => Promise<void>,
): Promise<IngestBench> {
  const dynamo = await startDynaliteProcess();
  try {
    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: true });
    try {
      // A few requests first so the clock does not time the JIT and the table's first writes.
      await timeIngest(store, { ...traffic, requests: Math.min(20, traffic.requests), run: 'warmup' }, dynamo);
      const result = await timeIngest(store, traffic, dynamo);
      if (inspect) await inspect(store, dynamo.endpoint);
      return result;
    } finally {
      await store.close();
    }
  } finally {
    await dynamo.stop();
  }
}

export const formatIngest = (b: IngestBench): string =>
  `ingest: ${b.activations} activations in ${b.batches} batches: ${Math.round(b.activationsPerSecond)} activations per CPU second on one core ` +
  `(correlator ${b.correlatorCpuMsPerActivation.toFixed(3)} ms + dynalite ${b.dynaliteCpuMsPerActivation.toFixed(3)} ms CPU per activation); ` +
  `wall ${b.seconds.toFixed(2)} s = ${Math.round(b.wallActivationsPerSecond)}/s with the two processes on the machine's cores`;

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
