// The API server, as a pod with a service account reaches it (side effects): the pods scheduled on
// this node, to confirm which are OpenWhisk action pods by their label. Only read access to pods is
// needed (deploy/kubernetes/agent-daemonset.yaml grants `list` on pods, nothing else).
import * as fs from 'node:fs';
import * as https from 'node:https';
import { parsePodList, type ListedPod } from './pod-layout';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeApi {
  /** e.g. https://10.96.0.1:443, for messages */
  readonly server: string;
  podsOnNode(node: string): Promise<ListedPod[]>;
}

/**
 * The in-cluster API server, when this process runs in a pod with a mounted service-account token
 * (KUBERNETES_SERVICE_HOST set and the token readable); undefined otherwise.
 */
export function inClusterApi(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT): KubeApi | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host) return undefined;
  let token: string;
  let ca: Buffer | undefined;
  try {
    token = fs.readFileSync(`${dir}/token`, 'utf8').trim();
  } catch {
    return undefined;
  }
  try {
    ca = fs.readFileSync(`${dir}/ca.crt`);
  } catch {
    ca = undefined;
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    server,
    podsOnNode: (node) =>
      new Promise<ListedPod[]>((resolve, reject) => {
        const url = `${server}/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`;
        // the token is re-read on every call: the kubelet rotates projected tokens
        let bearer = token;
        try {
          bearer = fs.readFileSync(`${dir}/token`, 'utf8').trim();
        } catch {
          // keep the one read at start
        }
        const req = https.get(url, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' }, ca, timeout: 10_000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => {
            if (res.statusCode !== 200) {
              const hint = res.statusCode === 403 ? ' (the service account may not list pods: apply the ClusterRole in deploy/kubernetes/agent-daemonset.yaml)' : '';
              reject(new Error(`GET /api/v1/pods answered ${res.statusCode}${hint}`));
              return;
            }
            try {
              resolve(parsePodList(body));
            } catch (err) {
              reject(err as Error);
            }
          });
        });
        req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
        req.on('error', reject);
      }),
  };
}
