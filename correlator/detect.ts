// Automatic detection (issue 4): after a batch is written, analyse the requests it touched and the
// containers they ran in, store the incidents (deterministic ids: a re-ingest finds the same ones),
// and deliver each new incident once to the alert hook. The analyses are pure (upg/analyses); this
// file only reads the store, writes incidents and calls the hook.
//
// Delivery is at least once and, in practice, once: an incident is marked alerted after its hook
// accepted it; one whose delivery failed is retried whenever a later batch finds it again.
import type { ProvenanceStore } from '../store/types';
import { analyze } from '../upg/analyses/analyze';
import { DEFAULT_CONFIG } from '../upg/analyses/config';
import { gather } from '../upg/analyses/gather';
import type { AnalysisConfig, Incident } from '../upg/analyses/types';
import { deliverAlert, type AlertHook, type PlatformAccess } from './alerts';

export interface DetectionOptions {
  /** sensitive sources, allowlist, platform endpoints (upg/analyses/config.ts analysisConfig) */
  config?: AnalysisConfig;
  alerts?: AlertHook;
  /** needed to invoke an alert action */
  platform?: PlatformAccess;
  maxRequestsPerContainer?: number;
  now?: () => number;
  /** where delivery failures are reported (default: stderr) */
  log?: (line: string) => void;
  /** replaces the HTTP delivery (tests of the delivery bookkeeping) */
  deliver?: (hook: AlertHook, incident: Incident, platform?: PlatformAccess) => Promise<void>;
}

export interface DetectionResult {
  /** every incident the analysis found in what it read */
  incidents: Incident[];
  /** ids stored for the first time */
  created: string[];
  /** ids delivered to the hook by this run */
  alerted: string[];
  alertFailures: Array<{ id: string; error: string }>;
}

export async function detectIncidents(store: ProvenanceStore, requests: readonly string[], options: DetectionOptions = {}): Promise<DetectionResult> {
  const result: DetectionResult = { incidents: [], created: [], alerted: [], alertFailures: [] };
  if (requests.length === 0) return result;
  const input = await gather(store, requests, { maxRequestsPerContainer: options.maxRequestsPerContainer });
  const now = options.now ?? Date.now;
  result.incidents = analyze(input, options.config ?? DEFAULT_CONFIG, now());
  const deliver = options.deliver ?? deliverAlert;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const incident of result.incidents) {
    const put = await store.putIncident(incident);
    if (put.created) result.created.push(incident.id);
    if (!options.alerts || put.alerted) continue;
    try {
      await deliver(options.alerts, put.incident, options.platform);
      await store.markIncidentAlerted(incident.id, now());
      result.alerted.push(incident.id);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      result.alertFailures.push({ id: incident.id, error });
      log(`correlator: alert for incident ${incident.id} not delivered (retried when it is detected again): ${error}`);
    }
  }
  return result;
}
