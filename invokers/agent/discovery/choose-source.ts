// Which container source `provenance agent --source auto` uses on this node (pure: facts in,
// choice out). A pod of a Kubernetes cluster (the DaemonSet) reads the kubelet's pod logs and
// cgroups: there may be no Docker socket at all (containerd, CRI-O), and where there is one its
// containers are the pods' (named k8s_…), not OpenWhisk's Docker invoker's. Elsewhere the Docker
// engine is the source when its socket is there; a node with pod logs and no Docker socket is a
// Kubernetes node whose agent runs outside the cluster (a systemd unit).

export type SourceKind = 'docker' | 'kubernetes';

export interface NodeFacts {
  /** KUBERNETES_SERVICE_HOST is set: this process runs in a pod */
  inCluster: boolean;
  dockerSocketExists: boolean;
  podLogRootExists: boolean;
}

export function parseSourceKind(text: string): SourceKind | 'auto' {
  if (text === 'docker' || text === 'kubernetes' || text === 'auto') return text;
  throw new Error(`--source ${JSON.stringify(text)}: give kubernetes, docker or auto`);
}

export function chooseSource(asked: SourceKind | 'auto', facts: NodeFacts): { kind: SourceKind; why: string } {
  if (asked !== 'auto') return { kind: asked, why: `--source ${asked}` };
  if (facts.inCluster) return { kind: 'kubernetes', why: 'running in a Kubernetes pod' };
  if (facts.dockerSocketExists) return { kind: 'docker', why: 'the Docker socket is there' };
  if (facts.podLogRootExists) return { kind: 'kubernetes', why: 'pod logs and no Docker socket' };
  return { kind: 'docker', why: 'neither a Docker socket nor pod logs found; waiting for the Docker engine' };
}
