// The correlator where no correlator action is deployed: the embedded platform's agent hands each
// batch to this sink in the same process (`provenance local start`, `npm run demo`). Detection runs
// with the deployed services' settings from the store (custom.provenance), the platform's own
// endpoints inside, and the platform's credentials for alert hooks that invoke an action.
import type { ProvenanceStore } from '../store/types';
import { analysisConfig, EMBEDDED_PLATFORM_HOSTS, parseEndpoint } from '../upg/analyses/config';
import type { AnalysisConfig, Endpoint } from '../upg/analyses/types';
import type { PlatformAccess } from './alerts';
import type { DetectionOptions } from './detect';
import { BatchError, ingestBatch } from './index';
import type { Batch, IngestResult } from './types';

export interface LocalSinkOptions {
  store: ProvenanceStore;
  /** one line per refused batch, detection problem or undelivered alert */
  log: (line: string) => void;
  /** the running platform's API and credentials, once it has started (the sink exists before it) */
  platform: () => PlatformAccess | undefined;
  /** the platform's other own endpoints (e.g. the DynamoDB endpoint URL): always inside, never a sink */
  inside?: () => readonly string[];
  /** called with each ingested batch's result (e.g. to show new incidents) */
  onResult?: (result: IngestResult, batch: Batch) => void;
}

export type BatchSink = (batch: Batch) => Promise<void>;

/**
 * The agent's sink. A batch the correlator refuses as malformed would be refused again: it is logged
 * and dropped. Anything else (the store unreachable) is rethrown, so the agent spools and retries.
 */
export function createLocalSink(options: LocalSinkOptions): BatchSink {
  return async (batch) => {
    try {
      const result = await ingestBatch(batch, options.store, { detection: localDetection(options) });
      options.onResult?.(result, batch);
    } catch (err) {
      if (!(err instanceof BatchError)) throw err;
      options.log(`correlator: batch ${batch.invoker}#${batch.batch} refused: ${err.message}`);
    }
  };
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
