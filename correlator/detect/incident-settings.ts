// Pure: which deployed service an action belongs to, and the analysis settings and alert hook that
// apply to one incident. The rules:
//   - an incident involves the services of its planter, its victims and every action on its timeline;
//   - its sensitive sources and allowlist are the union over those services (a service that names no
//     sensitive data has the default guess, as its own custom.provenance would); an incident whose
//     actions belong to no deployed service gets the correlator's own settings;
//   - settings given explicitly to the correlator (`fixed`) win over every service's;
//   - the platform's own endpoints (`inside`) and the behaviour thresholds are always the correlator's;
//   - its alert hook: the correlator's explicit one, else the planter's service's, else the first
//     victim's service's that has one.
import { analysisConfig, AnalysisConfigError } from '../../upg/analyses/config';
import type { AnalysisConfig, Endpoint, Incident, SensitiveConfig } from '../../upg/analyses/types';
import { sameAction, serviceId, splitAction, type ServiceConfig } from '../../store/service-config';

/** A deployed service's settings, validated once (as the analyses take them). */
export interface ResolvedService {
  /** `<namespace>/<service>/<stage>` (`<service>/<stage>` when its namespace is not known) */
  id: string;
  /** the namespace it was deployed to, when known: its alert action's name is relative to it */
  namespace?: string;
  actions: ReadonlyArray<{ namespace: string; name: string }>;
  sensitive: SensitiveConfig;
  allowlist: Endpoint[];
  /** custom.provenance.alerts as deployed (parsed against the platform's host at delivery) */
  alerts?: ServiceConfig['alerts'];
  deployedAt: number;
}

/** Settings of the correlator that win over the services' (the correlator action's parameters). */
export type FixedSetting = 'sensitive' | 'allowlist';

/**
 * Validates stored service configs. One that does not validate (written by another version, or by
 * hand) is left out and reported, so it cannot stop detection for every other service.
 */
export function resolveServices(configs: readonly ServiceConfig[]): { services: ResolvedService[]; problems: string[] } {
  const services: ResolvedService[] = [];
  const problems: string[] = [];
  for (const c of configs) {
    const id = serviceId(c);
    try {
      const { sensitive, allowlist } = analysisConfig({ sensitive: c.sensitive, allowlist: c.allowlist }, `service ${id}: custom.provenance`);
      services.push({ id, ...(c.namespace !== undefined ? { namespace: c.namespace } : {}), actions: c.actions.map(splitAction).filter((a) => a.name !== ''), sensitive, allowlist, ...(c.alerts !== undefined ? { alerts: c.alerts } : {}), deployedAt: c.deployedAt });
    } catch (err) {
      if (!(err instanceof AnalysisConfigError)) throw err;
      problems.push(`${err.message} (its deployed settings are ignored; redeploy the service)`);
    }
  }
  return { services: services.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), problems };
}

/**
 * The service an action (as the graph names it, e.g. `/guest/shop-dev-purchase`) belongs to. When
 * several claim it, one that names the namespace beats one that says `_`, then the latest deploy.
 */
export function serviceOfAction(action: string | undefined, services: readonly ResolvedService[]): ResolvedService | undefined {
  if (action === undefined) return undefined;
  const wanted = splitAction(action);
  let best: { service: ResolvedService; exact: boolean } | undefined;
  for (const service of services) {
    for (const a of service.actions) {
      if (!sameAction(a, wanted)) continue;
      const exact = a.namespace === wanted.namespace;
      if (!best || (exact && !best.exact) || (exact === best.exact && service.deployedAt > best.service.deployedAt)) best = { service, exact };
    }
  }
  return best?.service;
}

/** Every action an incident names: planter, victims, timeline. */
export function incidentActions(incident: Incident): string[] {
  const out = new Set<string>();
  for (const party of [incident.planter, ...incident.victims, ...incident.timeline]) if (party.action) out.add(party.action);
  return [...out];
}

/** The services an incident involves, by id. */
export function servicesInvolved(incident: Incident, services: readonly ResolvedService[]): ResolvedService[] {
  return uniqueServices(incidentActions(incident).map((a) => serviceOfAction(a, services)));
}

function uniqueServices(list: ReadonlyArray<ResolvedService | undefined>): ResolvedService[] {
  const byId = new Map<string, ResolvedService>();
  for (const s of list) if (s) byId.set(s.id, s);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The settings one incident is judged by: see the rules at the top. */
export function incidentConfig(base: AnalysisConfig, fixed: readonly FixedSetting[], involved: readonly ResolvedService[]): AnalysisConfig {
  if (involved.length === 0) return base;
  return {
    ...base,
    sensitive: fixed.includes('sensitive') ? base.sensitive : unionSensitive(involved.map((s) => s.sensitive)),
    allowlist: fixed.includes('allowlist') ? base.allowlist : unionEndpoints(involved.map((s) => s.allowlist)),
  };
}

/**
 * The settings of a first pass that finds every candidate: every source some party deems sensitive,
 * and only sinks every party allows. `unclaimed`: some action belongs to no service (the correlator's
 * own settings take part for it).
 */
export function widestConfig(base: AnalysisConfig, fixed: readonly FixedSetting[], present: readonly ResolvedService[], unclaimed: boolean): AnalysisConfig {
  if (present.length === 0) return base;
  const sensitives = [...present.map((s) => s.sensitive), ...(unclaimed ? [base.sensitive] : [])];
  const allowlists = [...present.map((s) => s.allowlist), ...(unclaimed ? [base.allowlist] : [])];
  return {
    ...base,
    sensitive: fixed.includes('sensitive') ? base.sensitive : unionSensitive(sensitives),
    allowlist: fixed.includes('allowlist') ? base.allowlist : allowlists.reduce((a, b) => intersectEndpoints(a, b)),
  };
}

/** The services the actions of the analysed graphs belong to, and whether some action belongs to none. */
export function servicesPresent(actions: Iterable<string>, services: readonly ResolvedService[]): { present: ResolvedService[]; unclaimed: boolean } {
  const found: Array<ResolvedService | undefined> = [];
  let unclaimed = false;
  for (const action of actions) {
    const s = serviceOfAction(action, services);
    if (!s) unclaimed = true;
    found.push(s);
  }
  return { present: uniqueServices(found), unclaimed };
}

/** The deployed alert hook setting for one incident: the planter's service's, else the first victim's service's that has one. */
export function incidentAlertSetting(incident: Incident, services: readonly ResolvedService[]): { service: string; namespace?: string; alerts: NonNullable<ServiceConfig['alerts']> } | undefined {
  for (const party of [incident.planter, ...incident.victims]) {
    const service = serviceOfAction(party.action, services);
    if (service?.alerts !== undefined) return { service: service.id, ...(service.namespace !== undefined ? { namespace: service.namespace } : {}), alerts: service.alerts };
  }
  return undefined;
}

export function unionSensitive(list: readonly SensitiveConfig[]): SensitiveConfig {
  const merge = (key: keyof SensitiveConfig) => [...new Set(list.flatMap((s) => s[key]))].sort();
  return { tables: merge('tables'), files: merge('files'), secrets: merge('secrets') };
}

export function unionEndpoints(lists: ReadonlyArray<readonly Endpoint[]>): Endpoint[] {
  return dedupe(lists.flat());
}

/** Endpoints allowed by both lists (a host without a port stands for every port of that host). */
export function intersectEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): Endpoint[] {
  const covered = (list: readonly Endpoint[], e: Endpoint) => list.some((x) => x.host === e.host && (x.port === undefined || x.port === e.port));
  return dedupe([...a.filter((e) => covered(b, e)), ...b.filter((e) => covered(a, e))]);
}

function dedupe(list: readonly Endpoint[]): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const e of list) byKey.set(`${e.host}\u0000${e.port ?? ''}`, e);
  return [...byKey.values()].sort((x, y) => (x.host < y.host ? -1 : x.host > y.host ? 1 : (x.port ?? 0) - (y.port ?? 0)));
}

/** A stable key of the settings that decide an incident (to run each distinct setting once). */
export function settingsKey(config: AnalysisConfig): string {
  return JSON.stringify([config.sensitive.tables, config.sensitive.files, config.sensitive.secrets, config.allowlist]);
}
