// A private Docker engine for one test file. `const d = await startDockerd()` starts dockerd (run as
// root) in a fresh temp dir with its own socket, data root and exec root, no iptables, no bridge and
// the vfs storage driver, so it never touches the machine's own Docker nor another test's; it imports
// an empty image (no registry is reachable) and returns its name as `d.image`. Containers made from
// that image run the host's Node: pass `nodeBinds()` as `HostConfig.Binds` (or `nodeRunArgs()` to the
// docker CLI) so `/usr/bin/node` and its libraries are bind-mounted read-only, and use host
// networking to keep every port on 127.0.0.1. Talk to it with `new Docker({ socketPath: d.socket })`
// or `docker -H unix://<d.socket>`; json-file logs land under `d.dataRoot/containers/<id>/`.
// `await d.stop()` (in afterAll) removes every container, stops dockerd (and the containerd it
// started), unmounts what it left and deletes the temp dir, leaving no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';

export interface PrivateDockerd {
  /** path of the engine's unix socket */
  socket: string;
  /** `--data-root`: containers' json-file logs are in `<dataRoot>/containers/<id>/<id>-json.log` */
  dataRoot: string;
  /** name of the imported empty image (`sp-empty:latest`) */
  image: string;
  /** a client on the socket */
  docker: Docker;
  /** dockerd's own log (its stderr), for failure messages */
  logPath: string;
  /** removes every container, kills dockerd, deletes the temp dir */
  stop(): Promise<void>;
}

/** Read-only binds that let `/usr/bin/node` run in the empty image (Debian's merged /usr). */
export const NODE_BIND_DIRS = ['/usr', '/lib', '/lib64', '/bin', '/etc'] as const;

/** `HostConfig.Binds` for dockerode. */
export function nodeBinds(): string[] {
  return NODE_BIND_DIRS.filter((d) => existsSync(d)).map((d) => `${d}:${d}:ro`);
}

/** The same binds as `docker run` arguments. */
export function nodeRunArgs(): string[] {
  return nodeBinds().flatMap((b) => ['-v', b]);
}

/** The options OpenWhisk's Docker invoker uses, for a container running Node in the empty image. */
export function nodeContainerOptions(options: {
  image: string;
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  /** extra read-only binds, `host:container:ro` */
  binds?: string[];
}): Docker.ContainerCreateOptions {
  return {
    name: options.name,
    Image: options.image,
    Cmd: options.cmd,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    HostConfig: {
      Binds: [...nodeBinds(), ...(options.binds ?? [])],
      NetworkMode: 'host',
      LogConfig: { Type: 'json-file', Config: {} },
    },
  };
}

const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 20_000;

export async function startDockerd(): Promise<PrivateDockerd> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-dockerd-'));
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'dockerd.pid');
  const logPath = join(dir, 'dockerd.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root', dataRoot,
      '--exec-root', execRoot,
      '--host', `unix://${socket}`,
      '--pidfile', pidfile,
      '--iptables=false',
      '--ip-forward=false',
      '--bridge=none',
      '--storage-driver=vfs',
    ],
    { stdio: ['ignore', logFd, logFd], detached: false },
  );
  closeSync(logFd);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  const docker = new Docker({ socketPath: socket });

  const cleanup = async (): Promise<void> => {
    await stopProcess(child, () => exited);
    await killLeftovers(dir);
    unmountUnder(dir);
    if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(docker, () => exited, logPath);
    const image = 'sp-empty:latest';
    await importEmptyImage(docker, image);
    let stopped = false;
    return {
      socket,
      dataRoot,
      image,
      docker,
      logPath,
      async stop() {
        if (stopped) return;
        stopped = true;
        await removeAllContainers(docker);
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function waitReady(docker: Docker, hasExited: () => boolean, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited()) throw new Error(`dockerd exited at start-up; its log:\n${tail(logPath)}`);
    try {
      await docker.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`dockerd not ready after ${READY_TIMEOUT_MS} ms; its log:\n${tail(logPath)}`);
      await sleep(100);
    }
  }
}

/** An empty tar archive is two 512-byte zero blocks; importing it gives an image with no files. */
async function importEmptyImage(docker: Docker, name: string): Promise<void> {
  const [repo, tag] = name.split(':');
  const stream = await docker.importImage(Readable.from([Buffer.alloc(1024)]) as never, { repo, tag });
  await new Promise<void>((done, fail) => docker.modem.followProgress(stream, (err: Error | null) => (err ? fail(err) : done())));
}

async function removeAllContainers(docker: Docker): Promise<void> {
  let containers: Docker.ContainerInfo[] = [];
  try {
    containers = await docker.listContainers({ all: true });
  } catch {
    return; // the engine is gone already; killing it below is all that is left
  }
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

/** SIGTERM, then SIGKILL if dockerd does not exit in time; waits for the exit either way. */
async function stopProcess(child: ChildProcess, hasExited: () => boolean): Promise<void> {
  if (hasExited() || child.pid === undefined) return;
  child.kill('SIGTERM');
  const deadline = Date.now() + EXIT_TIMEOUT_MS;
  while (!hasExited() && Date.now() < deadline) await sleep(50);
  if (!hasExited()) {
    child.kill('SIGKILL');
    while (!hasExited()) await sleep(50);
  }
}

/** containerd and its shims started by this dockerd (their command lines name our temp dir). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`${dir}/`)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** After a clean dockerd exit there are none; after a SIGKILL its containerd would be orphaned. */
async function killLeftovers(dir: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = processesUnder(dir);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, round < 20 ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    await sleep(100);
  }
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined && mountPoint.startsWith(`${dir}/`));
}

/** dockerd unmounts on a clean exit; after a SIGKILL, shm and netns mounts may stay behind. */
function unmountUnder(dir: string): void {
  for (const mountPoint of mountsUnder(dir).reverse()) {
    try {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    } catch {
      // left in place; the temp dir is then kept rather than deleted through a mount
    }
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
