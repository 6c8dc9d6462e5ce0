// `provenance agent`: the daemon of one OpenWhisk invoker node, in the foreground until SIGTERM or
// SIGINT (then it finishes what it read, delivers or spools it, and exits 0). It finds the action
// containers through the Docker engine's socket, or on Kubernetes through the kubelet's pod logs and
// kubepods cgroups (--source), captures them in the kernel when it can (else reads their logs only,
// and says so), and ships batches to the correlator: in this process
// (--store DIR, or --endpoint URL --table NAME) or the deployed correlator action (--apihost,
// --auth, --correlator-action).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_ACTION_RULE, parsePattern } from '../../invokers/agent/discovery/action-rule';
import { DockerSource, socketPathOf } from '../../invokers/agent/discovery/docker-source';
import { KubernetesSource } from '../../invokers/agent/discovery/kubernetes-source';
import { inClusterApi } from '../../invokers/agent/discovery/kube-api';
import { chooseSource, parseSourceKind, type SourceKind } from '../../invokers/agent/discovery/choose-source';
import type { ContainerSource } from '../../invokers/agent/discovery/source';
import { startNodeAgent, type NodeAgent } from '../../invokers/agent/daemon/node-agent';
import { actionSink, storeSink, type ClosableSink } from '../../invokers/agent/daemon/sinks';
import { startMetricsServer, type MetricsServer } from '../../invokers/agent/metrics-server';
import { resolveLocation } from '../../store/location';
import { CliError } from '../errors';
import { untilStopSignal } from '../stop-signal';

export interface AgentCommandOptions {
  /** kubernetes | docker | auto */
  source?: string;
  dockerHost: string;
  /** the kubelet's pod log root (kubernetes source) */
  podLogs?: string;
  /** this node's name in the API server (kubernetes source; default $NODE_NAME, else the host name) */
  node?: string;
  store?: string;
  endpoint?: string;
  table?: string;
  region?: string;
  apihost?: string;
  auth?: string;
  correlatorAction?: string;
  stateDir?: string;
  invoker?: string;
  containers: string;
  cgroupParent?: string;
  kernel: boolean;
  metrics?: string;
  batchMs?: string;
  batchKb?: string;
}

export interface RunningAgent {
  agent: NodeAgent;
  metrics?: MetricsServer;
  stop(): Promise<void>;
}

const DEFAULT_STATE_DIR = '/var/lib/serverless-provenance/agent';

function sinkFrom(o: AgentCommandOptions, log: (line: string) => void): { sink: ClosableSink; stateDir: string } {
  const toAction = o.apihost !== undefined || o.auth !== undefined || o.correlatorAction !== undefined;
  if (toAction) {
    if (!o.apihost || !o.auth || !o.correlatorAction) throw new CliError('to ship to the correlator action give all of --apihost URL --auth uuid:key --correlator-action NAME', 2);
    if (o.store !== undefined || o.endpoint !== undefined) throw new CliError('give either the correlator action (--apihost …) or a store (--store DIR / --endpoint URL), not both', 2);
    if (!/^[^:]+:[^:]+$/.test(o.auth)) throw new CliError('--auth must be uuid:key (the OpenWhisk credentials, as in ~/.wskprops AUTH)', 2);
    return { sink: actionSink({ apihost: o.apihost, auth: o.auth, action: o.correlatorAction, log }), stateDir: o.stateDir ?? DEFAULT_STATE_DIR };
  }
  if (o.store === undefined && o.endpoint === undefined) {
    throw new CliError('say where batches go: --store DIR, --endpoint URL --table NAME, or --apihost URL --auth uuid:key --correlator-action NAME', 2);
  }
  const location = resolveLocation({ store: o.store, endpoint: o.endpoint, table: o.table, region: o.region });
  const stateDir = o.stateDir ?? (location.dir ? path.join(location.dir, 'agent') : DEFAULT_STATE_DIR);
  return { sink: storeSink(location, log), stateDir };
}

export async function runAgent(o: AgentCommandOptions, log: (line: string) => void): Promise<RunningAgent> {
  let pattern: RegExp | 'all';
  let asked: SourceKind | 'auto';
  try {
    pattern = parsePattern(o.containers);
    socketPathOf(o.dockerHost);
    asked = parseSourceKind(o.source ?? 'auto');
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const podLogs = o.podLogs ?? '/var/log/pods';
  const chosen = chooseSource(asked, {
    inCluster: process.env.KUBERNETES_SERVICE_HOST !== undefined,
    dockerSocketExists: fs.existsSync(socketPathOf(o.dockerHost)),
    podLogRootExists: fs.existsSync(podLogs),
  });
  const batchMs = o.batchMs === undefined ? undefined : Number(o.batchMs);
  if (batchMs !== undefined && !(Number.isInteger(batchMs) && batchMs >= 10 && batchMs <= 60_000)) throw new CliError(`bad --batch-ms ${o.batchMs}: give an integer from 10 to 60000`, 2);
  const batchKb = o.batchKb === undefined ? undefined : Number(o.batchKb);
  if (batchKb !== undefined && !(Number.isInteger(batchKb) && batchKb >= 16 && batchKb <= 65_536)) throw new CliError(`bad --batch-kb ${o.batchKb}: give an integer from 16 to 65536`, 2);
  const { sink, stateDir } = sinkFrom(o, log);
  let source: ContainerSource;
  if (chosen.kind === 'kubernetes') {
    const api = inClusterApi();
    source = new KubernetesSource({ logRoot: podLogs, cgroupParent: o.cgroupParent, podName: pattern, api, node: o.node });
  } else {
    source = new DockerSource({ host: o.dockerHost, rule: { ...DEFAULT_ACTION_RULE, pattern }, cgroupParent: o.cgroupParent });
  }
  log(`agent: invoker ${o.invoker ?? os.hostname()}: following containers matching ${o.containers} on ${source.description} (${chosen.why}); batches to ${sink.description}; state in ${stateDir}`);
  const agent = await startNodeAgent({
    source,
    sink,
    stateDir,
    invoker: o.invoker,
    kernel: o.kernel ? 'auto' : 'off',
    log,
    ...(batchMs !== undefined || batchKb !== undefined
      ? { agent: { ...(batchMs !== undefined ? { maxDelayMs: batchMs } : {}), ...(batchKb !== undefined ? { maxBatchBytes: batchKb * 1024 } : {}) } }
      : {}),
  });
  let metrics: MetricsServer | undefined;
  if (o.metrics) {
    try {
      metrics = await startMetricsServer(o.metrics, {
        stats: () => ({ ...agent.stats(), ...(sink.ingested ? { ingested: sink.ingested() } : {}) }),
        healthy: () => agent.healthy(),
      });
    } catch (err) {
      await agent.stop();
      await sink.close();
      throw new CliError(`cannot serve metrics on ${o.metrics}: ${(err as Error).message}`, 2);
    }
    log(`agent: metrics at ${metrics.url}/metrics, health at ${metrics.url}/healthz`);
  }
  return {
    agent,
    metrics,
    stop: async () => {
      await metrics?.close();
      await agent.stop();
      await sink.close();
    },
  };
}

export function register(program: Command): void {
  program
    .command('agent')
    .description('the provenance agent of one OpenWhisk invoker node: finds action containers, captures them, ships batches (foreground; SIGTERM stops it)')
    .option('--source <kind>', 'where containers are found: kubernetes (pod logs + kubepods cgroups), docker (the engine socket), or auto', 'auto')
    .option('--docker-host <url>', 'the Docker engine socket', 'unix:///var/run/docker.sock')
    .option('--pod-logs <dir>', 'the kubelet\'s pod log directory (kubernetes source)', '/var/log/pods')
    .option('--node <name>', 'this node\'s name in the API server, to confirm action pods by label (kubernetes source; default $NODE_NAME, else the host name)')
    .option('--store <dir>', 'ship to the correlator in this process, writing to this local store directory')
    .option('--endpoint <url>', 'ship to the correlator in this process, writing to this DynamoDB')
    .option('--table <name>', 'DynamoDB table (with --endpoint)')
    .option('--region <region>', 'DynamoDB region (with --endpoint)')
    .option('--apihost <url>', 'ship to the deployed correlator action through this OpenWhisk API')
    .option('--auth <uuid:key>', 'OpenWhisk credentials (with --apihost)')
    .option('--correlator-action <name>', 'the correlator action (with --apihost)')
    .option('--state-dir <dir>', `spool and log positions (default: <store>/agent, else ${DEFAULT_STATE_DIR})`)
    .option('--invoker <name>', 'invoker name in batches (default: the host name)')
    .option('--containers <regex>', "which containers (docker) or pods (kubernetes, when no API server confirms their label) are action containers, by name ('all' for every one)", '^wsk')
    .option('--cgroup-parent <path>', 'cgroup v2 parent of the containers (default docker: /docker, /system.slice with the systemd driver; kubernetes: /kubepods.slice or /kubepods)')
    .option('--no-kernel', 'do not capture in the kernel: read the container logs only')
    .option('--metrics <host:port>', 'serve /metrics (Prometheus) and /healthz here, e.g. 127.0.0.1:9464')
    .option('--batch-ms <ms>', 'cut a batch at most this long after its first line (default 1000)')
    .option('--batch-kb <KiB>', 'cut a batch before its JSON passes this many KiB (default 512; the correlator action takes at most 1024)')
    .action(async (options: AgentCommandOptions) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const running = await runAgent(options, log);
      await untilStopSignal((signal) => log(`agent: ${signal}: finishing what was read, then stopping`));
      await running.stop();
      log('agent: stopped');
    });
}
