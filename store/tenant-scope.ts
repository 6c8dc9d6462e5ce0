// The store as one namespace reads it: every read goes through the namespace's view
// (upg/tenant.ts), and nothing is written. What is not the namespace's reads as if it did not exist,
// so a request id of another namespace answers exactly like one that was never stored.
//
// On a local store this is the whole enforcement (the CLI is the reader, and it knows the
// namespace only after the platform authenticated its key); on DynamoDB the table's IAM policy is
// the boundary and this view is what keeps an operator's wider credentials from showing too much.
import type { LmsProfile } from '../lms/types';
import type { Incident } from '../upg/analyses/types';
import { crossesNamespaces, incidentForNamespace, ownsAction, summaryForNamespace, trimToNamespace } from '../upg/tenant';
import type { ActivationNode, GraphFragment, RequestGraph, RequestSummary, UpgEdge } from '../upg/types';
import { StoreError } from './errors';
import { splitAction } from './service-config';
import type {
  ActivationMeta,
  IncidentQuery,
  ProvenanceStore,
  PutIncidentResult,
  PutServiceConfigResult,
  ServiceConfig,
  TimeRange,
} from './types';

export class ScopeError extends StoreError {}

/**
 * A read-only view of `store` for `namespace`. Graphs of one open view are cached: lineage and
 * trace ask for the same request's graph many times.
 */
export function scopeStore(store: ProvenanceStore, namespace: string): ProvenanceStore {
  const graphs = new Map<string, Promise<RequestGraph | undefined>>();
  const scopedGraph = (request: string) => {
    let g = graphs.get(request);
    if (!g) graphs.set(request, (g = store.getRequestGraph(request).then((full) => (full ? trimToNamespace(full, namespace) : undefined))));
    return g;
  };
  const readOnly = (what: string): never => {
    throw new ScopeError(`${what} writes to the shared store, and namespace ${namespace}'s credentials only read it: run it as the operator (--operator KEY)`, 2);
  };

  return {
    getRequestGraph: scopedGraph,

    async listRequests(range?: TimeRange): Promise<RequestSummary[]> {
      // newest first, like the store; the limit counts what this namespace sees, so the store is
      // asked for more (4 times as many each round) until enough are its own or none are left
      const { limit, ...rest } = range ?? {};
      let ask = limit;
      for (;;) {
        const listed = await store.listRequests(ask !== undefined ? { ...rest, limit: ask } : rest);
        const out: RequestSummary[] = [];
        for (const s of listed) {
          const own = crossesNamespaces(s, namespace)
            ? summaryForNamespace(s, namespace, (await scopedGraph(s.request))?.nodes.filter((n) => n.kind === 'activation').length)
            : summaryForNamespace(s, namespace);
          if (own) out.push(own);
        }
        if (limit === undefined || ask === undefined) return out;
        if (out.length >= limit || listed.length < ask) return out.slice(0, limit);
        ask *= 4;
      }
    },

    async containerActivations(containerNodeId: string): Promise<ActivationNode[]> {
      const all = await store.containerActivations(containerNodeId);
      // a container runs one action: all of it is the namespace's or none is
      return all.every((a) => ownsAction(namespace, a.action)) ? all : [];
    },

    async entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>> {
      const out: Array<UpgEdge & { request: string }> = [];
      for (const e of await store.entityHistory(entityNodeId)) {
        // an edge is shown when it survives its request's trimming (a shared item or socket keeps only this namespace's uses)
        const g = await scopedGraph(e.request);
        if (g?.edges.some((k) => k.id === e.id)) out.push(e);
      }
      return out;
    },

    async listIncidents(query?: IncidentQuery): Promise<Incident[]> {
      const { limit, ...rest } = query ?? {};
      const out = (await store.listIncidents(rest)).map((i) => incidentForNamespace(i, namespace)).filter((i): i is Incident => i !== undefined);
      return limit !== undefined ? out.slice(0, limit) : out;
    },

    async listServiceConfigs(): Promise<ServiceConfig[]> {
      // a service is a namespace's when it was deployed there, or names its actions there; settings whose
      // namespace nobody knows (`_`, stored at deploy without asking the API host) are the operator's only
      return (await store.listServiceConfigs()).filter((c) => c.namespace === namespace || c.actions.some((a) => splitAction(a).namespace === namespace));
    },
    serviceConfigVersion: () => store.serviceConfigVersion(),

    async getActivationMeta(ids: string[]): Promise<Map<string, ActivationMeta>> {
      const all = await store.getActivationMeta(ids);
      return new Map([...all].filter(([, m]) => ownsAction(namespace, m.action)));
    },
    // content-addressed: a reader gets a profile only by naming its hash, which its own activations carry
    getProfiles: (hashes: readonly string[]): Promise<Map<string, LmsProfile>> => store.getProfiles(hashes),
    knownDeployments: (hashes: readonly string[]) => store.knownDeployments(hashes),
    // where pull-mode collection left off is the collector's business, not a reader's
    getCollectCheckpoint: async <T>(_key: string): Promise<T | undefined> => undefined,

    writeFragment: (_f: GraphFragment) => readOnly('storing graph fragments'),
    writeFragments: (_f: readonly GraphFragment[]) => readOnly('storing graph fragments'),
    putProfiles: () => readOnly('storing LMS profiles'),
    putActivationMeta: () => readOnly('storing activation state'),
    putIncident: (_i: Incident): Promise<PutIncidentResult> => readOnly('detecting incidents again'),
    // read only by detection, before it writes
    getIncident: () => readOnly('detecting incidents again'),
    markIncidentAlerted: () => readOnly('marking incidents alerted'),
    putServiceConfig: (): Promise<PutServiceConfigResult> => readOnly('storing service settings'),
    markDeploymentsKnown: () => readOnly('storing deployments'),
    awaitDeployment: () => readOnly('storing deployments'),
    putCollectCheckpoint: () => readOnly('collecting'),
    close: () => store.close(),
  };
}
