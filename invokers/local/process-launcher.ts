// Starts the platform's default containers: processes of ours running the Node action runtime in
// their own cgroup and namespaces (container.ts), laid out as pods for the node agent when one runs.
// Docker images (blackbox actions) need Docker.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { ContainerLauncher } from './action-container';
import { Container, type PodLayout } from './container';
import type { Isolation } from './isolation';

export interface ProcessLauncherOptions {
  invoker: string;
  containersDir: string;
  isolation: Isolation;
  /** read when a container starts: the server listens only after the invoker exists */
  apihost(): string;
  containerEnv: Record<string, string>;
  maxLineBytes: number;
  tmpSizeMb: number;
  /** lay each container out as a pod (its CRI log, its pod cgroup) for the node agent; absent: no agent runs */
  pod?: PodLayout;
}

export function processLauncher(opts: ProcessLauncherOptions): ContainerLauncher {
  return async (req) => {
    if (req.image) throw new Error(`the action's Docker image ${req.image} needs Docker: start the platform with --containers docker`);
    const id = `sp-${randomBytes(6).toString('hex')}`;
    return Container.start({
      id,
      invoker: opts.invoker,
      action: req.action,
      actionKey: req.actionKey,
      concurrency: req.concurrency,
      dir: path.join(opts.containersDir, id),
      isolation: opts.isolation,
      // a prewarmed container does not know yet whether its action runs activations concurrently
      env: { __OW_API_HOST: opts.apihost(), ...(req.prewarm ? { __OW_ALLOW_CONCURRENT: 'true' } : {}), ...opts.containerEnv },
      maxLineBytes: opts.maxLineBytes,
      tmpSizeMb: opts.tmpSizeMb,
      startTimeoutMs: 20_000,
      onExit: req.onExit,
      pod: opts.pod,
    });
  };
}
