// Deploy time: the namespace a service's settings belong to. serverless-openwhisk deploys to the
// namespace of its credentials when the service names none (`_`); the settings written to the store
// now must name the same namespace the correlator will find when the actions deliver them (it takes
// the namespace of the delivering action), or the two would be two services. The API host tells
// whose the deploy key is (`GET /api/v1/namespaces`), as it tells every reader.
import { apihostUrl } from '../cli/openwhisk-credentials';
import { namespaceOfKey } from '../cli/openwhisk-namespace';
import { splitAction, type ServiceConfig } from '../store/service-config';
import type { PullCredentials } from './pull-target';

export type NamespacedSettings = { settings: ServiceConfig; unresolved?: string };

/** The settings with `_` resolved and their namespace said; `unresolved` says why `_` stayed. */
export async function withDeployNamespace(settings: ServiceConfig, credentials: PullCredentials, timeoutMs = 5_000): Promise<NamespacedSettings> {
  const named = new Set(settings.actions.map((a) => splitAction(a).namespace));
  if (!named.has('_')) return { settings: named.size === 1 ? { ...settings, namespace: [...named][0]! } : settings };
  const found = await deployNamespace(credentials, timeoutMs);
  if ('why' in found) return { settings, unresolved: found.why };
  return { settings: resolveDefaultNamespace(settings, found.namespace) };
}

/** Pure: `_` becomes `namespace`; the settings are that namespace's when all their actions are. */
export function resolveDefaultNamespace(settings: ServiceConfig, namespace: string): ServiceConfig {
  const resolved = settings.actions.map((a) => {
    const own = splitAction(a);
    return own.namespace === '_' ? `${namespace}/${own.name}` : a;
  });
  const actions = [...new Set(resolved)].sort();
  const all = new Set(actions.map((a) => splitAction(a).namespace));
  return { ...settings, actions, ...(all.size === 1 ? { namespace } : {}) };
}

async function deployNamespace(credentials: PullCredentials, timeoutMs: number): Promise<{ namespace: string } | { why: string }> {
  const said = credentials.namespace?.replace(/^\/+|\/+$/g, '');
  if (said && said !== '_') return { namespace: said };
  const url = credentials.apihost ? apihostUrl(credentials.apihost) : undefined;
  if (!url || !credentials.auth) return { why: 'no API host and key (OW_APIHOST/OW_AUTH or the wsk properties file) to ask whose the deploy key is' };
  const answer = await namespaceOfKey(url, credentials.auth, timeoutMs);
  if (answer.ok) return { namespace: answer.namespace };
  return { why: answer.refused ? `the API host refused the deploy key (HTTP ${answer.status})` : `the API host did not say whose the deploy key is (${answer.reason})` };
}
