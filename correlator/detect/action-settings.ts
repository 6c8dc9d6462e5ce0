// Pure: the detection settings of the correlator action, from its parameters, else its environment.
//   sensitive  | PROVENANCE_SENSITIVE   {tables, files, secrets} (JSON in the environment)
//   allowlist  | PROVENANCE_ALLOWLIST   list of host, host:port or URL (JSON list, or comma-separated)
//   alerts     | PROVENANCE_ALERTS      action name or URL on the platform (custom.provenance.alerts)
//   detect     | PROVENANCE_DETECT      "false" turns automatic detection off
// What is given here wins; what is not comes from the deployed services' custom.provenance, read
// from the store (incident-settings.ts), else the analyses' defaults.
// The platform's own endpoints are always inside: the API host (__OW_API_HOST) and the DynamoDB
// endpoint the correlator writes to. Alert actions are invoked with the action's own credentials
// (__OW_API_KEY, __OW_NAMESPACE), as any OpenWhisk action invokes another.
import { analysisConfig, AnalysisConfigError, parseEndpoint } from '../../upg/analyses/config';
import type { Endpoint } from '../../upg/analyses/types';
import { AlertConfigError, parseAlertHook } from './alerts';
import type { DetectionOptions } from './detect-incidents';
import type { FixedSetting } from './incident-settings';

type Env = Record<string, string | undefined>;

export function detectionOptionsFrom(params: Record<string, unknown>, env: Env, dynamoEndpoint?: string): DetectionOptions | false | { error: string } {
  const detect = params.detect ?? env.PROVENANCE_DETECT;
  if (detect === false || detect === 'false') return false;
  const json = (name: string, text: string | undefined): unknown => {
    if (text === undefined || text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      if (name === 'PROVENANCE_ALLOWLIST') return text.split(',').map((s) => s.trim()).filter(Boolean);
      throw new AnalysisConfigError(`${name} must be JSON, got ${JSON.stringify(text.slice(0, 80))}`);
    }
  };
  try {
    const apihost = env.__OW_API_HOST;
    const inside: Endpoint[] = [];
    for (const url of [apihost, dynamoEndpoint]) {
      if (!url) continue;
      const e = parseEndpoint(url);
      if (typeof e !== 'string') inside.push(e);
    }
    const sensitive = params.sensitive ?? json('PROVENANCE_SENSITIVE', env.PROVENANCE_SENSITIVE);
    const allowlist = params.allowlist ?? json('PROVENANCE_ALLOWLIST', env.PROVENANCE_ALLOWLIST);
    const config = analysisConfig({ sensitive, allowlist, ...(inside.length ? { inside } : {}) }, 'correlator parameter');
    // What the action was given wins over the deployed services' settings; the rest comes from them.
    const fixed: FixedSetting[] = [...(sensitive !== undefined ? ['sensitive' as const] : []), ...(allowlist !== undefined ? ['allowlist' as const] : [])];
    const platformHost = apihost ? new URL(apihost).hostname : undefined;
    const alerts = parseAlertHook(params.alerts ?? env.PROVENANCE_ALERTS, platformHost, 'correlator parameter alerts');
    const platform = apihost && env.__OW_API_KEY ? { apihost, auth: env.__OW_API_KEY, namespace: env.__OW_NAMESPACE } : undefined;
    return { config, fixed, ...(alerts ? { alerts } : {}), ...(platform ? { platform } : {}) };
  } catch (err) {
    if (err instanceof AnalysisConfigError || err instanceof AlertConfigError) return { error: err.message };
    throw err;
  }
}
