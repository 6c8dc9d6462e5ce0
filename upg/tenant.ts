// What one namespace may see of the provenance of a store that serves several (pure). A request
// can cross namespaces: an action of A invokes an action of B with B's key (a shared package, a
// trigger and rule with B's credentials). Each side then sees its own activations and everything
// that hangs off them, that the request also ran in another namespace, and nothing inside it.
// Ownership comes from the fully qualified action name (`/ns/pkg/action`) each activation carries.
import type { Incident, IncidentParty } from './analyses/types';
import type { ActivationNode, GraphWarning, MessageNode, RequestGraph, RequestSummary, UpgEdge, UpgNode } from './types';

/** the warning a trimmed graph carries where part of its request was cut away */
export const OTHER_NAMESPACE_WARNING = 'other-namespace';
const OTHER_NAMESPACE_MESSAGE = 'part of this request ran in another namespace; that part is shown only with that namespace\'s credentials';

/** `/ns/name`, `/ns/pkg/name` (or without the leading slash) -> `ns`; a bare name has none. */
export function namespaceOfAction(action: string | undefined): string | undefined {
  if (!action) return undefined;
  const parts = action.replace(/^\//, '').split('/');
  return parts.length >= 2 && parts[0] ? parts[0] : undefined;
}

/** An action of `namespace`. A name without a namespace is nobody's: what cannot be placed is not shown. */
export function ownsAction(namespace: string, action: string | undefined): boolean {
  return namespaceOfAction(action) === namespace;
}

type Owner = 'own' | 'foreign' | 'open';

/**
 * The part of one request's graph that `namespace` may see, or undefined when none of the
 * request ran there (the caller answers as if the request did not exist: no existence oracle).
 */
export function trimToNamespace(graph: RequestGraph, namespace: string): RequestGraph | undefined {
  const activations = new Map<string, ActivationNode>();
  for (const n of graph.nodes) if (n.kind === 'activation') activations.set(n.activationId, n);
  const ownActivation = (id: string | undefined) => id !== undefined && ownsAction(namespace, activations.get(id)?.action);
  if (![...activations.values()].some((a) => ownsAction(namespace, a.action))) return undefined;

  // containers: by the activations they served, else by the action they were made for
  const containers = new Map<string, Owner>();
  for (const a of activations.values()) {
    if (!a.container) continue;
    const o: Owner = ownsAction(namespace, a.action) ? 'own' : 'foreign';
    if (containers.get(a.container) !== 'foreign') containers.set(a.container, o);
  }
  for (const n of graph.nodes) {
    if (n.kind === 'container' && !containers.has(n.id) && n.action !== undefined) containers.set(n.id, ownsAction(namespace, n.action) ? 'own' : 'foreign');
  }
  const byActivation = (id: string): Owner => (ownActivation(id) ? 'own' : 'foreign');
  // the external caller (a web request's method, path and headers) is the entry action's
  const entry = graph.nodes.find((n) => n.kind === 'request' && n.entry !== undefined);
  const client: Owner = entry?.kind === 'request' && entry.entry !== undefined ? (ownsAction(namespace, entry.entry) ? 'own' : 'foreign') : 'open';
  const byContainer = (id: string): Owner => containers.get(id) ?? 'foreign';

  const ownerOf = (n: UpgNode): Owner => {
    switch (n.kind) {
      case 'activation':
        return ownsAction(namespace, n.action) ? 'own' : 'foreign';
      case 'unit':
      case 'log':
        return byActivation(n.activationId);
      case 'startup':
        return byContainer(n.container);
      case 'process':
      case 'file':
        return byContainer(n.container);
      case 'container':
        return containers.get(n.id) ?? 'open';
      case 'action':
        return (n.namespace ?? namespaceOfAction(n.name)) === namespace ? 'own' : 'foreign';
      case 'message':
        // the invocation message is its sender's
        return byActivation(n.from);
      case 'client':
        return client;
      default:
        // request, invoker, socket, item: shared things, shown where an own edge reaches them
        return 'open';
    }
  };

  const owner = new Map(graph.nodes.map((n) => [n.id, ownerOf(n)] as const));
  const foreignEdge = (e: UpgEdge) => e.activationId !== undefined && !ownActivation(e.activationId);
  const foreignMessage = graph.nodes.some((n) => n.kind === 'message' && !ownsAction(namespace, n.action));
  // wholly the namespace's: handed on as stored
  if (![...owner.values()].includes('foreign') && !graph.edges.some(foreignEdge) && !foreignMessage) return graph;

  let cut = true;
  // an edge to a node this graph does not hold (its fragment has not arrived) is kept by its other end
  const keptEdges: UpgEdge[] = graph.edges.filter((e) => !foreignEdge(e) && owner.get(e.from) !== 'foreign' && owner.get(e.to) !== 'foreign');
  const touched = new Set(keptEdges.flatMap((e) => [e.from, e.to]));
  const nodes: UpgNode[] = [];
  for (const n of graph.nodes) {
    const o = owner.get(n.id)!;
    if (o === 'foreign') continue;
    if (o === 'open' && n.kind !== 'request' && !touched.has(n.id)) continue;
    nodes.push(redact(n));
  }
  const kept = new Set(nodes.map((n) => n.id));
  const present = (id: string) => kept.has(id) || !owner.has(id);
  const edges = keptEdges.filter((e) => present(e.from) && present(e.to) && (kept.has(e.from) || kept.has(e.to)));

  function redact(n: UpgNode): UpgNode {
    if (n.kind === 'message' && n.to !== undefined && !ownActivation(n.to) && (activations.has(n.to) || !ownsAction(namespace, n.action))) {
      // an invocation into another namespace: the caller keeps the call, not the callee's activation
      const { to: _hidden, ...rest } = n as MessageNode;
      cut = true;
      return rest;
    }
    if (n.kind === 'activation' && n.parent !== undefined && activations.has(n.parent) && !ownActivation(n.parent)) {
      const { parent: _hidden, ...rest } = n;
      cut = true;
      return rest;
    }
    if (n.kind === 'request' && n.entry !== undefined && !ownsAction(namespace, n.entry)) {
      const { entry: _hidden, ...rest } = n;
      return rest;
    }
    return n;
  }

  const warnings: GraphWarning[] = (graph.warnings ?? []).filter((w) => w.activationId === undefined || ownActivation(w.activationId));
  if (cut) warnings.push({ code: OTHER_NAMESPACE_WARNING, message: OTHER_NAMESPACE_MESSAGE });
  return { request: graph.request, nodes, edges, ...(warnings.length ? { warnings } : {}) };
}

/** A request summary as `namespace` may see it, or undefined when none of it ran there. */
export function summaryForNamespace(summary: RequestSummary, namespace: string, ownActivations?: number): RequestSummary | undefined {
  const actions = summary.actions.filter((a) => ownsAction(namespace, a));
  if (actions.length === 0) return undefined;
  if (actions.length === summary.actions.length) return summary;
  const { entry, ...rest } = summary;
  return {
    ...rest,
    ...(entry !== undefined && ownsAction(namespace, entry) ? { entry } : {}),
    actions,
    activations: ownActivations ?? actions.length,
  };
}

/** The summary crosses namespaces: its activation count must be taken from the trimmed graph. */
export function crossesNamespaces(summary: RequestSummary, namespace: string): boolean {
  return summary.actions.some((a) => !ownsAction(namespace, a));
}

/**
 * An incident as `namespace` may see it, or undefined when no party of it is its own. The parties
 * and steps of other namespaces are cut, and so is evidence that names them.
 */
export function incidentForNamespace(incident: Incident, namespace: string): Incident | undefined {
  const own = (p: { action?: string }) => ownsAction(namespace, p.action);
  const parties: IncidentParty[] = [incident.planter, ...incident.victims];
  if (!parties.some(own) && !incident.timeline.some(own)) return undefined;
  const foreign = [...parties, ...incident.timeline].filter((p) => !own(p));
  if (foreign.length === 0) return incident;
  const secrets = new Set(foreign.flatMap((p) => [p.activation, p.action ?? ''].filter((s) => s !== '')));
  const mentionsForeign = (s: string) => [...secrets].some((x) => s.includes(x));
  const ownRequests = new Set([...parties, ...incident.timeline].filter(own).map((p) => p.request));
  const timeline = incident.timeline.filter(own);
  return {
    ...incident,
    planter: own(incident.planter) ? incident.planter : { request: ownRequests.has(incident.planter.request) ? incident.planter.request : '', activation: '' },
    victims: incident.victims.filter(own),
    timeline,
    path: incident.path.filter((id) => !mentionsForeign(id)),
    requests: incident.requests.filter((r) => ownRequests.has(r)),
    evidence: [...incident.evidence.filter((e) => !mentionsForeign(e)), OTHER_NAMESPACE_MESSAGE],
  };
}
