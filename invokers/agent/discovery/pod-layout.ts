// Which pods on a Kubernetes node are OpenWhisk action pods, and how the agent names their
// containers (pure). Where their logs and cgroups are is the kubelet's layout, protocol/pod-logs.ts.
// OpenWhisk's KubernetesContainerFactory names action pods as its Docker invoker names containers,
// lower-cased and with `-` for `_` (`wsk<invoker>-<n>-<namespace>-<action>`), and labels them
// user-action-pod=true and invoker=invoker<N>.

/** The label OpenWhisk puts on every action pod. */
export const ACTION_POD_LABEL = 'user-action-pod';
/** Action pods' names, when the API server cannot be asked for their label. */
export const ACTION_POD_NAME = /^wsk/;

/** The cgroup parents the kubelet uses, by driver (systemd, cgroupfs), tried in this order. */
export const KUBEPODS_PARENTS = ['/kubepods.slice', '/kubepods'] as const;

/** A pod's restart-numbered log as the container's key in batches: the pod name, `.n` after a restart. */
export function podContainerKey(pod: string, restart: number): string {
  return restart === 0 ? pod : `${pod}.${restart}`;
}

export interface ListedPod {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

/**
 * The pods of an API server's pod list (`GET /api/v1/pods?fieldSelector=spec.nodeName=<node>`);
 * throws with one line when the answer is not a pod list.
 */
export function parsePodList(text: string): ListedPod[] {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new Error('the API server did not answer with JSON');
  }
  const items = (o as { kind?: string; items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error(`the API server answered a ${(o as { kind?: string }).kind ?? 'non-list'}, not a PodList`);
  const out: ListedPod[] = [];
  for (const it of items) {
    const m = (it as { metadata?: { uid?: unknown; name?: unknown; namespace?: unknown; labels?: unknown } }).metadata;
    if (!m || typeof m.uid !== 'string' || typeof m.name !== 'string') continue;
    out.push({ uid: m.uid, name: m.name, namespace: typeof m.namespace === 'string' ? m.namespace : 'default', labels: (m.labels ?? {}) as Record<string, string> });
  }
  return out;
}

/** Whether a listed pod is an OpenWhisk action pod. */
export function isActionPod(p: Pick<ListedPod, 'labels'>): boolean {
  return p.labels[ACTION_POD_LABEL] === 'true';
}
