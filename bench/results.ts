// bench/results.json: the headline figures of `npm run bench`, one flat object of numbers keyed
// "<part>.<figure>" (ratios against the same work without provenance, measured in the same run).
// Several bench parts write it (activations, cold start, probe and decoder, storage, ingest,
// query): each merges its own keys into what the file already holds, so a part run on its own
// updates its rows and leaves the others' alone.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const RESULTS_FILE = path.join(__dirname, 'results.json');

/** Every key `npm run bench` is expected to fill, and what it means. */
export const RESULT_KEYS: Readonly<Record<string, string>> = {
  'activation.wrapperRatioP50': 'median activation latency, wrapper records (A) over not wrapped (N)',
  'activation.wrapperCi95High': 'upper end of its 95 % interval (resampling whole rounds)',
  'activation.kernelRatioP50': 'median activation latency, wrapper + kernel capture (K) over N',
  'activation.kernelCi95High': 'upper end of its 95 % interval',
  'coldStart.addedMs': "first activation of a fresh container, from /init to the answer: wrapped minus not wrapped, median of paired samples (ms)",
  'storage.itemsPerActivation': 'store items written per activation',
  'storage.bytesPerActivation': 'store bytes written per activation',
  'ingest.activationsPerSecond': 'activations ingested per CPU second of the correlator and dynalite together (one core doing both)',
  'query.traceP50Ms': 'median latency of a request trace query (ms)',
  'query.activations': 'activations in the store the queries ran against',
  'probe.idleRatio': 'dd bs=64 with the probe loaded, its cgroup not captured, over no probe (median of per-round ratios)',
  'probe.emptyProgramRatio': 'dd bs=64 with an empty program on the same hook, over no probe (the floor; median of per-round ratios)',
  'probe.pipeCaptureRatio': 'dd bs=64 | cat captured, over the same pipe uncaptured',
  'decoder.recordsPerSecond': 'kernel records decoded per second on one core',
};

export type Results = Record<string, number>;

/** Pure: `update`'s keys over `previous`, sorted; refuses anything that is not a finite number. */
export function mergeResults(previous: Results, update: Results): Results {
  for (const [k, v] of Object.entries(update)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`bench results: ${k} is ${String(v)}, not a finite number; fix the part that measured it`);
  }
  const merged = { ...previous, ...update };
  return Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
}

/** The file's figures, or {} when there is none yet. */
export function readResults(file: string = RESULTS_FILE): Results {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`bench results: ${file} is not JSON (${(e as Error).message}); delete it and run the bench again`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`bench results: ${file} does not hold an object; delete it and run the bench again`);
  const out: Results = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/**
 * Merges `update` into the file and returns what it now holds. Written to a temporary file and
 * renamed, so that a reader (or a part writing at the same time) never sees half a file.
 */
export function writeResults(update: Results, file: string = RESULTS_FILE): Results {
  const merged = mergeResults(readResults(file), update);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(merged, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return merged;
}

/** The expected keys no part has filled yet (printed by `npm run bench`, so a missing part is seen). */
export function missingResults(results: Results): string[] {
  return Object.keys(RESULT_KEYS).filter((k) => results[k] === undefined);
}
