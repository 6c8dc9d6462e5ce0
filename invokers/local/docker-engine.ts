// The Docker engine the platform runs containers on: where it is, whether it answers (one clear
// line when not), the empty base image the Node runtime containers use (no registry is needed:
// they run the host's Node from read-only binds), and free ports on the shared host network.
import * as net from 'node:net';
import { Readable } from 'node:stream';
import Docker from 'dockerode';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';
/** what the Node runtime containers are made from: an empty image, the host's Node bound in */
export const RUNTIME_BASE_IMAGE = 'serverless-provenance-empty:local';
/** host directories every container sees read-only, so `/usr/bin/node` runs in an empty image */
export const HOST_SYSTEM_DIRS = ['/usr', '/lib', '/lib64', '/bin', '/etc'] as const;

/** `unix:///path` or `tcp://host:port` (as in DOCKER_HOST) → dockerode's connection options. */
export function dockerConnection(host: string): Docker.DockerOptions {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`bad Docker host ${host}: write unix:///absolute/path.sock`);
    return { socketPath };
  }
  const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (m) return { host: m[1], port: Number(m[2]), protocol: 'http' };
  throw new Error(`bad Docker host ${host}: give unix:///path/to/docker.sock or tcp://host:port`);
}

/** A client on `host` (default $DOCKER_HOST, else the standard socket) that has answered a ping. */
export async function connectDocker(host = process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST): Promise<{ docker: Docker; host: string }> {
  const docker = new Docker(dockerConnection(host));
  try {
    await withTimeout(docker.ping(), 5_000, 'no answer within 5 s');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `Docker is not reachable at ${host} (${why}): start dockerd (as root: dockerd --host ${host}), ` +
        `pass --docker-host with the socket it listens on, or run with --containers process`,
    );
  }
  return { docker, host };
}

function withTimeout<T>(p: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(why)), ms)))]).finally(() => clearTimeout(timer));
}

export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Imports the empty base image unless the engine has it (an empty tar: two zero blocks). */
export async function ensureBaseImage(docker: Docker, image = RUNTIME_BASE_IMAGE): Promise<void> {
  if (await imageExists(docker, image)) return;
  const [repo, tag] = image.split(':');
  const stream = await docker.importImage(Readable.from([Buffer.alloc(1024)]) as never, { repo, tag });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
}

/** A port nobody listens on now; with host networking every container shares this port space. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
