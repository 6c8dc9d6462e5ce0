// The embedded platform in docker mode, on a real (private) dockerd: actions run in Docker
// containers made like OpenWhisk's Docker invoker makes them (names, host network, json-file logs,
// no labels), a prewarmed container is taken over by a cold start and keeps its name, activation
// logs come from the json-file log up to the sentinels, blackbox actions run their own image, the
// request's graph has what the kernel saw, and no container outlives its platform.
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import { startPlatform, type Platform } from '../invokers/local/index';
import { packageRoot } from '../package/root';
import { runtimeScript } from '../invokers/local/runtime-script';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import type { ActivationNode, RequestGraph } from '../upg/types';
import type { MissingPiece } from '../upg/completeness';
import { runTrace } from '../cli/commands/trace';
import { bufferOutput } from '../cli/output';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { probeUnavailable } from './kmod-helpers';
import { wrappedActionZip } from './wrapped-action';
import { startLocalStart } from './platform-harness';
import { until } from './wait';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = packageRoot();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const HANDLER = `
const fs = require('fs');
module.exports.main = async (p) => {
  console.log('working on ' + p.tag);
  console.error('a warning for ' + p.tag);
  fs.writeFileSync('/tmp/from-docker', 'written in docker ' + p.tag);
  return { tag: p.tag, aid: process.env.__OW_ACTIVATION_ID, tid: process.env.__OW_TRANSACTION_ID };
};
`;
const wrappedZip = (handler: string): string => wrappedActionZip(handler).toString('base64');

// a blackbox image's own runtime: the action-runtime protocol on the port the platform gives it
const BLACKBOX_SERVER = `
const http = require('http');
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/init') return res.end('{"OK":true}');
    const m = JSON.parse(body);
    console.log('blackbox ran ' + m.activation_id);
    console.log('${ACTIVATION_SENTINEL}');
    console.error('${ACTIVATION_SENTINEL}');
    res.end(JSON.stringify({ blackbox: true, aid: m.activation_id, params: m.value }));
  });
}).listen(Number(process.env.__SP_RUNTIME_PORT || 8080), '127.0.0.1');
`;

/** An image holding only /bb/server.js; the host's Node comes from the platform's read-only binds. */
function importBlackboxImage(d: PrivateDockerd, dir: string, image: string): void {
  const rootfs = path.join(dir, 'bb-rootfs');
  fs.mkdirSync(path.join(rootfs, 'bb'), { recursive: true });
  fs.writeFileSync(path.join(rootfs, 'bb', 'server.js'), BLACKBOX_SERVER);
  const tar = path.join(dir, 'bb.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', tar, 'bb']);
  execFileSync('docker', ['-H', `unix://${d.socket}`, 'import', '--change', 'CMD ["/usr/bin/node", "/bb/server.js"]', tar, image], { stdio: 'ignore' });
}

type Activation = {
  activationId: string;
  logs: string[];
  annotations: Array<{ key: string; value: unknown }>;
  response: { success: boolean; status: string; result: Record<string, unknown> };
};
const transId = (a: Activation) => String(a.annotations.find((x) => x.key === 'transId')?.value);
const NAME = /^wsk\w+0_\d+_/;

describe('the embedded platform with --containers docker', () => {
  let d: PrivateDockerd;
  let dir: string;
  let dynamo: LocalDynamo;
  let store: ProvenanceStore;
  let platform: Platform;
  let ow: ReturnType<typeof openwhisk>;
  const logs: string[] = [];
  const ingestErrors: unknown[] = [];
  let prewarmName = '';
  let cold: Activation;
  let warm: Activation;

  beforeAll(async () => {
    runtimeScript(); // `npm run build` first
    d = await startDockerd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-docker-'));
    dynamo = await startLocalDynamo(dir);
    store = await openStore({ endpoint: dynamo.endpoint, table: 'docker-test', region: 'us-east-1' });
    platform = await startPlatform({
      storeDir: dir,
      containers: 'docker',
      dockerHost: `unix://${d.socket}`,
      onBatch: async (b) => {
        try {
          await ingestBatch(b, store);
        } catch (err) {
          ingestErrors.push(err);
          throw err;
        }
      },
      batchDelayMs: 100,
      log: (l) => logs.push(l),
    });
    ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    // the prewarmed container is started before any action needs it
    prewarmName = await until('a prewarmed container runs', () => platform.containers().find((c) => c.container.endsWith('_prewarm_nodejs20') && c.pid)?.container, 15_000, 50);
    await ow.actions.create({ name: 'work', action: wrappedZip(HANDLER), kind: 'nodejs:20' } as never);
    cold = (await ow.actions.invoke({ name: 'work', params: { tag: 'cold' }, blocking: true })) as unknown as Activation;
    warm = (await ow.actions.invoke({ name: 'work', params: { tag: 'warm' }, blocking: true })) as unknown as Activation;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await store?.close();
    await dynamo?.stop();
    await d?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says it runs actions in Docker, and runs them', () => {
    expect(logs.some((l) => l.startsWith(`platform: actions run in Docker containers (engine unix://${d.socket}`))).toBe(true);
    expect(platform.containerMode).toEqual({ kind: 'docker', host: `unix://${d.socket}` });
    expect(cold.response.result).toMatchObject({ tag: 'cold', aid: cold.activationId, tid: transId(cold) });
    expect(warm.response.result).toMatchObject({ tag: 'warm', aid: warm.activationId });
  });

  it('a cold start takes the prewarmed container over, which keeps its name; a new one is prewarmed', async () => {
    const containers = await d.docker.listContainers();
    const names = containers.map((c) => c.Names[0].slice(1));
    expect(names).toContain(prewarmName);
    const running = platform.containers().find((c) => c.container === prewarmName)!;
    expect(running.action).toBe('/guest/work');
    // both activations ran in it: the warm one reused it
    expect(cold.annotations.some((a) => a.key === 'initTime')).toBe(true);
    expect(warm.annotations.some((a) => a.key === 'initTime')).toBe(false);
    const refill = await until('another container is prewarmed', () => platform.containers().find((c) => c.container.endsWith('_prewarm_nodejs20') && c.container !== prewarmName && c.pid), 15_000, 50);
    expect(refill.action).toBe('');
  });

  it('names and configures containers like OpenWhisk: wsk{invoker}{n}_{counter}_…, host network, json-file, no labels', async () => {
    for (const c of await d.docker.listContainers({ all: true })) {
      expect(c.Names[0].slice(1)).toMatch(NAME);
      expect(c.Names[0].slice(1)).toMatch(/^\/?[A-Za-z0-9_]+$/);
      const inspected = await d.docker.getContainer(c.Id).inspect();
      expect(inspected.HostConfig.NetworkMode).toBe('host');
      expect(inspected.HostConfig.LogConfig?.Type).toBe('json-file');
      expect(inspected.Config.Labels ?? {}).toEqual({});
    }
  });

  it('writes the activation to the json-file log, sentinels on both streams', async () => {
    const c = (await d.docker.listContainers()).find((x) => x.Names[0] === `/${prewarmName}`)!;
    const logPath = (await d.docker.getContainer(c.Id).inspect()).LogPath;
    expect(logPath).toBe(path.join(d.dataRoot, 'containers', c.Id, `${c.Id}-json.log`));
    const entries = fs
      .readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
    expect(entries.some((e) => e.stream === 'stdout' && e.log.includes('working on cold'))).toBe(true);
    expect(entries.filter((e) => e.log === `${ACTIVATION_SENTINEL}\n`).map((e) => e.stream).sort()).toEqual(['stderr', 'stderr', 'stdout', 'stdout']);
  });

  it('serves /activations/{id}/logs from the json-file log up to the sentinels', async () => {
    const { logs: lines } = (await ow.activations.logs({ activationId: cold.activationId } as never)) as { logs: string[] };
    expect(lines.some((l) => / stdout: .*working on cold/.test(l))).toBe(true);
    expect(lines.some((l) => / stderr: .*a warning for cold/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('warm'))).toBe(false);
    expect(lines.some((l) => l.includes(ACTIVATION_SENTINEL))).toBe(false);
  });

  it('has the request in the store, with kernel-level events when kernel capture is on', async () => {
    await platform.flush();
    expect(ingestErrors).toEqual([]);
    const graph = (await store.getRequestGraph(transId(cold))) as RequestGraph;
    // found by the node agent's discovery (the engine's short id), not told by the platform (its names)
    const ran = (await d.docker.listContainers()).find((x) => x.Names[0] === `/${prewarmName}`)!;
    const activation = graph.nodes.find((n) => n.kind === 'activation' && n.activationId === cold.activationId) as { container: string } | undefined;
    expect(activation?.container).toMatch(new RegExp(`/${ran.Id.slice(0, 12)}$`));
    // where the probe can run, it must have: the check below is not allowed to skip itself silently
    if (probeUnavailable() === null) expect(platform.kernelCapture).toMatchObject({ on: true });
    if (!platform.kernelCapture.on) return; // the wrapper's own hooks recorded it; nothing kernel-level to check
    const file = graph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/from-docker');
    expect(file).toBeTruthy();
    expect(graph.edges.some((e) => e.source === 'kernel' && e.from === file!.id && e.kind === 'wasGeneratedBy' && e.activationId === cold.activationId)).toBe(true);
  });

  it('trace --wait finds the graph complete, with the kernel events delivered up to each activation\'s end', async () => {
    // no flush: the node agent alone must say when the kernel has delivered everything
    const warmRun = (await ow.actions.invoke({ name: 'work', params: { tag: 'wait' }, blocking: true })) as unknown as Activation;
    const out = bufferOutput();
    await runTrace(transId(warmRun), { endpoint: dynamo.endpoint, table: 'docker-test', region: 'us-east-1', json: true, wait: 30 }, out);
    const done = JSON.parse(out.text()) as { complete: boolean; missing: MissingPiece[]; nodes: ActivationNode[] };
    expect(done).toMatchObject({ complete: true, missing: [] });
    const node = done.nodes.find((n) => n.kind === 'activation' && n.activationId === warmRun.activationId)!;
    expect(node).toMatchObject({ stdoutClosed: true, stderrClosed: true });
    // where the probe can run it must have, and then the graph waited for the kernel's watermark
    if (probeUnavailable() === null) expect(node).toMatchObject({ kernelCapture: true, kernelDelivered: true });
  }, 60_000);

  it('runs a blackbox action from an image in the local engine, in a container named for the action', async () => {
    importBlackboxImage(d, dir, 'sp-blackbox:test');
    await ow.actions.create({ name: 'bb', action: { exec: { kind: 'blackbox', image: 'sp-blackbox:test' } } } as never);
    const a = (await ow.actions.invoke({ name: 'bb', params: { x: 1 }, blocking: true })) as unknown as Activation;
    expect(a.response.result).toEqual({ blackbox: true, aid: a.activationId, params: { x: 1 } });
    expect(a.logs.some((l) => l.includes(`blackbox ran ${a.activationId}`))).toBe(true);
    const names = (await d.docker.listContainers()).map((c) => c.Names[0].slice(1));
    expect(names.some((n) => /^wsk\w+0_\d+_guest_bb$/.test(n))).toBe(true);
  });

  it('says which image is missing when a blackbox image is not in the engine', async () => {
    await ow.actions.create({ name: 'missing', action: { exec: { kind: 'blackbox', image: 'not-there:1' } } } as never);
    const a = (await ow.actions.invoke({ name: 'missing', blocking: true }).catch((e: { error: unknown }) => e.error)) as Activation;
    expect(a.response.success).toBe(false);
    expect(JSON.stringify(a.response.result)).toMatch(/the image not-there:1 is not in the Docker engine/);
  });
});

describe('process containers refuse blackbox actions', () => {
  let dir: string;
  let platform: Platform;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-docker-refuse-'));
    platform = await startPlatform({ storeDir: dir, log: () => undefined, kernelCapture: false });
  });

  afterAll(async () => {
    await platform?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 501 naming --containers docker', async () => {
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const err = (await ow.actions.create({ name: 'bb', action: { exec: { kind: 'blackbox', image: 'some:image' } } } as never).catch((e: unknown) => e)) as {
      statusCode: number;
      error: { error: string };
    };
    expect(err.statusCode).toBe(501);
    expect(err.error.error).toMatch(/need Docker: start the platform with --containers docker/);
  });
});

describe('provenance local start --containers docker', () => {
  let d: PrivateDockerd;
  let dir: string;
  const procs: ChildProcess[] = [];

  beforeAll(async () => {
    d = await startDockerd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-docker-cli-'));
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const pid of watchdogs(dir)) process.kill(pid, 'SIGKILL');
    await d?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(store: string, extra: string[] = []): Promise<{ proc: ChildProcess; ow: ReturnType<typeof openwhisk>; stderr: () => string }> {
    const local = await startLocalStart(store, ['--containers', 'docker', '--docker-host', `unix://${d.socket}`, ...extra]);
    procs.push(local.proc);
    return { proc: local.proc, ow: openwhisk({ apihost: local.apihost, api_key: local.auth }), stderr: local.stderr };
  }

  /** Warm containers: three activations at once need three containers (one of them the prewarmed). */
  async function warmUp(ow: ReturnType<typeof openwhisk>): Promise<string[]> {
    await ow.actions.update({ name: 'slow', action: 'async function main(p) { await new Promise((r) => setTimeout(r, 300)); return {}; }', kind: 'nodejs:20' } as never);
    await Promise.all([0, 1, 2].map(() => ow.actions.invoke({ name: 'slow', blocking: true, result: true })));
    return (await d.docker.listContainers({ all: true })).map((c) => c.Id);
  }

  it('exits non-zero with one line naming the socket when Docker is not reachable', () => {
    const sock = path.join(dir, 'no-docker.sock');
    let out = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [path.join(root, 'bin', 'provenance.js'), 'local', 'start', '--store', path.join(dir, 'nostore'), '--containers', 'docker', '--docker-host', `unix://${sock}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
    } catch (err) {
      status = (err as { status: number }).status;
      out = String((err as { stderr: string }).stderr);
    }
    expect(status).not.toBe(0);
    expect(out.trim().split('\n').filter((l) => l.startsWith('provenance:'))).toEqual([
      expect.stringMatching(new RegExp(`^provenance: Docker is not reachable at unix://${sock} .*start dockerd`)),
    ]);
  }, 60_000);

  it.each([
    [['--containers', 'vm'], /bad --containers "vm": give process or docker/],
    [['--docker-host', 'unix:///x.sock'], /--docker-host needs --containers docker/],
  ])('refuses %j in one line', (args, message) => {
    let err: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [path.join(root, 'bin', 'provenance.js'), 'local', 'start', '--store', path.join(dir, 'refused'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      err = e as { status: number; stderr: string };
    }
    expect(err?.status).toBe(2);
    expect(err?.stderr.trim()).toMatch(message);
    expect(err?.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('SIGKILL of the platform removes its containers; a restart removes what a dead watchdog left', async () => {
    const store = path.join(dir, 'store');
    const first = await start(store);
    const firstRun = await warmUp(first.ow);
    expect(firstRun.length).toBeGreaterThanOrEqual(3);
    first.proc.kill('SIGKILL');
    await until('no container of the killed platform remains', async () => ((await d.docker.listContainers({ all: true })).length === 0 ? true : undefined), 15_000, 50);

    // the watchdog dies too (killed with the machine's processes, say): the next start removes the rest
    const second = await start(store);
    const secondRun = await warmUp(second.ow);
    for (const pid of watchdogs(store)) process.kill(pid, 'SIGKILL');
    second.proc.kill('SIGKILL');
    await sleep(500);
    expect((await d.docker.listContainers({ all: true })).map((c) => c.Id)).toEqual(expect.arrayContaining(secondRun));

    const third = await start(store);
    expect(third.stderr()).toMatch(/removed \d+ Docker container\(s\) an earlier run of this store left/);
    const left = (await d.docker.listContainers({ all: true })).map((c) => c.Id);
    for (const id of [...firstRun, ...secondRun]) expect(left).not.toContain(id);
    third.proc.kill('SIGTERM');
    await new Promise((r) => third.proc.once('exit', r));
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
  }, 180_000);
});

/** The platform's Docker watchdogs for stores under `dir` (their command line names the records dir). */
function watchdogs(dir: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('docker-watchdog') && cmd.includes(dir)) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}
