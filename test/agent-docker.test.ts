// `provenance agent` as a separate process on a node with a private Docker engine, told about no
// container: it finds an OpenWhisk-style prewarmed action container itself, and a wrapped action
// run in it (/init, then /run with the activation's ids, as the invoker does) lands in the store
// with its activation and, with kernel capture, the kernel-level processes, files and sockets, the
// container's start-up (its first syscalls, made before the engine even reported the container)
// in the first request's trace, and a spawned child that exits at once as one process node for the
// kernel's facts and the wrapper's claim; with --no-kernel, from the json-file log alone.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index';
import { kernelCapturePrerequisites } from '../invokers/agent/kernel-tap';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { needBuild, RUNTIME, scrape, startActionContainer, metricsUrlOf, startAgent, wrappedArtifact, type AgentProcess } from './agent-harness';
import { until } from './wait';
import { describeNeeding } from './prerequisites';

// The handler writes a file and asks a peer for a price; then a child process (which the wrapper
// cannot see into, only the kernel can) reads the file and asks the peer again; then a spawned
// child (whose pid the wrapper records) reads it once more.
const HANDLER = `
const fs = require('fs');
const http = require('http');
const { execFileSync, spawn } = require('child_process');
exports.main = async (params) => {
  console.log('hello', params.id);
  const file = '/tmp/agent-test-' + params.id + '.txt';
  fs.writeFileSync(file, 'order ' + params.id);
  const status = await new Promise((resolve, reject) => {
    http.get(params.url + '/price?id=' + params.id, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
  });
  const child = "const fs = require('fs'); fs.readFileSync(process.argv[1]); require('http').get(process.argv[2] + '/child', (r) => r.resume());";
  execFileSync('/usr/bin/node', ['-e', child, file, params.url]);
  // a spawned child, whose pid (the container's) the wrapper records, and which is gone at once:
  // long before the agent handles its fork, so only the fork record can say its container pid
  await new Promise((resolve) => spawn('/bin/cat', [file], { stdio: 'ignore' }).on('exit', resolve));
  return { id: params.id, status };
};
`;

const missing = kernelCapturePrerequisites();
const describeDocker = describeNeeding(missing && !missing.on ? `${missing.reason} (${missing.step})` : null);

describeDocker('provenance agent on a Docker invoker node', () => {
  let d: PrivateDockerd;
  let peer: http.Server;
  let peerUrl: string;
  let peerPort: number;
  const tmps: string[] = [];
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    needBuild();
    d = await startDockerd();
    peer = http.createServer((req, res) => res.end(JSON.stringify({ price: 3, url: req.url })));
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    peerPort = (peer.address() as AddressInfo).port;
    peerUrl = `http://127.0.0.1:${peerPort}`;
  });

  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await d?.stop();
    await new Promise<void>((r) => (peer ? peer.close(() => r()) : r()));
    for (const t of tmps) fs.rmSync(t, { recursive: true, force: true });
  });

  async function runOnce(kernel: boolean, name: string) {
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-store-'));
    tmps.push(storeDir);
    const agent = startAgent([
      '--docker-host', `unix://${d.socket}`,
      '--store', storeDir,
      '--invoker', 'invoker0',
      '--metrics', '127.0.0.1:0',
      '--batch-ms', '100',
      ...(kernel ? [] : ['--no-kernel']),
    ]);
    agents.push(agent);
    const modeLine = (await agent.waitFor(/agent: kernel capture (on|off)[^\n]*/))[0];
    const metricsUrl = await metricsUrlOf(agent);

    const c = await startActionContainer(d, name);
    await c.init(wrappedArtifact(HANDLER));
    const run = await c.run({ id: 'a1', url: peerUrl });
    expect(run.result).toMatchObject({ id: 'a1', status: 200 });
    // the agent has read the activation's end from the log and shipped it
    await until('the activation in the metrics', async () => (await scrape(metricsUrl))['sp_agent_batches_delivered_total'] >= 1 && (await scrape(metricsUrl))['sp_agent_lines_read_total'] >= 3);
    const metrics = await scrape(metricsUrl);
    expect(await agent.stop('SIGTERM')).toBe(0);
    expect(agent.log()).toMatch(/agent: stopped/);

    const store = await openStore({ dir: storeDir, table: 'provenance' }, { create: false });
    try {
      const graph = await store.getRequestGraph(run.transactionId);
      return { graph: graph!, metrics, modeLine, log: agent.log(), container: c, run };
    } finally {
      await store.close();
    }
  }

  it('with kernel capture: the activation, its kernel-level processes, files and sockets, and the container\'s first exec', async () => {
    const { graph, metrics, modeLine, log, container, run } = await runOnce(true, 'wsk0_1_prewarm_nodejs20');
    expect(modeLine).toMatch(/kernel capture on/);
    expect(graph, log).toBeDefined();
    const nodes = graph.nodes as Array<Record<string, any>>;
    const edges = graph.edges as Array<Record<string, any>>;
    const activation = nodes.find((n) => n.kind === 'activation');
    expect(activation).toMatchObject({ action: '/guest/hello' });
    const kernelEdges = edges.filter((e) => e.source === 'kernel');
    const byId = new Map(nodes.map((n) => [n.id, n]));
    // the child process, known only from the kernel (execFileSync tells the wrapper no pid): its
    // exec, its read of the file, its connection
    const execs = kernelEdges.filter((e) => e.op === 'execve').map((e) => byId.get(e.from));
    const child = execs.find((n) => n?.kind === 'process' && n.exe === '/usr/bin/node' && (n.args ?? []).includes(peerUrl));
    expect(child, JSON.stringify(execs)).toBeDefined();
    // the spawned child, gone before the agent saw its fork: the fork record numbers it as the
    // container does, so its exec and its read of the file and the wrapper's record of its spawn
    // are one process node
    const spawnedChild = execs.find((n) => n?.kind === 'process' && n.exe === '/bin/cat');
    expect(spawnedChild, JSON.stringify(execs)).toBeDefined();
    expect(spawnedChild!.pid).toBeLessThan(1000); // the container's pid namespace, not the host's
    const startedBy = edges.filter((e) => e.from === spawnedChild!.id && e.to === activation!.id && e.kind === 'wasStartedBy').map((e) => e.source);
    expect(startedBy.sort(), JSON.stringify(edges.filter((e) => e.op === 'spawn'))).toEqual(['kernel', 'wrapper']);
    expect(kernelEdges.some((e) => e.from === spawnedChild!.id && byId.get(e.to)?.path === '/tmp/agent-test-a1.txt')).toBe(true);
    const childDid = kernelEdges.filter((e) => e.from === child!.id || e.to === child!.id).flatMap((e) => [byId.get(e.from), byId.get(e.to)]);
    expect(childDid.some((n) => n?.kind === 'file' && n.path === '/tmp/agent-test-a1.txt'), JSON.stringify(kernelEdges)).toBe(true);
    const peerSocket = nodes.find((n) => n.kind === 'socket' && Number(n.port) === peerPort && n.address === '127.0.0.1');
    expect(peerSocket, JSON.stringify(nodes.filter((n) => n.kind === 'socket'))).toBeDefined();
    expect(kernelEdges.some((e) => e.op === 'connect' && [e.from, e.to].includes(child!.id) && [e.from, e.to].includes(peerSocket!.id))).toBe(true);
    // the container's first program, as the kernel saw it exec'd: before the engine reported the
    // container (Docker says "start" after runc has exec'd it), so only the subtree filter and
    // the pending buffer can have caught it
    const runtime = nodes.find((n) => n.kind === 'process' && (n.args ?? []).includes(RUNTIME));
    expect(runtime, JSON.stringify(nodes.filter((n) => n.kind === 'process'))).toBeDefined();
    expect(runtime!.exe).toBe('/usr/bin/node');
    // the container's start-up (its first syscalls, held in the kernel's pending buffer before the
    // engine reported the container) reaches the trace of its first request: an activity of the
    // container that informed the activation, which exec'd the runtime and bound and listened on its port
    expect(graph.request).toBe(run.transactionId);
    const startup = nodes.find((n) => n.kind === 'startup');
    expect(startup, JSON.stringify(nodes.map((n) => n.kind))).toBeDefined();
    expect(edges.some((e) => e.from === activation!.id && e.to === startup!.id && e.kind === 'wasInformedBy')).toBe(true);
    expect(edges.some((e) => e.from === startup!.id && e.kind === 'wasAssociatedWith' && byId.get(e.to)?.kind === 'container')).toBe(true);
    expect(kernelEdges.some((e) => e.op === 'execve' && e.from === runtime!.id && e.activationId === undefined), 'the runtime exec is the start-up\'s').toBe(true);
    const startupDid = kernelEdges.filter((e) => e.to === startup!.id || e.from === startup!.id);
    const runtimePort = startupDid.filter((e) => ['bind', 'listen'].includes(e.op) && Number(byId.get(e.from)?.port) === container.port).map((e) => e.op);
    expect(runtimePort.sort(), JSON.stringify(startupDid)).toEqual(['bind', 'listen']);
    expect(startupDid.some((e) => ['open', 'read'].includes(e.op) && String(byId.get(e.to)?.path ?? '').endsWith('server.js'))).toBe(true);
    expect(metrics['sp_agent_kernel_first_execs_total']).toBeGreaterThanOrEqual(1);
    expect(metrics['sp_agent_kernel_pending_released_total']).toBeGreaterThan(0);
    expect(metrics['sp_agent_containers_followed']).toBe(1);
  });

  it('with --no-kernel: the activation and the wrapper\'s own records, from the json-file log', async () => {
    const { graph, modeLine, log } = await runOnce(false, 'wsk0_2_prewarm_nodejs20');
    expect(modeLine).toMatch(/kernel capture off: --no-kernel/);
    expect(graph, log).toBeDefined();
    const nodes = graph.nodes as Array<Record<string, any>>;
    const edges = graph.edges as Array<Record<string, any>>;
    expect(nodes.find((n) => n.kind === 'activation')).toMatchObject({ action: '/guest/hello' });
    expect(edges.filter((e) => e.source === 'kernel')).toEqual([]);
    expect(nodes.some((n) => n.kind === 'file' && n.path === '/tmp/agent-test-a1.txt')).toBe(true);
    expect(nodes.some((n) => n.kind === 'log')).toBe(true);
    // nothing says what the container's runtime exec'd: that only the kernel can
    expect(nodes.some((n) => n.kind === 'process' && (n.args ?? []).includes(RUNTIME))).toBe(false);
  });
});
