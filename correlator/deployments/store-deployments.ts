// The side-effect half of delivered deployments (from-records.ts): each one's settings become its
// service's stored settings (store/service-config.ts: the later deployment of a service wins, the
// same one again changes nothing) and its LMS profile is stored by its hash, before the batch that
// carried them is assembled and judged. The profiles are also handed back, so the same batch's log
// lines are matched without reading them again.
import { profileHash } from '../../lms/profile-hash';
import type { LmsProfile } from '../../lms/types';
import { serviceId, type ServiceConfig, type ServiceConfigStore } from '../../store/service-config';
import type { DeliveredDeployment } from './from-records';

export interface DeploymentSink extends Pick<ServiceConfigStore, 'putServiceConfig'> {
  putProfiles(profiles: ReadonlyMap<string, LmsProfile>): Promise<void>;
}

export interface StoredDeployments {
  /** the delivered profiles, by hash */
  profiles: Map<string, LmsProfile>;
  /** services whose stored settings this changed, as `<service>/<stage>` */
  changed: string[];
}

/** Pure: the stored settings of a delivered deployment. */
export function serviceConfigOfDeployment(d: DeliveredDeployment): ServiceConfig {
  const { service, stage, sensitive, allowlist, alerts, deployedAt } = d.doc;
  return {
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    service,
    stage,
    actions: [...d.actions],
    ...(sensitive !== undefined ? { sensitive } : {}),
    ...(allowlist !== undefined ? { allowlist } : {}),
    ...(alerts !== undefined ? { alerts } : {}),
    deployedAt,
  };
}

export async function storeDeployments(delivered: readonly DeliveredDeployment[], sink: DeploymentSink): Promise<StoredDeployments> {
  const out: StoredDeployments = { profiles: new Map(), changed: [] };
  for (const d of delivered) {
    if (d.doc.profile !== undefined) {
      const profile = d.doc.profile as LmsProfile;
      out.profiles.set(profileHash(profile), profile);
    }
  }
  // Profiles first: settings that name a service are useful only once its log lines can be read.
  if (out.profiles.size) await sink.putProfiles(out.profiles);
  const seen = new Set<string>();
  for (const d of delivered) {
    const config = serviceConfigOfDeployment(d);
    const id = serviceId(config);
    if ((await sink.putServiceConfig(config)).changed && !seen.has(id)) out.changed.push(id);
    seen.add(id);
  }
  return out;
}
