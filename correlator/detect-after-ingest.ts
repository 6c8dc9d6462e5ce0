// The step ingestBatch runs after writing a batch: detection over the requests the batch touched.
// A failure here never undoes or fails the ingest (the graph is written and the agent must not
// resend it forever); it is reported in the result, and the next batches of those containers detect again.
import type { ProvenanceStore } from '../store/types';
import { detectIncidents, type DetectionOptions } from './detect';
import { serviceSettingsOf } from './detect-services';
import type { IngestResult } from './types';

export async function detectAfterIngest(store: ProvenanceStore, result: IngestResult, options: DetectionOptions): Promise<void> {
  try {
    // The deployed services' settings (custom.provenance) apply unless the caller turned them off.
    const services = options.services ?? serviceSettingsOf(store, options.log ? { log: options.log } : {});
    const detected = await detectIncidents(store, result.requests, { ...options, services });
    if (detected.created.length) result.incidents = detected.created;
  } catch (err) {
    result.detectionError = err instanceof Error ? err.message : String(err);
    (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(`correlator: incident detection failed for requests ${result.requests.join(', ')}: ${result.detectionError}`);
  }
}
