// The correlator where no correlator action is deployed: the embedded platform's agent hands each
// batch to this sink in the same process (`provenance local start`, `npm run demo`). Detection runs
// with the deployed services' settings from the store (custom.provenance), the platform's own
// endpoints inside, and the platform's credentials for alert hooks that invoke an action.
import type { ProvenanceStore } from '../store/types';
import { analysisConfig, EMBEDDED_PLATFORM_HOSTS, parseEndpoint } from '../upg/analyses/config';
import type { AnalysisConfig, Endpoint } from '../upg/analyses/types';
import type { PlatformAccess } from './detect/alerts';
import type { DetectionOptions } from './detect/detect-incidents';
import { detectRemembering, type DetectionOutcome } from './detect/after-ingest';
import { detectionMemory } from './detect/warm-memory';
import { BatchError, ingestBatch } from './index';
import type { Batch, IngestResult } from '../protocol/batch';

export interface LocalSinkOptions {
  store: ProvenanceStore;
  /** one line per refused batch, detection problem or undelivered alert */
  log: (line: string) => void;
  /** the running platform's API and credentials, once it has started (the sink exists before it) */
  platform: () => PlatformAccess | undefined;
  /** the platform's other own endpoints (e.g. the DynamoDB endpoint URL): always inside, never a sink */
  inside?: () => readonly string[];
  /** called with each ingested batch's result */
  onResult?: (result: IngestResult, batch: Batch) => void;
  /** called after each detection run (e.g. to show new incidents) */
  onDetected?: (outcome: DetectionOutcome, requests: readonly string[]) => void;
  /** longest a touched request waits for detection, ms (default 500) */
  detectAfterMs?: number;
}

export interface BatchSink {
  (batch: Batch): Promise<void>;
  /** resolves once detection has run over every request ingested so far */
  drain(): Promise<void>;
}

/** longest wait between detection runs while the store keeps failing them */
const DETECT_RETRY_MAX_MS = 30_000;

/**
 * The agent's sink. Each batch is written at once; detection is coalesced: the agent ships a small batch
 * at every activation's end, and analysing the touched containers' histories once per batch cost about
 * half a second each (the demo spent a minute on it), so one run covers every request touched in the
 * last `detectAfterMs`, one run at a time. A batch the correlator refuses as malformed would be refused
 * again: it is logged and dropped. Anything else (the store unreachable) is rethrown, so the agent
 * spools and retries. A detection run that fails (the store went down after the batch was written)
 * keeps its requests for the next run, retried with a growing delay: no request goes unjudged.
 */
export function createLocalSink(options: LocalSinkOptions): BatchSink {
  const touched = new Set<string>();
  // What earlier runs read stays known: a run's store reads then depend on what is new, not on history.
  const memory = detectionMemory(options.store);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const detectNow = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (touched.size === 0) return running;
    const requests = [...touched].sort();
    touched.clear();
    running = running.then(async () => {
      const outcome = await detectRemembering(options.store, requests, localDetection(options), memory);
      if (outcome.error !== undefined) {
        // the graphs are stored: judge these requests again once the store answers, later each time
        for (const r of requests) touched.add(r);
        retryMs = Math.min(retryMs * 2, DETECT_RETRY_MAX_MS);
        schedule(retryMs);
      } else retryMs = options.detectAfterMs ?? 500;
      options.onDetected?.(outcome, requests);
    });
    return running;
  };
  let retryMs = options.detectAfterMs ?? 500;
  const schedule = (ms: number) => {
    // unref: a retry pending when the agent stops must not keep it alive (stop drains once more)
    if (!timer) timer = setTimeout(() => void detectNow(), ms).unref();
  };
  const sink = async (batch: Batch) => {
    try {
      const result = await ingestBatch(batch, options.store, { detection: false });
      options.onResult?.(result, batch);
      for (const request of result.requests) touched.add(request);
      if (touched.size) schedule(retryMs);
    } catch (err) {
      if (!(err instanceof BatchError)) throw err;
      options.log(`correlator: batch ${batch.invoker}#${batch.batch} refused: ${err.message}`);
    }
  };
  return Object.assign(sink, { drain: detectNow });
}

/** Detection options for one batch (the platform may have started since the last one). */
export function localDetection(options: Pick<LocalSinkOptions, 'platform' | 'inside' | 'log'>): DetectionOptions {
  const platform = options.platform();
  return {
    config: localAnalysisConfig([...(platform ? [platform.apihost] : []), ...(options.inside?.() ?? [])]),
    // nothing here is the user's explicit choice: the deployed services' settings decide
    fixed: [],
    ...(platform ? { platform } : {}),
    log: options.log,
  };
}

/** Pure: the defaults, with the embedded platform's hosts and the given endpoints inside. */
export function localAnalysisConfig(insideUrls: readonly string[]): AnalysisConfig {
  const inside: Endpoint[] = [...EMBEDDED_PLATFORM_HOSTS];
  for (const url of insideUrls) {
    const e = parseEndpoint(url);
    if (typeof e === 'string') throw new Error(`platform endpoint ${JSON.stringify(url)}: ${e}`);
    inside.push(e);
  }
  return analysisConfig({ inside });
}
