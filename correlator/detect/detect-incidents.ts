// Automatic detection: after a batch is written, analyse the requests it touched and the
// containers they ran in, store the incidents (deterministic ids: a re-ingest finds the same ones),
// and deliver each new incident once to the alert hook. The analyses are pure (upg/analyses); this
// file only reads the store, writes incidents and calls the hook.
//
// An incident found again exactly as stored is not written again (compared with what the store holds,
// or with what this correlator last stored when it remembers: the agent's sink).
//
// Delivery is at least once and, in practice, once: an incident is marked alerted after its hook
// accepted it; one whose delivery failed is retried whenever a later batch finds it again.
import type { ProvenanceStore, PutIncidentResult } from '../../store/types';
import { incidentUnchanged } from '../../upg/analyses/merge-incident';
import type { KnownIncidents } from './known-incidents';
import { DEFAULT_CONFIG } from '../../upg/analyses/config';
import { gather, type AnalysisSource } from '../../upg/analyses/gather';
import type { AnalysisConfig, Incident } from '../../upg/analyses/types';
import { AlertConfigError, deliverAlert, hookInNamespace, parseAlertHook, type AlertHook, type PlatformAccess } from './alerts';
import { incidentAlertSetting, type FixedSetting, type ResolvedService } from './incident-settings';
import { findIncidentsPerService } from './per-service';
import type { ServiceSettingsSource } from './service-settings-cache';

export interface DetectionOptions {
  /** sensitive sources, allowlist, platform endpoints (upg/analyses/config.ts analysisConfig) */
  config?: AnalysisConfig;
  /**
   * Which of config's settings were given explicitly (the correlator action's parameters): they win
   * over the deployed services' settings. Default: both when config is given, none otherwise.
   */
  fixed?: readonly FixedSetting[];
  /**
   * The deployed services' settings (custom.provenance at deploy, incident-settings.ts): each incident is
   * judged by, and alerted to, the services it involves. ingestBatch reads them from the store
   * (cached) unless this is false; detectIncidents alone uses them only when given.
   */
  services?: ServiceSettingsSource | false;
  /** the one hook for every incident, winning over the services' hooks */
  alerts?: AlertHook;
  /** needed to invoke an alert action */
  platform?: PlatformAccess;
  maxRequestsPerContainer?: number;
  /** where the analysis reads graphs and histories (default: the store itself; the agent's sink remembers between runs) */
  source?: AnalysisSource;
  /** the incidents this correlator last stored (the agent's sink keeps them between runs; default: read each from the store) */
  known?: KnownIncidents;
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
  /** ids found again exactly as stored: not written */
  unchanged: string[];
  /** ids delivered to the hook by this run */
  alerted: string[];
  alertFailures: Array<{ id: string; error: string }>;
}

export async function detectIncidents(store: ProvenanceStore, requests: readonly string[], options: DetectionOptions = {}): Promise<DetectionResult> {
  const result: DetectionResult = { incidents: [], created: [], unchanged: [], alerted: [], alertFailures: [] };
  if (requests.length === 0) return result;
  const input = await gather(options.source ?? store, requests, { maxRequestsPerContainer: options.maxRequestsPerContainer });
  const now = options.now ?? Date.now;
  const services = options.services ? await options.services() : [];
  const fixed: readonly FixedSetting[] = options.fixed ?? (options.config ? ['sensitive', 'allowlist'] : []);
  result.incidents = findIncidentsPerService(input, options.config ?? DEFAULT_CONFIG, fixed, services, now());
  const deliver = options.deliver ?? deliverAlert;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  for (const incident of result.incidents) {
    // found again as stored (a container's next run finds its incidents again): nothing to write
    const known = options.known?.get(incident.id) ?? (await store.getIncident(incident.id));
    const unchanged = known !== undefined && incidentUnchanged(known.incident, incident);
    const put: PutIncidentResult = unchanged ? { created: false, alerted: known.alerted, incident: known.incident } : await store.putIncident(incident);
    if (unchanged) result.unchanged.push(incident.id);
    options.known?.set(incident.id, { incident: put.incident, alerted: put.alerted });
    if (put.created) result.created.push(incident.id);
    if (put.alerted) continue;
    try {
      const hook = options.alerts ?? serviceHook(incident, services, options.platform);
      if (!hook) continue;
      await deliver(hook, put.incident, options.platform);
      await store.markIncidentAlerted(incident.id, now());
      options.known?.set(incident.id, { incident: put.incident, alerted: true });
      result.alerted.push(incident.id);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      result.alertFailures.push({ id: incident.id, error });
      log(`correlator: alert for incident ${incident.id} not delivered (retried when it is detected again): ${error}`);
    }
  }
  return result;
}

/** The alert hook of the service an incident belongs to (planter's, else a victim's), checked against the platform's host. */
function serviceHook(incident: Incident, services: readonly ResolvedService[], platform: PlatformAccess | undefined): AlertHook | undefined {
  const setting = incidentAlertSetting(incident, services);
  if (!setting) return undefined;
  let platformHost: string | undefined;
  try {
    platformHost = platform ? new URL(platform.apihost).hostname.replace(/^\[|\]$/g, '') : undefined;
  } catch {
    platformHost = undefined;
  }
  try {
    const hook = parseAlertHook(setting.alerts, platformHost, `service ${setting.service}: custom.provenance.alerts`);
    return hook && hookInNamespace(hook, setting.namespace);
  } catch (err) {
    if (err instanceof AlertConfigError) throw new Error(`${err.message} (fix it and redeploy the service)`);
    throw err;
  }
}
