// The platform's docker mode: connects to the engine (one clear line when it is not there),
// removes what an earlier run of this store left in it, keeps a watchdog that removes this run's
// containers however the platform ends, and starts containers: the Node runtime for nodejs kinds
// (the host's Node and this package's dist/ bound read-only into an empty image), the action's own
// image for blackbox actions.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_DIR_ENV } from '../../protocol/action-runtime';
import type { ContainerLauncher, ContainerRequest } from './action-container';
import { DockerContainer, type DockerContainerSpec } from './docker-container';
import { connectDocker, ensureBaseImage, freePort, HOST_SYSTEM_DIRS, imageExists, RUNTIME_BASE_IMAGE } from './docker-engine';
import { actionContainerName, containerNamePrefix, prewarmContainerName } from './docker-names';
import { removeRecordedContainers } from './docker-records';
import { packageRoot } from '../../package/root';
import { runtimeScript } from './runtime-script';

export interface DockerModeOptions {
  /** `unix:///…sock` or `tcp://host:port` (default $DOCKER_HOST, else /var/run/docker.sock) */
  host?: string;
  /** <store>/platform: the records of this store's containers live under it */
  platformDir: string;
  invoker: string;
  apihost(): string;
  containerEnv: Record<string, string>;
  maxLineBytes: number;
  tmpSizeMb: number;
  cgroupRoot?: string;
  log: (line: string) => void;
}

export interface DockerMode {
  host: string;
  /** what every container name of this platform starts with (OpenWhisk's `wsk{invoker}{n}_`) */
  namePrefix: string;
  launch: ContainerLauncher;
  /** the containers are all gone (stop() destroyed them): let the watchdog go */
  close(): void;
}

export async function openDockerMode(opts: DockerModeOptions): Promise<DockerMode> {
  const { docker, host } = await connectDocker(opts.host);
  const recordsDir = path.join(opts.platformDir, 'docker');
  const reaped = await removeRecordedContainers(docker, recordsDir);
  if (reaped > 0) opts.log(`platform: removed ${reaped} Docker container(s) an earlier run of this store left`);
  await ensureBaseImage(docker);
  const watchdog = startWatchdog(host, recordsDir);

  const root = fs.realpathSync(packageRoot());
  const script = runtimeScript();
  const systemBinds = HOST_SYSTEM_DIRS.filter((d) => fs.existsSync(d)).map((d) => `${d}:${d}:ro`);
  const runtimeBinds = [...systemBinds, ...['dist', 'node_modules'].map((d) => path.join(root, d)).map((d) => `${d}:${d}:ro`)];
  const prefix = containerNamePrefix(opts.invoker, 0);
  let counter = 0;

  const specFor = async (req: ContainerRequest, name: string): Promise<DockerContainerSpec> => {
    const common = {
      docker,
      name,
      action: req.action,
      actionKey: req.actionKey,
      concurrency: req.concurrency,
      tmpSizeMb: opts.tmpSizeMb,
      maxLineBytes: opts.maxLineBytes,
      startTimeoutMs: 20_000,
      invoker: opts.invoker,
      recordsDir,
      cgroupRoot: opts.cgroupRoot,
      onExit: req.onExit,
    };
    const owEnv = {
      __OW_API_HOST: opts.apihost(),
      // a prewarmed container does not know yet whether its action runs activations concurrently
      ...(req.prewarm || req.concurrency > 1 ? { __OW_ALLOW_CONCURRENT: 'true' } : {}),
    };
    if (req.image) {
      if (!(await imageExists(docker, req.image))) {
        throw new Error(`the image ${req.image} is not in the Docker engine at ${host}, and no registry is reachable: build or import it there first`);
      }
      return { ...common, image: req.image, env: { ...owEnv, ...opts.containerEnv }, binds: systemBinds };
    }
    return {
      ...common,
      image: RUNTIME_BASE_IMAGE,
      cmd: [process.execPath, script],
      workingDir: '/code',
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: '/tmp',
        NODE_PATH: path.join(root, 'node_modules'),
        [CODE_DIR_ENV]: '/code',
        ...owEnv,
        ...opts.containerEnv,
      },
      binds: runtimeBinds,
    };
  };

  const launch: ContainerLauncher = async (req) => {
    for (let attempt = 0; ; attempt++) {
      counter++;
      const name = req.prewarm ? prewarmContainerName(prefix, counter, req.kind) : actionContainerName(prefix, counter, req.namespace, req.name);
      const spec = await specFor(req, name);
      try {
        return await DockerContainer.start(spec, await freePort());
      } catch (err) {
        // the name is taken (another platform with this invoker name on the same engine): next number
        if ((err as { statusCode?: number }).statusCode === 409 && attempt < 100) continue;
        throw err;
      }
    }
  };

  return {
    host,
    namePrefix: prefix,
    launch,
    close() {
      watchdog.stdin?.end();
    },
  };
}

/** In a process group of its own, so that killing the platform's group leaves it to clean up. */
function startWatchdog(host: string, recordsDir: string): ChildProcess {
  const script = path.join(packageRoot(), 'dist', 'invokers', 'local', 'docker-watchdog.js');
  if (!fs.existsSync(script)) throw new Error(`the Docker watchdog is not built (${script} is missing): run \`npm run build\` first`);
  const child = spawn(process.execPath, [script, host, recordsDir], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.stdin?.on('error', () => undefined);
  return child;
}
