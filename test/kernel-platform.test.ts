// Kernel capture end to end, on the real kernel: the embedded platform with the eBPF probe on its
// containers' cgroups, wrapped actions deployed and invoked through the `openwhisk` client, the
// agent's batches ingested into a real store (dynalite), and the stored request graphs checked:
// what the kernel saw (a shell the handler ran, the file it wrote, a node fs write, a TCP connect,
// a child outliving its activation) is in the right request, attributed to the right activation;
// what another container did is not; temporary files and repeated writes are reduced.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import type { Batch } from '../protocol/batch';
import { startPlatform, type Platform } from '../invokers/local/index';
import { runtimeScript } from '../invokers/local/runtime-script';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { nodeIds } from '../upg/ids';
import type { ProcessNode, RequestGraph, UpgEdge } from '../upg/types';
import { ensureBuilt, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';
import { wrappedActionZip } from './wrapped-action';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const why = probeUnavailable();

const WORK = `
const fs = require('fs'), cp = require('child_process'), net = require('net');
module.exports.main = async (p) => {
  cp.execFileSync('/bin/sh', ['-c', 'echo x > /tmp/y']);
  fs.writeFileSync('/tmp/from-node', 'written by node ' + p.tag);
  await new Promise((resolve, reject) => {
    const s = net.connect(p.port, '127.0.0.1', () => s.end('hello ' + p.tag));
    s.on('close', resolve);
    s.on('error', reject);
  });
  fs.writeFileSync('/tmp/scratch', 'never read');
  fs.unlinkSync('/tmp/scratch');
  const fd = fs.openSync('/tmp/many', 'w');
  for (let i = 0; i < 40; i++) fs.writeSync(fd, 'a');
  fs.closeSync(fd);
  if (p.late) cp.spawn('/bin/sh', ['-c', 'sleep 0.3; echo late > /tmp/late'], { detached: true, stdio: 'ignore' }).unref();
  return { ok: true };
};
`;

const OTHER = `
const cp = require('child_process'), fs = require('fs');
module.exports.main = async () => {
  cp.execFileSync('/bin/sh', ['-c', 'echo z > /tmp/y']);
  fs.writeFileSync('/tmp/other-only', 'z');
  return { ok: true };
};
`;

const wrappedZip = (handler: string): Buffer => wrappedActionZip(handler);

type Activation = { activationId: string; annotations: Array<{ key: string; value: unknown }>; response: { success: boolean; result: unknown } };
const transId = (a: Activation) => String(a.annotations.find((x) => x.key === 'transId')?.value);
const kernelEdges = (g: RequestGraph) => g.edges.filter((e) => e.source === 'kernel');

describeNeeding(why)('kernel capture in the embedded platform (real kernel, real store)', () => {
  let dir: string;
  let dynamo: LocalDynamo;
  let store: ProvenanceStore;
  let platform: Platform;
  let server: net.Server;
  let port = 0;
  const received: string[] = [];
  const batches: Batch[] = [];
  const logs: string[] = [];
  let ingestErrors: unknown[] = [];
  let work: Activation;
  let other: Activation;
  let workGraph: RequestGraph;
  let otherGraph: RequestGraph;

  beforeAll(async () => {
    runtimeScript();
    ensureBuilt('addon');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-platform-'));
    dynamo = await startLocalDynamo(dir);
    store = await openStore({ endpoint: dynamo.endpoint, table: 'kernel-test', region: 'us-east-1' });
    server = net.createServer((s) => {
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('end', () => {
        received.push(text);
        s.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;

    platform = await startPlatform({
      storeDir: dir,
      onBatch: async (b) => {
        batches.push(JSON.parse(JSON.stringify(b)) as Batch);
        try {
          await ingestBatch(b, store);
        } catch (err) {
          ingestErrors.push(err);
          throw err;
        }
      },
      log: (l) => logs.push(l),
      batchDelayMs: 100,
    });
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    await ow.actions.create({ name: 'work', action: wrappedZip(WORK), kind: 'nodejs:20' } as never);
    await ow.actions.create({ name: 'other', action: wrappedZip(OTHER), kind: 'nodejs:20' } as never);
    // cold, then warm: the second activation of `work` reuses the container
    await ow.actions.invoke({ name: 'work', params: { port, tag: 'cold' }, blocking: true });
    work = (await ow.actions.invoke({ name: 'work', params: { port, tag: 'warm', late: true }, blocking: true })) as unknown as Activation;
    other = (await ow.actions.invoke({ name: 'other', blocking: true })) as unknown as Activation;
    await new Promise((r) => setTimeout(r, 700)); // the detached child finishes after its activation
    await platform.flush();
    workGraph = (await store.getRequestGraph(transId(work)))!;
    otherGraph = (await store.getRequestGraph(transId(other)))!;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await store?.close();
    await dynamo?.stop();
    await new Promise((r) => server?.close(r));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says at start-up that kernel capture is on, and runs the actions', () => {
    expect(logs).toContain(logs.find((l) => /^platform: kernel capture on \(eBPF probe/.test(l)));
    expect(platform.kernelCapture).toEqual({ on: true, backend: 'bpf' });
    expect(work.response.success).toBe(true);
    expect(other.response.success).toBe(true);
    expect(received).toEqual(expect.arrayContaining(['hello cold', 'hello warm']));
    expect(ingestErrors).toEqual([]);
    expect(batches.some((b) => (b.kernel ?? []).length > 0)).toBe(true);
  });

  it('shows the shell the handler ran, the file it wrote, and the write edge, in the right activation', () => {
    const act = work.activationId;
    const shell = workGraph.nodes.find(
      (n): n is ProcessNode => n.kind === 'process' && n.exe === '/bin/sh' && (n.args ?? []).includes('echo x > /tmp/y'),
    );
    expect(shell).toBeTruthy();
    const activation = workGraph.nodes.find((n) => n.kind === 'activation' && n.activationId === act)!;
    const container = (activation as { container: string }).container;
    const file = workGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/y');
    expect(file).toBeTruthy();
    expect((file as { container: string }).container).toBe(container);
    const write = workGraph.edges.find((e) => e.from === file!.id && e.to === shell!.id && e.kind === 'wasGeneratedBy');
    expect(write).toMatchObject({ source: 'kernel', activationId: act });
    // the shell was started by the activation (through the runtime process)
    expect(workGraph.edges.some((e) => e.from === shell!.id && e.to === nodeIds.activation(act) && e.kind === 'wasStartedBy')).toBe(true);
    expect(workGraph.edges.some((e) => e.from === shell!.id && e.kind === 'wasStartedBy' && e.op === 'fork')).toBe(true);
  });

  it('uses the wrapper’s ids: the runtime’s file write is the activation’s, on the per-container file node', () => {
    const act = work.activationId;
    const activation = workGraph.nodes.find((n) => n.kind === 'activation' && n.activationId === act) as { container: string };
    const containerId = activation.container.replace(/^ctr:/, '');
    const [invoker, container] = [containerId.slice(0, containerId.lastIndexOf('/')), containerId.slice(containerId.lastIndexOf('/') + 1)];
    const fileId = nodeIds.file(invoker, container, '/tmp/from-node');
    const edge = workGraph.edges.find((e) => e.from === fileId && e.to === nodeIds.activation(act) && e.kind === 'wasGeneratedBy');
    expect(edge).toMatchObject({ source: 'kernel' });
    expect(edge!.bytes).toBe('written by node warm'.length);
    // the wrapper's own fs hooks were off (PROVENANCE_KERNEL_CAPTURE=1): no double bookkeeping
    expect(workGraph.edges.filter((e) => e.source === 'wrapper' && e.from === fileId)).toEqual([]);
  });

  it('shows the TCP connect and the bytes sent, to the right socket', () => {
    const sock = nodeIds.socket('tcp', '127.0.0.1', port);
    expect(workGraph.nodes.some((n) => n.id === sock && n.kind === 'socket')).toBe(true);
    const toSock = kernelEdges(workGraph).filter((e) => e.from === sock && e.activationId === work.activationId);
    expect(toSock.map((e) => e.op)).toEqual(expect.arrayContaining(['connect', 'send']));
    expect(toSock.find((e) => e.op === 'send')!.bytes).toBe('hello warm'.length);
  });

  it('reduces: the temp file is gone, the 40 one-byte writes are one edge with a count', () => {
    expect(workGraph.nodes.some((n) => n.kind === 'file' && n.path === '/tmp/scratch')).toBe(false);
    const many = workGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/many')!;
    const writes = workGraph.edges.filter((e) => e.from === many.id && e.op === 'write' && e.activationId === work.activationId);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ count: 40, bytes: 40 });
    expect(platform.kernelStats()!.tempFiles).toBeGreaterThanOrEqual(2);
  });

  it('keeps a child that outlived its activation in that activation’s graph', () => {
    const late = workGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/late');
    expect(late).toBeTruthy();
    const edge = workGraph.edges.find((e) => e.from === late!.id && e.kind === 'wasGeneratedBy') as UpgEdge;
    expect(edge.activationId).toBe(work.activationId);
    const end = (workGraph.nodes.find((n) => n.kind === 'activation' && n.activationId === work.activationId) as { end?: number }).end!;
    expect(edge.time!).toBeGreaterThan(end);
  });

  it('does not attribute another container’s events to this request, nor this one’s to it', () => {
    expect(workGraph.nodes.some((n) => n.kind === 'file' && n.path === '/tmp/other-only')).toBe(false);
    expect(workGraph.edges.some((e) => e.activationId === other.activationId)).toBe(false);
    const otherY = otherGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/y')!;
    const workY = workGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/y')!;
    expect(otherY.id).not.toBe(workY.id); // same path, different containers: different entities
    expect(otherGraph.nodes.some((n) => n.kind === 'file' && n.path === '/tmp/from-node')).toBe(false);
    // its own activation's, or (without an activation) its container's start-up's
    const strays = kernelEdges(otherGraph).filter((e) => e.activationId !== undefined && e.activationId !== other.activationId);
    expect(strays, JSON.stringify(strays)).toEqual([]);
  });

  it('counts drops: none here, and the graphs carry no incompleteness warning', () => {
    const st = platform.kernelStats()!;
    expect(st.drops).toBe(0);
    expect(st.decodeErrors).toBe(0);
    expect(st.records).toBeGreaterThan(0);
    expect((workGraph.warnings ?? []).filter((w) => /dropped/.test(w.code))).toEqual([]);
  });
});
