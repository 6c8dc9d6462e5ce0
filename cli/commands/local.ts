// `provenance local start`: the local DynamoDB, the provenance store, and the embedded
// OpenWhisk-compatible platform whose agent feeds the correlator, until SIGINT/SIGTERM.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { pidAlive } from '../../store/pid-alive';
import { createLocalSink } from '../../correlator/local-sink';
import { startPlatform, type Platform } from '../../invokers/local/index';
import { readPlatformInfo, removePlatformInfo, writeNamespaceProps, writePlatformInfo, writeWskProps } from '../../invokers/local/platform-info';
import { ensureOperatorKey, operatorKeyPath } from '../../store/operator-key';
import { checkNamespaces } from '../../invokers/local/tenants';
import { DEFAULT_TABLE, openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../../store/index';
import { resolveLocation } from '../../store/location';
import { CliError } from '../errors';
import { untilStopSignal } from '../stop-signal';
import type { Output } from '../output';

export interface LocalStartOptions {
  port?: string | number;
  store?: string;
  /** seconds */
  idleTimeout?: string | number;
  auth?: string;
  /** every namespace to serve, the default first (default: guest); each gets its own key */
  namespace?: string[];
  /** `process` (default) or `docker` */
  containers?: string;
  /** the Docker engine for --containers docker */
  dockerHost?: string;
  /** false (`--no-kernel`): record with the wrapper's own hooks even where kernel capture could run */
  kernel?: boolean;
}

export interface RunningLocal {
  storeDir: string;
  platform: Platform;
  dynamodb: string;
  stop(): Promise<void>;
}

function intOption(value: string | number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`bad ${name} ${JSON.stringify(value)}: give an integer from ${min} to ${max}`, 2);
  return n;
}

/** Starts everything and writes platform.json; the caller decides when to stop(). */
export async function runLocalStart(options: LocalStartOptions, out: Output, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningLocal> {
  const port = intOption(options.port, '--port', 0, 65535) ?? 0;
  const idleSeconds = intOption(options.idleTimeout, '--idle-timeout', 1, 7 * 24 * 3600);
  const containers = options.containers ?? 'process';
  if (containers !== 'process' && containers !== 'docker') throw new CliError(`bad --containers ${JSON.stringify(containers)}: give process or docker`, 2);
  if (options.dockerHost !== undefined && containers !== 'docker') throw new CliError('--docker-host needs --containers docker', 2);
  if (options.namespace?.length) {
    try {
      checkNamespaces(options.namespace);
    } catch (err) {
      throw new CliError(`--namespace: ${(err as Error).message}`, 2);
    }
  }
  const location = resolveLocation(options.store !== undefined ? { store: options.store } : {});
  const storeDir = location.dir!;
  const running = readPlatformInfo(storeDir);
  if (running && running.pid !== process.pid && pidAlive(running.pid)) {
    throw new CliError(`a platform is already running on ${storeDir} (pid ${running.pid}, ${running.apihost}): use it, stop it, or pass --store DIR`);
  }
  fs.mkdirSync(storeDir, { recursive: true });

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (err) {
        log(`provenance local: while stopping: ${(err as Error).message}`);
      }
    }
    cleanups.length = 0;
  };
  try {
    const dynamo: LocalDynamo = await startLocalDynamo(storeDir);
    cleanups.push(() => dynamo.stop());
    const store: ProvenanceStore = await openStore({ endpoint: dynamo.endpoint, table: DEFAULT_TABLE }, { create: true });
    cleanups.push(() => store.close());

    // The agent starts inside startPlatform, before `platform` is assigned: the sink asks for it per batch.
    let platform: Platform | undefined;
    const onBatch = createLocalSink({
      store,
      log: (line) => log(`provenance local: ${line}`),
      platform: () => platform && { apihost: platform.apihost, auth: platform.auth, namespace: platform.namespace },
      inside: () => [dynamo.endpoint],
    });
    platform = await startPlatform({
      storeDir,
      port,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.namespace?.length ? { namespaces: options.namespace } : {}),
      ...(idleSeconds !== undefined ? { idleTimeoutMs: idleSeconds * 1000 } : {}),
      ...(options.kernel === false ? { kernelCapture: false } : {}),
      containerEnv: {
        // actions reach the local DynamoDB like any DynamoDB, through the standard SDK settings
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      onBatch,
      drain: onBatch.drain,
      containers,
      ...(options.dockerHost !== undefined ? { dockerHost: options.dockerHost } : {}),
      log,
    });
    const started = platform;
    cleanups.push(() => started.stop());

    writePlatformInfo(storeDir, { pid: process.pid, apihost: platform.apihost, auth: platform.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: platform.namespace, namespaces: platform.tenants.map((t) => t.namespace) });
    cleanups.push(async () => removePlatformInfo(storeDir));
    const wskprops = writeWskProps(storeDir, platform.apihost, platform.auth, platform.namespace);
    // each namespace's own key, where the CLI (reading the store as that namespace) and tests find it
    const namespaceProps = writeNamespaceProps(storeDir, platform.apihost, platform.tenants);
    ensureOperatorKey(storeDir);
    const envFile = path.join(path.dirname(wskprops), 'env.sh');
    fs.writeFileSync(
      envFile,
      `export OW_APIHOST=${platform.apihost}\nexport OW_AUTH=${platform.auth}\nexport OW_NAMESPACE=${platform.namespace}\nexport WSK_CONFIG_FILE=${wskprops}\n`,
      { mode: 0o600 },
    );

    out.write(`OW_APIHOST=${platform.apihost}\n`);
    out.write(`OW_AUTH=${platform.auth}\n`);
    out.write(`OW_NAMESPACE=${platform.namespace}\n`);
    out.write(`WSK_CONFIG_FILE=${wskprops}\n`);
    if (platform.tenants.length > 1) {
      for (const [ns, file] of namespaceProps) out.write(`# namespace ${ns}: WSK_CONFIG_FILE=${file}\n`);
    }
    out.write(`# reading every namespace (operator): provenance … --operator $(cat ${operatorKeyPath(storeDir)})\n`);
    out.write(`# source ${envFile} to use it from a shell; DynamoDB at ${dynamo.endpoint}; Ctrl-C stops everything\n`);
    return { storeDir, platform, dynamodb: dynamo.endpoint, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export function register(program: Command): void {
  const local = program.command('local').description('the embedded OpenWhisk-compatible platform');
  local
    .command('start')
    .description('start the local DynamoDB, the provenance store and the platform (127.0.0.1 only) until Ctrl-C')
    .option('--port <n>', 'port of the OpenWhisk API (default: any free port)')
    .option('--store <dir>', 'store directory (default: $PROVENANCE_STORE, else ./.provenance)')
    .option('--no-kernel', 'no kernel capture: the wrapper records files, sockets and processes itself')
    .option('--idle-timeout <seconds>', 'retire a warm container after this long without activations (default 600)')
    .option('--auth <uuid:key>', 'credentials of the default namespace (default: generated)')
    .option('--namespace <ns>', 'a namespace to serve, with its own generated key (repeat for several; the first is the default; default guest)', (v: string, all: string[] = []) => [...all, v])
    .option('--containers <kind>', 'what runs actions: process (own cgroup and namespaces, no Docker needed) or docker (Docker containers like OpenWhisk\'s Docker invoker; also runs blackbox actions)', 'process')
    .option('--docker-host <url>', 'the Docker engine for --containers docker: unix:///path/docker.sock or tcp://host:port (default $DOCKER_HOST, else unix:///var/run/docker.sock)')
    .action(async (options: LocalStartOptions) => {
      const running = await runLocalStart(options, process.stdout);
      await untilStopSignal((signal) => process.stderr.write(`provenance local: ${signal}: stopping\n`));
      await running.stop();
    });
}
