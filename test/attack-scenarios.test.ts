// Issue 4's two attacks end to end on the embedded platform: hello-retail deployed with the real
// Serverless CLI (and our plugin), the demo's benign traffic, then the container-reuse attack (code
// planted in purchase's warm /tmp by one request, loaded by the next French customer's purchase)
// and the exfiltration through the workflow (a saved card from the vault carried by purchase to
// publish and POSTed to a storefront callback), both sending to an attacker on 127.0.0.66. The
// correlator ingests and analyses as the batches arrive (as in the demo); `provenance report --json`
// (its command function) must list exactly the two attacks, with the right planter, victims,
// artifact and sink, and nothing but benign shared state besides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../store/local';
import { openStore } from '../store/index';
import type { ProvenanceStore } from '../store/types';
import { startPlatform, writePlatformInfo, removePlatformInfo } from '../invokers/local/index';
import { packageRoot } from '../invokers/local/package-root';
import { createLocalSink } from '../correlator/local-sink';
import { setupShop, SAVED_CARDS } from '../examples/hello-retail/setup';
import { startCardProcessor } from '../examples/hello-retail/card-processor';
import { startWebhookReceiver } from '../examples/hello-retail/webhook-receiver';
import { deployWithServerless } from '../examples/hello-retail/deploy';
import { demoPlan, driveTraffic, newRunId, type StepOutcome } from '../examples/hello-retail/traffic';
import { ATTACKER_HOST, EXFIL_SAVED_CARD, startAttackerServer, VICTIM_CARD, type AttackerServer } from '../examples/hello-retail/attacks';
import { runAttacks, type AttackRun } from '../examples/hello-retail/attack-run';
import { runReport } from '../cli/commands/report';
import { bufferOutput } from '../cli/output';
import type { Incident } from '../upg/analyses/types';
import type { ActivationNode } from '../upg/types';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'us-east-1';
const CREDS = { accessKeyId: 'local', secretAccessKey: 'local' };
const PLANTED_FILE = '/tmp/hello-retail/receipts/fr.js';
const stops: Array<() => unknown> = [];
let storeDir: string;
let store: ProvenanceStore;
let attacker: AttackerServer;
let benign: StepOutcome[];
let attack: AttackRun;
let incidents: Incident[];
const correlatorLog: string[] = [];

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'attack-scenarios-'));
  const dynamo: LocalDynamo = await startLocalDynamo(storeDir);
  stops.push(() => dynamo.stop());
  store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: REGION }, { create: true });
  stops.push(() => store.close());
  const processor = await startCardProcessor();
  stops.push(() => processor.stop());
  const webhook = await startWebhookReceiver();
  stops.push(() => webhook.stop());
  attacker = await startAttackerServer();
  stops.push(() => attacker.stop());
  let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
  platform = await startPlatform({
    storeDir,
    containerEnv: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // as the demo: the correlator in this process ingests each batch and runs the analyses with the
    // settings hello-retail deployed (custom.provenance: the card vault sensitive, processor and webhook allowed)
    onBatch: createLocalSink({
      store,
      log: (line) => correlatorLog.push(line),
      platform: () => (platform ? { apihost: platform.apihost, auth: platform.auth, namespace: platform.namespace } : undefined),
      inside: () => [dynamo.endpoint],
    }),
    log: () => undefined,
  });
  const running = platform;
  stops.push(() => running.stop());
  // the plugin and `provenance report` find this store's running DynamoDB through platform.json
  writePlatformInfo(storeDir, { pid: process.pid, apihost: running.apihost, auth: running.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: running.namespace });
  stops.push(() => removePlatformInfo(storeDir));
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: CREDS });
  stops.push(() => client.destroy());
  await setupShop(client);
  await deployWithServerless({
    serviceDir: resolve(__dirname, '..', 'examples', 'hello-retail'),
    packageRoot: packageRoot(),
    apihost: running.apihost,
    auth: running.auth,
    env: { CARD_PROCESSOR_URL: processor.url, PURCHASE_WEBHOOK_URL: webhook.url, PROVENANCE_STORE: storeDir },
  });
  const access = { apihost: running.apihost, auth: running.auth, actionPrefix: 'hello-retail-dev-' };
  const runId = newRunId();
  const plan = demoPlan();
  benign = await driveTraffic(access, plan, runId);
  attack = await runAttacks(access, attacker, runId, plan.length);
  await running.flush();
  const out = bufferOutput();
  await runReport({ store: storeDir, json: true }, out);
  incidents = (JSON.parse(out.text()) as { incidents: Incident[] }).incidents;
}, 420_000);

afterAll(async () => {
  while (stops.length) {
    try {
      await stops.pop()!();
    } catch {
      // keep stopping the rest
    }
  }
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
}, 60_000);

const attacks = () => incidents.filter((i) => i.verdict === 'attack');
const digits = (n: string) => n.replace(/\D/g, '');

describe('the attacks really happen', () => {
  it('runs the benign traffic and the attack requests without errors, and the correlator refuses nothing', () => {
    expect(correlatorLog).toEqual([]);
    expect(benign.filter((o) => !o.ok).map((o) => o.step.label)).toEqual([]);
    expect(attack.outcomes.map((o) => [o.step.role, o.result.status])).toEqual([
      ['plant', 'declined'],
      ['victim', 'authorized'],
      ['exfiltrate', 'authorized'],
    ]);
  });

  it('the attacker on 127.0.0.66 receives the victim\u2019s card and the saved card from the vault', () => {
    expect(attack.stolen.containerReuse).toEqual([digits(VICTIM_CARD.number)]);
    expect(attack.stolen.exfiltration).toEqual([SAVED_CARDS.find((c) => c.id === EXFIL_SAVED_CARD)!.number]);
  });
});

describe('provenance report --json after the attacks', () => {
  it('lists exactly two attacks: one container reuse, one exfiltration', () => {
    expect(attacks().map((i) => i.kind).sort(), JSON.stringify(incidents, null, 1)).toEqual(['container-reuse', 'exfiltration']);
  });

  it('reports the container reuse with its planter, its victim, the planted file and the attacker as sink', async () => {
    const reuse = attacks().find((i) => i.kind === 'container-reuse')!;
    expect(reuse).toBeDefined();
    expect(reuse.planter.request).toBe(attack.planter);
    expect(reuse.planter.action).toMatch(/hello-retail-dev-purchase$/);
    expect(reuse.victims.map((v) => v.request)).toEqual([attack.victim]);
    expect(reuse.victims[0].action).toMatch(/hello-retail-dev-purchase$/);
    expect(reuse.artifact).toMatchObject({ kind: 'file', path: PLANTED_FILE });
    expect(reuse.sink).toMatchObject({ address: ATTACKER_HOST, port: attacker.port });
    expect(reuse.path[0]).toBe(`act:${reuse.planter.activation}`);
    expect(reuse.path).toContain(reuse.artifact.node);
    // the planter and the victim ran in the same warm container, the one the incident names
    for (const party of [reuse.planter, reuse.victims[0]]) {
      const graph = await store.getRequestGraph(party.request);
      const activation = graph!.nodes.find((n): n is ActivationNode => n.kind === 'activation' && n.activationId === party.activation);
      expect(activation?.container, party.request).toBe(reuse.container);
    }
  });

  it('reports the exfiltration from the card vault through purchase and publish to the attacker', () => {
    const exfil = attacks().find((i) => i.kind === 'exfiltration')!;
    expect(exfil).toBeDefined();
    expect(exfil.planter.request).toBe(attack.exfiltrator);
    expect(exfil.planter.action).toMatch(/hello-retail-dev-purchase$/);
    expect(exfil.victims).toHaveLength(1);
    expect(exfil.victims[0].request).toBe(attack.exfiltrator);
    expect(exfil.victims[0].action).toMatch(/hello-retail-dev-publish$/);
    expect(exfil.artifact).toMatchObject({ kind: 'item', table: 'hello-retail-cards', key: { id: EXFIL_SAVED_CARD } });
    expect(exfil.sink).toMatchObject({ address: ATTACKER_HOST, port: attacker.port });
    expect(exfil.path[0]).toBe(exfil.artifact.node);
    expect(exfil.path.at(-1)).toBe(exfil.sink!.node);
  });

  it('reports nothing else but the price cache, as benign shared state', () => {
    const others = incidents.filter((i) => i.verdict !== 'attack');
    for (const i of others) {
      expect(i, JSON.stringify(i)).toMatchObject({ kind: 'container-reuse', verdict: 'benign-shared-state', artifact: { path: '/tmp/hello-retail/price-cache.json' } });
    }
  });

  it('puts no attack verdict on a benign request', () => {
    const benignRequests = new Set(benign.map((o) => o.requestId));
    for (const i of attacks()) for (const r of i.requests) expect(benignRequests.has(r), `${i.kind} names ${r}`).toBe(false);
  });
});
