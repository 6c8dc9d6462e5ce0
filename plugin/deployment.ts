// Package time, pure: the deployment each wrapped function carries to the correlator
// (protocol/deployment.ts): the service's analysis settings and the function's LMS profile,
// encoded as the wrapper sends them. A deployment that cannot be delivered is an error here, at
// deploy time; only the profile may be left out (the action's log lines are then stored raw).
import { DEPLOYMENT_VERSION, encodeDeployment, type DeploymentDocument, type EncodedDeployment } from '../protocol/deployment';
import type { ServiceConfig } from '../store/service-config';
import type { LmsProfile } from '../lms/types';
import { PluginUserError } from './errors';

/** The file, inside the generated folder, holding one function's encoded deployment. */
export const deploymentFileName = (fn: string) => `${fn}.deployment.json`;

export interface FunctionDeployment {
  encoded: EncodedDeployment;
  /** the profile did not fit and was left out */
  profileDropped: boolean;
}

export function deploymentDocument(settings: ServiceConfig, profile?: LmsProfile): DeploymentDocument {
  const { service, stage, actions, sensitive, allowlist, alerts, deployedAt } = settings;
  return {
    v: DEPLOYMENT_VERSION,
    service,
    stage,
    actions,
    ...(sensitive !== undefined ? { sensitive } : {}),
    ...(allowlist !== undefined ? { allowlist } : {}),
    ...(alerts !== undefined ? { alerts } : {}),
    deployedAt,
    ...(profile ? { profile } : {}),
  };
}

/** One function's deployment, encoded; without its profile when only the profile makes it too large. */
export function functionDeployment(fn: string, settings: ServiceConfig, profile?: LmsProfile): FunctionDeployment {
  if (profile) {
    try {
      return { encoded: encodeDeployment(deploymentDocument(settings, profile)), profileDropped: false };
    } catch {
      // too large with the profile: the settings still go
    }
  }
  try {
    return { encoded: encodeDeployment(deploymentDocument(settings)), profileDropped: profile !== undefined };
  } catch (err) {
    throw new PluginUserError(
      `serverless-provenance: the analysis settings of "${fn}" cannot travel with the action (${(err as Error).message}); shorten custom.provenance sensitive/allowlist.`,
    );
  }
}

/** Settings the correlator needs from this service (anything besides the defaults). */
export function hasAnalysisSettings(settings: Pick<ServiceConfig, 'sensitive' | 'allowlist' | 'alerts'>): boolean {
  return settings.sensitive !== undefined || settings.allowlist !== undefined || settings.alerts !== undefined;
}
