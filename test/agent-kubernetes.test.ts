// `provenance agent --source kubernetes` against real containers: the embedded platform lays its
// process containers out as the kubelet lays out pods (a CRI-format log under
// <pods>/<namespace>_<pod>_<uid>/user-action/0.log, a cgroup in a pod cgroup under a kubepods-like
// parent), and a standalone agent finds them from those alone, with no word from the platform:
// it reads their logs, captures them in the kernel from their first syscall (kernel on), and the
// request's graph lands in the agent's own store. No Kubernetes runs here; this is the same layout.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../invokers/local/index';
import { cgroup2Mount } from '../invokers/agent/discovery/cgroup-fs';
import { decodeCriLogLine } from '../protocol/cri-log';
import { ACTION_CONTAINER, parsePodLogDir } from '../protocol/pod-logs';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { openStore } from '../store/index';
import { probeUnavailable } from './kmod-helpers';
import { needBuild, scrape, metricsUrlOf, startAgent, wrappedArtifact, type AgentProcess } from './agent-harness';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

const HANDLER = `
const fs = require('fs');
module.exports.main = async (p) => {
  console.log('pod work ' + p.tag);
  fs.writeFileSync('/tmp/pod-' + p.tag + '.txt', 'written in a pod-like container');
  return { tag: p.tag };
};
`;

type Activation = { activationId: string; annotations: Array<{ key: string; value: unknown }>; response: { success: boolean } };
const transId = (a: Activation) => String(a.annotations.find((x) => x.key === 'transId')?.value);

describe('the Kubernetes source on the embedded platform\'s pod-like process containers', () => {
  let dir: string;
  let platform: Platform;
  let ow: ReturnType<typeof openwhisk>;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    needBuild();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-k8s-'));
    platform = await startPlatform({
      storeDir: path.join(dir, 'platform-store'),
      // the platform's own agent must not capture: the standalone agent is the one under test
      kernelCapture: false,
      // with capture on (the agent's), the wrapper leaves files, sockets and processes to the kernel
      containerEnv: probeUnavailable() === null ? { PROVENANCE_KERNEL_CAPTURE: '1' } : {},
      onBatch: async () => undefined,
      log: () => undefined,
    });
    ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await platform?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const podLogs = () => path.join(dir, 'platform-store', 'pods');
  const kubepods = () => `/${path.relative(cgroup2Mount()!, path.join(platform.isolation.cgroupBase!, `kubepods-${process.pid}`))}`;

  it.each([
    { kernel: true, tag: 'kon' },
    { kernel: false, tag: 'koff' },
  ])('kernel $kernel: finds the container by its pod log and cgroup, and its request lands in the store', async ({ kernel, tag }) => {
    if (!platform.isolation.cgroupBase) throw new Error('this test needs cgroup v2 and root (the platform gives containers no cgroup here)');
    const storeDir = path.join(dir, `agent-store-${tag}`);
    const agent = startAgent([
      '--source', 'kubernetes',
      '--pod-logs', podLogs(),
      '--cgroup-parent', kubepods(),
      '--containers', 'all',
      '--store', storeDir,
      '--invoker', 'k8s-node',
      '--metrics', '127.0.0.1:0',
      '--batch-ms', '100',
      ...(kernel ? [] : ['--no-kernel']),
    ]);
    agents.push(agent);
    const modeLine = (await agent.waitFor(/agent: kernel capture (on|off)[^\n]*/))[0];
    const metricsUrl = await metricsUrlOf(agent);
    const kernelOn = kernel && probeUnavailable() === null;
    expect(modeLine).toMatch(kernelOn ? /kernel capture on.*under \/.*kubepods-\d+/ : /kernel capture off/);
    expect(agent.log()).toMatch(/kubernetes pod logs .* \(--source kubernetes\)/);

    // a new action, so a new container, started while the agent runs
    await ow.actions.create({ name: `pod-${tag}`, action: wrappedArtifact(HANDLER), kind: 'nodejs:20' } as never);
    const run = (await ow.actions.invoke({ name: `pod-${tag}`, params: { tag }, blocking: true })) as unknown as Activation;
    expect(run.response.success).toBe(true);

    // the layout the agent read: the pod's CRI log, its sentinels on both streams; the container's pod cgroup
    const container = platform.containers().find((c) => c.action === `/guest/pod-${tag}`)!;
    const podDir = fs.readdirSync(podLogs()).find((d) => parsePodLogDir(d)?.pod === container.container)!;
    expect(podDir).toBeDefined();
    const { uid } = parsePodLogDir(podDir)!;
    const entries = fs.readFileSync(path.join(podLogs(), podDir, ACTION_CONTAINER, '0.log'), 'utf8').trim().split('\n').map(decodeCriLogLine);
    expect(entries.every((e) => e !== undefined)).toBe(true);
    expect(entries.filter((e) => e!.log === `${ACTIVATION_SENTINEL}\n`).map((e) => e!.stream).sort()).toEqual(['stderr', 'stdout']);
    const cg = fs.readFileSync(`/proc/${container.pid}/cgroup`, 'utf8');
    expect(cg).toContain(`${kubepods()}/pod${uid}/${container.container}`);

    // every pod's log is complete now (their activations ended); the agent may read the earlier
    // case's pod too, so only all of their lines read means this pod's were read
    const allLines = fs.readdirSync(podLogs()).reduce((n, d) => {
      const file = path.join(podLogs(), d, ACTION_CONTAINER, '0.log');
      if (!fs.existsSync(file)) return n;
      return n + fs.readFileSync(file, 'utf8').split('\n').map(decodeCriLogLine).filter((e) => e?.log.endsWith('\n')).length;
    }, 0);
    await until('the agent read and shipped the activation', async () => {
      const m = await scrape(metricsUrl);
      return m['sp_agent_batches_delivered_total'] >= 1 && m['sp_agent_lines_read_total'] >= allLines;
    });
    expect(await agent.stop('SIGTERM')).toBe(0);

    const store = await openStore({ dir: storeDir, table: 'provenance' }, { create: false });
    try {
      const graph = (await store.getRequestGraph(transId(run)))!;
      expect(graph, agent.log()).toBeDefined();
      const nodes = graph.nodes as Array<Record<string, any>>;
      const activation = nodes.find((n) => n.kind === 'activation' && n.activationId === run.activationId);
      // named by its pod, as the source found it, on the agent's node
      expect(activation).toMatchObject({ action: `/guest/pod-${tag}`, container: `ctr:k8s-node/${container.container}`, stdoutClosed: true, stderrClosed: true });
      // its output, read from the pod log
      expect(nodes.some((n) => n.kind === 'log' && n.activationId === run.activationId), JSON.stringify(nodes.map((n) => n.id))).toBe(true);
      const kernelEdges = graph.edges.filter((e: Record<string, any>) => e.source === 'kernel');
      if (!kernelOn) {
        expect(kernelEdges).toEqual([]);
        return;
      }
      // the kernel saw the handler's write (the wrapper's own hooks are off here)
      const file = nodes.find((n) => n.kind === 'file' && n.path === `/tmp/pod-${tag}.txt`);
      expect(file, JSON.stringify(nodes.map((n) => n.id))).toBeDefined();
      expect(kernelEdges.some((e: Record<string, any>) => e.from === file!.id && e.kind === 'wasGeneratedBy')).toBe(true);
      expect(activation).toMatchObject({ kernelCapture: true, kernelDelivered: true });
    } finally {
      await store.close();
    }
  }, 90_000);
});
