// Where a Kubernetes node keeps each pod's container logs and cgroup, the kubelet's layout (pure):
// written by the kubelet and its runtime on a real node, and by the embedded platform for its process
// containers (which it lays out the same way); read by the node agent's Kubernetes source.
//
// - Logs: <log root>/<namespace>_<pod>_<pod uid>/<container>/<restart count>.log in the CRI format
//   (cri-log.ts); on rotation the kubelet renames <n>.log to <n>.log.<time> and starts a new <n>.log.
//   Namespace and pod names are DNS names and a uid is a UUID, so none holds `_`.
// - Cgroups: one per pod under the kubepods hierarchy, with one cgroup per container inside (the
//   pause/sandbox container's among them). cgroupfs driver: /kubepods[/<qos>]/pod<uid>/<container id>;
//   systemd driver: /kubepods.slice[/kubepods-<qos>.slice]/kubepods[-<qos>]-pod<uid, `-` as `_`>.slice/<runtime>-<id>.scope.
//   A Guaranteed pod has no QoS level.
// - OpenWhisk runs an action in a pod's container named `user-action`.
import * as path from 'node:path';

export interface PodLogDir {
  namespace: string;
  pod: string;
  uid: string;
}

/** The container OpenWhisk runs an action in, inside its pod. */
export const ACTION_CONTAINER = 'user-action';

export function podLogDirName(p: PodLogDir): string {
  return `${p.namespace}_${p.pod}_${p.uid}`;
}

/** `<namespace>_<pod>_<uid>` → its parts; undefined for any other name. */
export function parsePodLogDir(name: string): PodLogDir | undefined {
  const parts = name.split('_');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [namespace, pod, uid] = parts;
  return { namespace, pod, uid };
}

/** The log file of one run of a pod's container. */
export function containerLogPath(root: string, p: PodLogDir, container: string, restart: number): string {
  return path.join(root, podLogDirName(p), container, `${restart}.log`);
}

/** `<restart count>.log` → the count; undefined for rotated (`0.log.20261203-…`) or other files. */
export function restartOfLogFile(name: string): number | undefined {
  const m = /^(\d+)\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** A pod's cgroup directory name with the cgroupfs driver. */
export function podCgroupName(uid: string): string {
  return `pod${uid}`;
}

/** Whether a directory name in the kubepods hierarchy is the cgroup of the pod with this uid (either driver). */
export function isPodCgroupOf(dirName: string, uid: string): boolean {
  return dirName === podCgroupName(uid) || dirName.endsWith(`pod${uid.replace(/-/g, '_')}.slice`);
}
