// Query time with a large store: fills a fresh table (dynalite, or AWS's DynamoDB Local) with N
// activations of hello-retail shape, then times, in-process, what the CLI runs for
//   provenance trace <reqId> --json             (p50/p95 over many requests, the store opened each time as the CLI does)
//   provenance requests --since A --until B     (a one-minute window)
//   provenance lineage <file in /tmp>           (the price cache of one get-price container, touched by 1,000 requests)
// Node's start is not counted. The fill writes through the store's own writer (batch writes): the
// correlator assembles two real purchases (one cold, one warm) from signed wrapper lines once, and
// each stored request is a copy of one of them with its own ids, containers and times.
//   npx tsx bench/query.ts [--activations N] [--samples N] [--backend dynalite|dynamodb-local|both]
import { assemble, readBatch } from '../correlator/index';
import { openStore, type ProvenanceStore } from '../store/index';
import type { GraphFragment } from '../upg/types';
import { runTrace } from '../cli/commands/trace';
import { runRequests } from '../cli/commands/requests';
import { runLineage } from '../cli/commands/lineage';
import { bufferOutput } from '../cli/output';
import { STORE_BACKENDS, type StoreBackend } from '../test/store-backends';
import { ACTIVATIONS_PER_REQUEST, helloRetailBatches } from './ingest-traffic';
import { numberArg } from './ingest';

export interface Percentiles {
  p50: number;
  p95: number;
  samples: number;
}

export interface QueryBench {
  backend: string;
  activations: number;
  fillSeconds: number;
  trace: Percentiles;
  requests: Percentiles & { window: string; listed: number };
  lineage: Percentiles & { entity: string; requests: number };
  /** convenience for bench/results.json: trace p50 in ms */
  traceP50Ms: number;
}

export const QUERY_DEFAULTS = { activations: 100_000, samples: 200, lineageRequests: 1_000 } as const;

const RUN = 'q';
const QUERY_T0 = Date.UTC(2026, 11, 1, 8);
const SPACING_MS = 250;
const ACTIONS = ['purchase', 'get-price', 'authorize-cc', 'publish'] as const;

export interface QueryOptions {
  activations?: number;
  samples?: number;
  /** requests that share one get-price container, and so touch its price cache (the lineage target) */
  lineageRequests?: number;
  onProgress?: (line: string) => void;
}

export async function benchQuery(backend: StoreBackend, options: QueryOptions = {}): Promise<QueryBench> {
  const activations = options.activations ?? QUERY_DEFAULTS.activations;
  const samples = options.samples ?? QUERY_DEFAULTS.samples;
  const requests = Math.max(2, Math.ceil(activations / ACTIVATIONS_PER_REQUEST));
  const containers = Math.max(1, Math.ceil(requests / (options.lineageRequests ?? QUERY_DEFAULTS.lineageRequests)));
  const progress = options.onProgress ?? (() => {});
  const missing = backend.missing();
  if (missing) throw new Error(`${backend.name} cannot run here: ${missing}`);

  const dynamo = await backend.start();
  const location = { endpoint: dynamo.endpoint, table: 'provenance' };
  try {
    const store = await openStore(location, { create: true });
    const t0 = QUERY_T0;
    const fillStarted = Date.now();
    try {
      await fillPurchases(store, requests, containers, progress);
    } finally {
      await store.close();
    }
    const fillSeconds = (Date.now() - fillStarted) / 1000;
    progress(`${backend.name}: ${requests * ACTIVATIONS_PER_REQUEST} activations stored in ${fillSeconds.toFixed(0)} s`);

    const random = seeded(7);
    const trace = await timeEach(samples, async () => {
      const out = bufferOutput();
      await runTrace(requestId(Math.floor(random() * requests)), { ...location, json: true }, out);
      if (!out.text().startsWith('{')) throw new Error('trace printed no graph');
    });

    let listed = 0;
    const windowMs = 60_000;
    const list = await timeEach(Math.min(samples, 50), async () => {
      const since = t0 + Math.floor(random() * Math.max(1, requests * SPACING_MS - windowMs));
      const out = bufferOutput();
      await runRequests({ ...location, json: true, since, until: since + windowMs }, out);
      listed = (JSON.parse(out.text()) as unknown[]).length;
    });

    const entity = LINEAGE_ENTITY;
    let touched = 0;
    const lineage = await timeEach(Math.min(samples, 10), async () => {
      const out = bufferOutput();
      await runLineage(entity, { ...location, json: true }, out);
      touched = new Set((JSON.parse(out.text()) as { history: Array<{ request: string }> }).history.map((h) => h.request)).size;
    });

    return {
      backend: backend.name,
      activations: requests * ACTIVATIONS_PER_REQUEST,
      fillSeconds,
      trace,
      requests: { ...list, window: '60 s', listed },
      lineage: { ...lineage, entity, requests: touched },
      traceP50Ms: trace.p50,
    };
  } finally {
    await dynamo.stop();
  }
}

/** `requests` purchases (the first `containers` cold), written as the bench stores them. */
export async function fillPurchases(store: ProvenanceStore, requests: number, containers: number, progress: (line: string) => void = () => {}): Promise<void> {
  const templates = purchaseTemplates();
  await fill(store, requests, (r) => copyRequest(templates[r < containers ? 0 : 1]!, r, containers, QUERY_T0), progress);
}

/** The entity the lineage row asks about: the price cache of the first get-price container. */
export const LINEAGE_ENTITY = `file:bench-invoker/${RUN}-get-price-0:/tmp/hello-retail/price-cache.json`;

/** Writes requests through the store's batch writer, many fragments per call. */
async function fill(store: ProvenanceStore, requests: number, make: (r: number) => GraphFragment[], progress: (line: string) => void): Promise<void> {
  const perCall = 50;
  let reported = Date.now();
  for (let r = 0; r < requests; r += perCall) {
    const fragments: GraphFragment[] = [];
    for (let k = r; k < Math.min(requests, r + perCall); k++) fragments.push(...make(k));
    await store.writeFragments(fragments);
    if (Date.now() - reported > 10_000) {
      progress(`  … ${Math.min(requests, r + perCall)} of ${requests} requests stored`);
      reported = Date.now();
    }
  }
}

/** Two purchases as the correlator assembles them from real wrapper lines: [cold start, warm]. */
function purchaseTemplates(): GraphFragment[][] {
  const batches = helloRetailBatches({ requests: 2, containersPerAction: 1, requestsPerBatch: 1, run: RUN, start: 0 });
  const fragments = batches.flatMap((b) => assemble(readBatch(b), new Map(), new Map()).fragments);
  return [0, 1].map((r) => fragments.filter((f) => f.request === requestId(r)));
}

const requestId = (r: number): string => `${RUN}-req-${r}`;
const activationId = (r: number, action: string): string => `${RUN}${r.toString(16).padStart(8, '0')}${action.replace(/-/g, '')}`.padEnd(32, '0').slice(0, 32);

/** A template request (request 0 or 1) as request r: its ids, its containers (round-robin), its times. */
function copyRequest(template: GraphFragment[], r: number, containers: number, t0: number): GraphFragment[] {
  const from = template[0]!.request === requestId(0) ? 0 : 1;
  let json = JSON.stringify(template);
  for (const action of ACTIONS) {
    json = json.split(activationId(from, action)).join(activationId(r, action));
    json = json.split(`${RUN}-${action}-0`).join(`${RUN}-${action}-${r % containers}`);
  }
  json = json.split(requestId(from)).join(requestId(r));
  const copy = JSON.parse(json) as GraphFragment[];
  const shift = t0 + r * SPACING_MS - from * SPACING_MS;
  for (const f of copy) {
    for (const n of f.nodes as unknown as Array<Record<string, unknown>>) for (const k of TIME_FIELDS) if (typeof n[k] === 'number') n[k] = (n[k] as number) + shift;
    for (const e of f.edges) if (e.time !== undefined) e.time += shift;
  }
  return copy;
}

const TIME_FIELDS = ['time', 'start', 'end', 'firstSeen', 'lastSeen'] as const;

async function timeEach(samples: number, fn: () => Promise<void>): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), samples };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function formatQuery(q: QueryBench): string[] {
  const ms = (p: Percentiles) => `p50 ${p.p50.toFixed(1)} ms, p95 ${p.p95.toFixed(1)} ms (${p.samples} runs)`;
  return [
    `query on ${q.backend}, ${q.activations} activations stored (fill ${q.fillSeconds.toFixed(0)} s):`,
    `  trace <reqId> --json        ${ms(q.trace)}`,
    `  requests (${q.requests.window} window)   ${ms(q.requests)}, ${q.requests.listed} listed`,
    `  lineage of a /tmp file      ${ms(q.lineage)}, touched by ${q.lineage.requests} requests`,
  ];
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const i = process.argv.indexOf('--backend');
  const which = i >= 0 ? process.argv[i + 1] : 'both';
  const backends = STORE_BACKENDS.filter((b) => which === 'both' || b.name.toLowerCase().replace(/ /g, '-') === which);
  if (backends.length === 0) {
    console.error(`bench/query: --backend is dynalite, dynamodb-local or both, not ${which}`);
    process.exit(2);
  }
  (async () => {
    for (const backend of backends) {
      const q = await benchQuery(backend, {
        activations: numberArg('activations', QUERY_DEFAULTS.activations),
        samples: numberArg('samples', QUERY_DEFAULTS.samples),
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      console.log(formatQuery(q).join('\n'));
    }
  })().catch((e) => {
    console.error(`bench/query: ${(e as Error).message}`);
    process.exit(1);
  });
}
