// Verdicts do not depend on the order batches arrive in: a warm activation that leaks a sensitive
// file is ingested before the batch that carries its container's deployment (the settings that make
// the file sensitive) — a spooled batch retried late, or two correlator instances at once. It is
// judged with the defaults first (nothing), and judged again, as an exfiltration, when the settings
// arrive. Real parts: dynalite, the correlator's ingest and detection, lines signed by the wrapper's
// own encoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import { localAnalysisConfig } from '../correlator/local-sink';
import { encodeDeployment } from '../protocol/deployment';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { DEFAULT_TABLE } from '../store/types';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let dir: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'config-order-'));
  dynamo = await startLocalDynamo(dir);
  store = await openStore({ endpoint: dynamo.endpoint, table: DEFAULT_TABLE, region: 'us-east-1' }, { create: true });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ACTION = '/guest/order-dev-leak';
const deployment = encodeDeployment({ v: 1, service: 'order', stage: 'dev', actions: ['_/order-dev-leak'], sensitive: { secrets: ['token.json'] }, deployedAt: 1 });
const info = { container: 'c1', invoker: 'inv', action: ACTION, started: 1_000 };
const detection = { detection: { config: localAnalysisConfig([]), fixed: [] as const, log: () => undefined } };

function coldStart(): ReturnType<typeof makeBatch> {
  const a = new ActivationWriter('act-cold', 'req-cold', '11'.repeat(16));
  const out = new ContainerOutput(info);
  out.write(a.begin(2_000, { act: ACTION, ns: 'guest', pid: 7, host: 'c1', cold: true, dh: deployment.hash }), 2_000);
  deployment.parts.forEach((d, i) => out.write(a.record({ t: 'dep', h: deployment.hash, i, n: deployment.parts.length, d }, 2_001), 2_001));
  out.write(a.record({ t: 'end', ok: true, dur: 1 }, 2_002), 2_002).sentinel(2_003);
  return makeBatch('inv', 1, [out]);
}

function warmLeak(): ReturnType<typeof makeBatch> {
  const a = new ActivationWriter('act-warm', 'req-warm', '22'.repeat(16));
  const out = new ContainerOutput(info);
  out.write(a.begin(3_000, { act: ACTION, ns: 'guest', pid: 7, host: 'c1', cold: false, dh: deployment.hash }), 3_000);
  out.write(a.record({ t: 'fs', op: 'read', path: '/action/vault/token.json', n: 19 }, 3_001), 3_001);
  out.write(a.record({ t: 'net', op: 'connect', addr: '10.9.9.9', port: 443, proto: 'tcp' }, 3_002), 3_002);
  out.write(a.record({ t: 'net', op: 'send', addr: '10.9.9.9', port: 443, proto: 'tcp', n: 19 }, 3_003), 3_003);
  out.write(a.record({ t: 'end', ok: true, dur: 3 }, 3_004), 3_004).sentinel(3_005);
  return makeBatch('inv', 2, [out]);
}

const exfiltrations = async () => (await store.listIncidents()).filter((i) => i.kind === 'exfiltration');

describe('settings that arrive after what they judge', () => {
  it('judge it again when they arrive', async () => {
    const late = await ingestBatch(warmLeak(), store, detection);
    expect(late.requests).toEqual(['req-warm']);
    expect(await exfiltrations()).toEqual([]); // the defaults: token.json is not sensitive

    const delivering = await ingestBatch(coldStart(), store, detection);
    expect(delivering.requests).toEqual(['req-cold', 'req-warm']);
    const found = await exfiltrations();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ artifact: { path: '/action/vault/token.json' }, requests: ['req-warm'] });
    expect(await store.listServiceConfigs()).toEqual([expect.objectContaining({ service: 'order', sensitive: { secrets: ['token.json'] } })]);

    // both delivered again (an agent retry): nothing new, nothing lost
    await ingestBatch(warmLeak(), store, detection);
    await ingestBatch(coldStart(), store, detection);
    expect((await exfiltrations()).map((i) => i.id)).toEqual(found.map((i) => i.id));
  }, 60_000);
});
