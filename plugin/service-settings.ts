// Pure: the service-config item the plugin writes at deploy (store/service-config.ts): the
// service's analysis settings from custom.provenance and the OpenWhisk actions that belong to it,
// named as serverless-openwhisk deploys them (the function's `name`, which the framework fills in as
// `<service>-<stage>-<function>`, in the function's or the provider's namespace, else `_`: the
// namespace of the deploy credentials, matched as any namespace by the correlator).
import type { ServiceConfig } from '../store/service-config';
import type { ProvenanceConfig } from './config';

export interface DeployedService {
  service: string;
  stage: string;
  /** provider.namespace */
  namespace?: unknown;
  /** the framework's function definitions (it fills in `name`); `namespace` is serverless-openwhisk's */
  functions: Record<string, object>;
}

export function serviceConfigOf(deployed: DeployedService, config: ProvenanceConfig, deployedAt: number): ServiceConfig {
  const { service, stage } = deployed;
  const actions = Object.entries(deployed.functions ?? {}).map(([fn, definition]) => {
    const def = definition as { name?: unknown; namespace?: unknown } | undefined;
    const name = typeof def?.name === 'string' && def.name !== '' ? def.name : `${service}-${stage}-${fn}`;
    const namespace = namespaceOf(def?.namespace) ?? namespaceOf(deployed.namespace) ?? '_';
    return `${namespace}/${name.replace(/^\/+/, '')}`;
  });
  return {
    service,
    stage,
    actions: [...new Set(actions)].sort(),
    ...(config.sensitive !== undefined ? { sensitive: config.sensitive } : {}),
    ...(config.allowlist !== undefined ? { allowlist: config.allowlist } : {}),
    ...(config.alerts !== undefined ? { alerts: config.alerts } : {}),
    deployedAt,
  };
}

function namespaceOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ns = value.replace(/^\/+|\/+$/g, '');
  return ns === '' ? undefined : ns;
}
