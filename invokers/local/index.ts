// The embedded single-machine OpenWhisk-compatible platform.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import type { Batch, ContainerInfo } from '../../protocol/batch';
import type { KernelCaptureStatus, KernelTapStats } from '../agent/kernel-tap';
import { DEFAULT_MAX_LINE_BYTES } from '../agent/line-limit';
import type { ActionDoc } from './action-doc';
import { ActivationStore } from './activation-store';
import { Api, type PackageDoc } from './api';
import { openWorkflowStores, scopeWorkflowStores } from './workflow-stores';
import { checkNamespaces, Tenants } from './tenants';
import { generateAuth, validateAuth } from './auth';
import { createKubepodsParent, removeKubepodsParent, removeStaleCgroups } from './cgroup';
import { EntityStore } from './entity-store';
import { listen } from './http-server';
import { reapProcessContainers } from './reap';
import { openDockerMode, type DockerMode } from './docker-launcher';
import { startNodeAgent, type NodeAgent, type NodeAgentOptions } from '../agent/daemon/node-agent';
import { nodeAgentWorkerBuilt, nodeAgentWorkerPath, startNodeAgentThread, type WorkerAgentSpec } from '../agent/daemon/node-agent-thread';
import { DockerSource } from '../agent/discovery/docker-source';
import { KubernetesSource } from '../agent/discovery/kubernetes-source';
import { cgroup2Mount } from '../agent/discovery/cgroup-fs';
import type { PodLayout } from './container';
import { DEFAULT_ACTION_RULE } from '../agent/discovery/action-rule';
import { processLauncher } from './process-launcher';
import { Invoker } from './invoker';
import { describeIsolation, detectIsolation, findCgroup2Root, type Isolation } from './isolation';

export type { Isolation } from './isolation';
export type { ActivationRecord } from './activation-record';
export { writePlatformInfo, readPlatformInfo, removePlatformInfo, writeWskProps, writeNamespaceProps, readNamespaceProps } from './platform-info';

export interface PlatformOptions {
  /** the provenance store directory; the platform keeps its state under <storeDir>/platform/ */
  storeDir: string;
  /** port on 127.0.0.1 (default 0: any free port) */
  port?: number;
  /** `uuid:key` basic-auth credentials (default: generated) */
  auth?: string;
  /** retire a container after this long without activations (default 10 min) */
  idleTimeoutMs?: number;
  /** extra environment for every container (e.g. AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, credentials) */
  containerEnv?: Record<string, string>;
  /** where the agent ships container output; without it nothing is shipped */
  onBatch?: (batch: Batch) => Promise<void>;
  /** awaited by flush() after the agent delivered everything: work the sink does later (e.g. coalesced detection) */
  drain?: () => Promise<void>;
  log?: (line: string) => void;
  /** the default namespace, what `_` in a public URL stands for (default `guest`, like OpenWhisk standalone) */
  namespace?: string;
  /**
   * every namespace served, the default first (default: `[namespace]`); each has its own key, and
   * its own actions, packages, triggers, rules and activations
   */
  namespaces?: string[];
  /** keys of namespaces other than the default (whose key is `auth`); the rest are generated */
  namespaceAuth?: Record<string, string>;
  /** invoker name in batches and container info (default `local-<hostname>`) */
  invoker?: string;
  /** most containers alive at once (default 32) */
  maxContainers?: number;
  /** a blocking invoke answers 202 with the activation id after this long (default 60 s) */
  blockingWaitMs?: number;
  /** activations kept in memory (default 10000) */
  activationsKept?: number;
  /** size of each container's private /tmp (default 64 MB) */
  tmpSizeMb?: number;
  /** agent batching: cut after this many lines / this long (defaults 500 lines, 1000 ms) */
  batchLines?: number;
  batchDelayMs?: number;
  /**
   * Kernel capture (eBPF probe on each container's cgroup): default on when this machine allows it
   * (root, BTF, built addon, cgroup v2), `false` forces it off, `true` makes its absence an error.
   */
  kernelCapture?: boolean;
  /** where kernel records are decoded, attributed and reduced: the agent's thread (default) or a worker thread of its own (needs `npm run build`) */
  kernelPipeline?: 'worker' | 'thread';
  /**
   * Where the node agent runs: on a worker thread of its own at a lower priority (`worker`, the
   * default once `npm run build` made it), as a node's agent daemon runs beside the invoker; or on
   * the platform's event loop (`loop`), which it then shares with the REST API and the containers'
   * `/run` (its kernel decoding alone took about 0.6 ms of that loop per request).
   */
  agentThread?: 'worker' | 'loop';
  /** the agent thread's nice value, 0-19 (default 10) */
  agentNice?: number;
  /**
   * What runs actions: processes of ours in their own cgroup and namespaces (`process`, the
   * default, no Docker needed), or Docker containers made like OpenWhisk's Docker invoker makes
   * them (`docker`; also runs `blackbox` actions from images in the local engine)
   */
  containers?: 'process' | 'docker';
  /** the Docker engine in docker mode: `unix:///…sock` or `tcp://host:port` (default $DOCKER_HOST, else /var/run/docker.sock) */
  dockerHost?: string;
  /** prewarmed nodejs:20 containers kept ready (default 1 in docker mode, 0 for process containers) */
  prewarm?: number;
}

export interface Platform {
  /** `http://127.0.0.1:<port>`: OW_APIHOST */
  apihost: string;
  /** `uuid:key`: OW_AUTH of the default namespace */
  auth: string;
  /** the default namespace */
  namespace: string;
  /** every namespace served with its key, the default first */
  tenants: Array<{ namespace: string; auth: string }>;
  invoker: string;
  isolation: Isolation;
  /** what runs actions, and in docker mode on which engine */
  containerMode: { kind: 'process' } | { kind: 'docker'; host: string };
  /** whether kernel capture runs, and if not why and which step turns it on */
  kernelCapture: KernelCaptureStatus;
  /** counters of the kernel side (undefined when capture is off) */
  kernelStats(): KernelTapStats | undefined;
  /**
   * Unload the kernel probe until resumeKernelCapture(), so that no syscall on the node pays for
   * it; containers stay followed, but what they do meanwhile is not captured. No-op when capture is off.
   */
  suspendKernelCapture(): Promise<void>;
  /** Load the probe again for the running containers; rejects when it does not load. */
  resumeKernelCapture(): Promise<void>;
  /** containers alive now */
  containers(): ContainerInfo[];
  /** wait for running activations, then for the agent to deliver (or spool) everything so far */
  flush(): Promise<void>;
  /** kill every container, remove their cgroups, close the server, flush the agent */
  stop(): Promise<void>;
}

/** the kind prewarmed containers are started for, and the kinds that can take one over (the host's Node is 20) */
const PREWARM_KIND = 'nodejs:20';
const PREWARM_TAKEN_BY = ['nodejs:20', 'nodejs:default', 'nodejs'];

/** where cgroup v2 is mounted, to find a Docker container's cgroup id (kernel capture) */
function cgroup2Root(): string | undefined {
  try {
    return findCgroup2Root(fs.readFileSync('/proc/mounts', 'utf8'));
  } catch {
    return undefined;
  }
}

const defaultLog = (line: string) => process.stderr.write(`${line}\n`);

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  if (!options.storeDir) throw new Error('startPlatform needs a storeDir (where the platform keeps its actions)');
  const log = options.log ?? defaultLog;
  const auth = options.auth ? validateAuth(options.auth) : generateAuth();
  const namespaces = checkNamespaces(options.namespaces ?? [options.namespace ?? 'guest']);
  if (options.namespace !== undefined && options.namespace !== namespaces[0]) {
    throw new Error(`the default namespace ${options.namespace} must come first in namespaces (got ${namespaces.join(', ')})`);
  }
  const namespace = namespaces[0]!;
  const keys = namespaces.map((ns, i) => ({ namespace: ns, auth: i === 0 ? auth : validateAuth(options.namespaceAuth?.[ns] ?? generateAuth()) }));
  const invokerName = options.invoker ?? `local-${os.hostname()}`;
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the platform port must be 0-65535 (got ${port})`);

  const platformDir = path.resolve(options.storeDir, 'platform');
  const containersDir = path.join(platformDir, 'containers');
  // leftovers of an earlier platform on this store that died without stop(): kill, then remove
  const reaped = await reapProcessContainers(containersDir);
  if (reaped.containers > 0) log(`platform: reaped ${reaped.containers} container(s) an earlier run of this store left (${reaped.processes} process(es) still running)`);
  fs.rmSync(containersDir, { recursive: true, force: true });
  fs.mkdirSync(containersDir, { recursive: true });
  const actions = EntityStore.open<ActionDoc>(path.join(platformDir, 'actions'), 'action');
  const packages = EntityStore.open<PackageDoc>(path.join(platformDir, 'packages'), 'package');

  const isolation = detectIsolation(platformDir);
  if (isolation.cgroupBase) removeStaleCgroups(isolation.cgroupBase);
  log(`platform: ${describeIsolation(isolation)}`);

  // Provenance comes from the node agent's own discovery in both modes, the way it does on a real
  // OpenWhisk node: in docker mode from the engine (startDockerCapture); with process containers from
  // the pod layout the platform writes for them, as the kubelet does (startPodCapture). The platform
  // tells no agent about its containers.
  const dockerMode = options.containers === 'docker';
  const containerEnv: Record<string, string> = { ...(options.containerEnv ?? {}) };
  let kernelStatus: KernelCaptureStatus = { on: false, reason: 'nothing is shipped (no onBatch)', step: 'start the platform with a sink' };

  // the apihost is known only once the server listens; containers read it when they start
  const apihostRef = { value: '' };
  const common = {
    invoker: invokerName,
    apihost: () => apihostRef.value,
    containerEnv,
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    tmpSizeMb: options.tmpSizeMb ?? 64,
  };
  let nodeAgent: NodeAgent | undefined;
  let pods: PodLayout | undefined;
  if (!dockerMode && options.onBatch) {
    const logRoot = path.resolve(options.storeDir, 'pods');
    fs.rmSync(logRoot, { recursive: true, force: true });
    fs.mkdirSync(logRoot, { recursive: true });
    pods = { logRoot, namespace, cgroupParent: isolation.cgroupBase ? createKubepodsParent(isolation.cgroupBase) : undefined };
    nodeAgent = await startPodCapture(pods, isolation, options, invokerName, log);
    kernelStatus = nodeAgent.mode.kernel;
    log(`platform: ${describeKernelCapture(kernelStatus)}`);
    if (options.kernelCapture === true && !kernelStatus.on) {
      await nodeAgent.stop();
      throw new Error(`kernel capture was required but is off: ${kernelStatus.reason}; to turn it on: ${kernelStatus.step}`);
    }
    // before the first container starts: the wrapper leaves files, sockets and processes to the kernel
    if (kernelStatus.on) containerEnv.PROVENANCE_KERNEL_CAPTURE = '1';
  }
  let docker: DockerMode | undefined;
  if (dockerMode) {
    try {
      docker = await openDockerMode({
        invoker: invokerName,
        apihost: common.apihost,
        containerEnv,
        maxLineBytes: common.maxLineBytes,
        tmpSizeMb: common.tmpSizeMb,
        host: options.dockerHost,
        platformDir,
        cgroupRoot: cgroup2Root(),
        log,
      });
      log(`platform: actions run in Docker containers (engine ${docker.host}, json-file logs, host network)`);
      if (options.onBatch) {
        nodeAgent = await startDockerCapture(docker, options, invokerName, log);
        kernelStatus = nodeAgent.mode.kernel;
      }
      log(`platform: ${describeKernelCapture(kernelStatus)}`);
      if (options.kernelCapture === true && !kernelStatus.on) {
        throw new Error(`kernel capture was required but is off: ${kernelStatus.reason}; to turn it on: ${kernelStatus.step}`);
      }
      // before the first container starts: the wrapper leaves files, sockets and processes to the kernel
      if (kernelStatus.on) containerEnv.PROVENANCE_KERNEL_CAPTURE = '1';
    } catch (err) {
      await nodeAgent?.stop();
      docker?.close();
      throw err;
    }
  }
  const launch = docker?.launch ?? processLauncher({ ...common, containersDir, isolation, pod: pods });
  const prewarmCount = options.prewarm ?? (docker ? 1 : 0);
  const invoker = new Invoker({
    launch,
    acceptsImages: docker !== undefined,
    prewarm: prewarmCount > 0 ? { kind: PREWARM_KIND, takenBy: PREWARM_TAKEN_BY, count: prewarmCount } : undefined,
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    maxContainers: options.maxContainers ?? 32,
    logGraceMs: 2_000,
    // the node agent cuts a batch when it reads an activation's sentinels, as on a real node
    onActivationEnd: () => undefined,
    log,
  });
  const workflows = openWorkflowStores(platformDir);
  const tenants = new Tenants(keys.map((k) => ({
    ...k,
    api: new Api({
      namespace: k.namespace,
      subject: k.namespace,
      actions: actions.scoped(k.namespace),
      packages: packages.scoped(k.namespace),
      activations: new ActivationStore(options.activationsKept ?? 10_000),
      invoker,
      workflows: scopeWorkflowStores(workflows, k.namespace),
      auth: k.auth,
      blockingWaitMs: options.blockingWaitMs ?? 60_000,
      log,
    }),
  })));
  // what stop() and flush() do to "the API" they do to every namespace's
  const apis = tenants.all().map((t) => t.api);
  const api = { settle: () => Promise.all(apis.map((a) => a.settle())).then(() => undefined), close: () => apis.forEach((a) => a.close()) };

  let server: Server;
  let boundPort: number;
  try {
    ({ server, port: boundPort } = await listen(tenants, port, log));
  } catch (err) {
    await invoker.stop();
    docker?.close();
    await nodeAgent?.stop();
    if (pods?.cgroupParent) removeKubepodsParent(pods.cgroupParent);
    throw err;
  }
  apihostRef.value = `http://127.0.0.1:${boundPort}`;
  invoker.refillPrewarm();

  // last resort: if this process exits without stop(), take the containers with it
  const onExit = () => invoker.killAllNow();
  process.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  return {
    apihost: apihostRef.value,
    auth,
    namespace,
    tenants: keys,
    invoker: invokerName,
    isolation,
    containerMode: docker ? { kind: 'docker', host: docker.host } : { kind: 'process' },
    kernelCapture: kernelStatus,
    kernelStats: () => nodeAgent?.kernelStats(),
    suspendKernelCapture: async () => nodeAgent?.suspendKernel(),
    resumeKernelCapture: async () => nodeAgent?.resumeKernel(),
    containers: () => invoker.list(),
    async flush() {
      await api.settle();
      await nodeAgent?.flush();
      await options.drain?.();
    },
    stop() {
      stopping ??= (async () => {
        api.close(); // alarms fire no more
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await invoker.stop();
        docker?.close();
        // after the containers are gone: the node agent reads their logs to the end
        await nodeAgent?.stop();
        await api.settle();
        await closed;
        if (pods?.cgroupParent) removeKubepodsParent(pods.cgroupParent);
        process.off('exit', onExit);
      })();
      return stopping;
    },
  };
}

/**
 * The node agent on the platform's Docker engine, as `provenance agent` runs on an OpenWhisk node:
 * it finds the platform's containers by the engine's events and OpenWhisk's name prefix, reads
 * their json-file logs, and captures them in the kernel from their first syscall.
 */
async function startDockerCapture(docker: DockerMode, options: PlatformOptions, invoker: string, log: (line: string) => void): Promise<NodeAgent> {
  return runNodeAgent(
    { kind: 'docker', options: { host: docker.host, rule: { ...DEFAULT_ACTION_RULE, pattern: new RegExp(`^${docker.namePrefix}`) } } },
    {
      stateDir: path.resolve(options.storeDir, 'agent'),
      invoker,
      kernel: options.kernelCapture === false ? 'off' : 'auto',
      ...(options.kernelPipeline ? { kernelPipeline: options.kernelPipeline } : {}),
      agent: agentBatching(options),
    },
    options,
    log,
  );
}

function agentBatching(options: PlatformOptions): NodeAgentOptions['agent'] {
  return {
    ...(options.batchLines !== undefined ? { maxLines: options.batchLines } : {}),
    ...(options.batchDelayMs !== undefined ? { maxDelayMs: options.batchDelayMs } : {}),
  };
}

/**
 * Starts the node agent where options.agentThread says: by default on a worker thread of its own
 * (from dist/), else on this event loop; a missing build is said once, and the loop takes it.
 */
async function runNodeAgent(
  source: WorkerAgentSpec['source'],
  rest: Omit<WorkerAgentSpec, 'source' | 'nice'>,
  options: PlatformOptions,
  log: (line: string) => void,
): Promise<NodeAgent> {
  const where = options.agentThread ?? 'worker';
  if (where === 'worker' && nodeAgentWorkerBuilt()) {
    const nice = options.agentNice ?? 10;
    if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new Error(`agentNice must be an integer 0-19 (got ${nice})`);
    const agent = await startNodeAgentThread({ ...rest, source, nice }, options.onBatch!, log);
    log(`platform: the node agent runs on a thread of its own at nice ${nice}, not on the event loop that serves the API and the containers`);
    return agent;
  }
  if (where === 'worker') log(`platform: the node agent runs on the platform's event loop, since its worker ${nodeAgentWorkerPath()} is not built (run \`npm run build\`)`);
  const made = source.kind === 'docker' ? new DockerSource(source.options) : new KubernetesSource(source.options);
  return startNodeAgent({ ...rest, source: made, sink: options.onBatch!, log });
}

/**
 * The node agent on the platform's process containers, as `provenance agent --source kubernetes`
 * runs on a Kubernetes node: it finds them by the pod logs and pod cgroups the platform lays out
 * for them, reads their CRI logs, and captures them in the kernel from their first syscall (the
 * platform's kubepods parent is captured whole).
 */
async function startPodCapture(pods: PodLayout, isolation: Isolation, options: PlatformOptions, invoker: string, log: (line: string) => void): Promise<NodeAgent> {
  const mount = cgroup2Mount();
  const cgroupParent = pods.cgroupParent && mount ? `/${path.relative(mount, pods.cgroupParent)}` : undefined;
  const noCgroups = !isolation.cgroupBase || !cgroupParent;
  const source: WorkerAgentSpec['source'] = {
    kind: 'kubernetes',
    options: {
      logRoot: pods.logRoot,
      ...(cgroupParent ? { cgroupParent } : {}),
      // every pod under this log root is one of the platform's containers
      podName: 'all',
      pollMs: 100,
      // a container's cgroup exists before its process: wait for the process, not longer than it takes to start
      cgroupWaitMs: noCgroups ? 0 : 20_000,
    },
  };
  return runNodeAgent(source, {
    stateDir: path.resolve(options.storeDir, 'agent'),
    invoker,
    kernel: options.kernelCapture === false || noCgroups ? 'off' : 'auto',
    kernelOff:
      options.kernelCapture === false
        ? { reason: 'turned off by the kernelCapture option', step: 'start without kernelCapture: false' }
        : noCgroups
          ? { reason: 'containers get no cgroup of their own here (the probe filters by cgroup)', step: 'run as root on a machine with cgroup v2 mounted' }
          : undefined,
    ...(options.kernelPipeline ? { kernelPipeline: options.kernelPipeline } : {}),
    logPollMs: 100,
    agent: agentBatching(options),
  }, options, log);
}

export function describeKernelCapture(status: KernelCaptureStatus): string {
  return status.on
    ? `kernel capture on (${status.backend === 'bpf' ? 'eBPF probe' : 'kernel module'}, filtered in the kernel by container cgroup; the wrapper's own fs/net/process hooks are off)`
    : `kernel capture off: ${status.reason}; to turn it on: ${status.step}`;
}
