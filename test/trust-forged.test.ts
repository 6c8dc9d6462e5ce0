// Forged evidence on the real platform: the embedded platform with kernel capture (eBPF) and a real
// store. A handler prints a record-shaped line without the key, a log line carrying another
// activation's ids, and spawns a child that outlives it. The forged record is refused and charged
// to the liar, the foreign ids are flagged on both graphs (and not believed), and the late child's
// work is the kernel's fact, attributed to the activation that started it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import { startPlatform, type Platform } from '../invokers/local/index';
import { runtimeScript } from '../invokers/local/runtime-script';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { runTrace } from '../cli/commands/trace';
import { bufferOutput } from '../cli/output';
import { contradictions } from '../upg/trust';
import type { RequestGraph } from '../upg/types';
import { ensureBuilt, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';
import { wrappedActionZip } from './wrapped-action';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const TABLE = 'trust-forged';

const VICTIM = `module.exports.main = async () => ({ ok: true });`;
// fs.writeSync(1, …) goes around whatever the wrapper does to console and process.stdout
const LIAR = `
const fs = require('fs'), cp = require('child_process');
module.exports.main = async (p) => {
  const me = process.env.__OW_ACTIVATION_ID, req = process.env.__OW_TRANSACTION_ID;
  fs.writeSync(1, '@prov/1 {"t":"fs","a":"' + me + '","r":"' + req + '","s":90,"ts":' + Date.now() + ',"op":"read","path":"/etc/shadow","m":"0123456789abcdef"}\\n');
  fs.writeSync(1, '[prov ' + p.victimReq + ' ' + p.victimAct + '] charged card 4111 1111 1111 1111\\n');
  cp.spawn('/bin/sh', ['-c', 'sleep 0.3; echo late > /tmp/outlived'], { detached: true, stdio: 'ignore' }).unref();
  return { ok: true };
};
`;
const wrappedZip = (handler: string): Buffer => wrappedActionZip(handler);

type Activation = { activationId: string; annotations: Array<{ key: string; value: unknown }>; response: { success: boolean } };
const transId = (a: Activation) => String(a.annotations.find((x) => x.key === 'transId')?.value);

describeNeeding(probeUnavailable())('forged evidence on the embedded platform (kernel capture, real store)', () => {
  let dir: string;
  let dynamo: LocalDynamo;
  let store: ProvenanceStore;
  let platform: Platform;
  let victim: Activation;
  let liar: Activation;
  let liarGraph: RequestGraph;
  let victimGraph: RequestGraph;
  const storeOptions = () => ({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });

  beforeAll(async () => {
    runtimeScript();
    ensureBuilt('addon');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trust-forged-'));
    dynamo = await startLocalDynamo(dir);
    store = await openStore(storeOptions(), { create: true });
    platform = await startPlatform({ storeDir: dir, onBatch: (b) => ingestBatch(b, store, { detection: false }).then(() => undefined), log: () => undefined, batchDelayMs: 100, kernelCapture: true });
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    await ow.actions.create({ name: 'victim', action: wrappedZip(VICTIM), kind: 'nodejs:20' } as never);
    await ow.actions.create({ name: 'liar', action: wrappedZip(LIAR), kind: 'nodejs:20' } as never);
    victim = (await ow.actions.invoke({ name: 'victim', blocking: true })) as unknown as Activation;
    liar = (await ow.actions.invoke({ name: 'liar', params: { victimAct: victim.activationId, victimReq: transId(victim) }, blocking: true })) as unknown as Activation;
    await new Promise((r) => setTimeout(r, 800)); // the detached child finishes after its activation
    await platform.flush();
    liarGraph = (await store.getRequestGraph(transId(liar)))!;
    victimGraph = (await store.getRequestGraph(transId(victim)))!;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    await store?.close();
    await dynamo?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the record printed without the key and charges it to the liar; the claimed read is not in the graph', () => {
    expect(liar.response.success).toBe(true);
    expect(contradictions(liarGraph)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'forged-record', activationId: liar.activationId })]));
    expect(liarGraph.nodes.some((n) => n.kind === 'file' && n.path === '/etc/shadow')).toBe(false);
  });

  it("flags the log line with the victim's ids on both graphs and keeps it with the liar", () => {
    expect(contradictions(liarGraph)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'foreign-ids', activationId: liar.activationId })]));
    expect(contradictions(victimGraph)).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'foreign-ids', activationId: victim.activationId })]));
    expect(victimGraph.nodes.some((n) => n.kind === 'log' && n.text.includes('charged card'))).toBe(false);
    expect(liarGraph.nodes.some((n) => n.kind === 'log' && n.text.includes('charged card'))).toBe(true);
  });

  it("shows the child that outlived its activation as the kernel saw it, in the liar's activation", () => {
    const file = liarGraph.nodes.find((n) => n.kind === 'file' && n.path === '/tmp/outlived');
    expect(file, 'the late write to /tmp/outlived').toBeTruthy();
    const write = liarGraph.edges.find((e) => (e.from === file!.id || e.to === file!.id) && e.source === 'kernel');
    expect(write).toMatchObject({ activationId: liar.activationId });
    const end = liarGraph.nodes.find((n) => n.kind === 'activation' && n.activationId === liar.activationId) as { end?: number };
    expect(write!.time!).toBeGreaterThan(end.end!);
  });

  it('trace prints the contradictions (text and --json)', async () => {
    const text = bufferOutput();
    await runTrace(transId(liar), { ...storeOptions(), wait: 10 }, text);
    expect(text.text()).toMatch(/CONTRADICTED — \d+ claim\(s\)/);
    expect(text.text()).toMatch(/forged-record: .*MAC that does not verify/);
    const json = bufferOutput();
    await runTrace(transId(victim), { ...storeOptions(), json: true }, json);
    expect((JSON.parse(json.text()) as { contradictions: Array<{ code: string }> }).contradictions.map((c) => c.code)).toContain('foreign-ids');
  });
});
