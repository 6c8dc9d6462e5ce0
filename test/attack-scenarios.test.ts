// The two hello-retail attacks end to end on the embedded platform: hello-retail deployed with the real
// Serverless CLI (and our plugin), the demo's benign traffic, then the container-reuse attack (code
// planted in purchase's warm /tmp by one request, loaded by the next French customer's purchase)
// and the exfiltration through the workflow (a saved card from the vault carried by purchase to
// publish and POSTed to a storefront callback), both sending to an attacker on 127.0.0.66. The
// correlator ingests and analyses as the batches arrive (as in the demo); `provenance report --json`
// (its command function) must list exactly the two attacks, with the right planter, victims,
// artifact and sink, and nothing but benign shared state besides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvenanceStore } from '../store/types';
import { createLocalSink } from '../correlator/local-sink';
import { SAVED_CARDS } from '../examples/hello-retail/setup';
import { demoPlan, driveTraffic, newRunId, type StepOutcome } from '../examples/hello-retail/traffic';
import { ATTACKER_HOST, EXFIL_SAVED_CARD, startAttackerServer, VICTIM_CARD, type AttackerServer } from '../examples/hello-retail/attacks';
import { runAttacks, type AttackRun } from '../examples/hello-retail/attack-run';
import { runReport } from '../cli/commands/report';
import { bufferOutput } from '../cli/output';
import type { Incident } from '../upg/analyses/types';
import type { ActivationNode } from '../upg/types';
import { startHelloRetail, type HelloRetail } from './hello-retail-harness';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const PLANTED_FILE = '/tmp/hello-retail/receipts/fr.js';
let shop: HelloRetail | undefined;
let store: ProvenanceStore;
let attacker: AttackerServer;
let benign: StepOutcome[];
let attack: AttackRun;
let incidents: Incident[];
const correlatorLog: string[] = [];

beforeAll(async () => {
  attacker = await startAttackerServer();
  shop = await startHelloRetail({
    prefix: 'attack-scenarios-',
    // as the demo: the correlator in this process ingests each batch and runs the analyses with the
    // settings hello-retail deployed (custom.provenance: the card vault sensitive, processor and webhook allowed)
    sink: ({ store, dynamoEndpoint, platform }) =>
      createLocalSink({
        store,
        log: (line) => correlatorLog.push(line),
        platform: () => {
          const p = platform();
          return p ? { apihost: p.apihost, auth: p.auth, namespace: p.namespace } : undefined;
        },
        inside: () => [dynamoEndpoint],
      }),
  });
  store = shop.store;
  const runId = newRunId();
  const plan = demoPlan();
  benign = await driveTraffic(shop.access, plan, runId);
  attack = await runAttacks(shop.access, attacker, runId, plan.length);
  await shop.platform.flush();
  const out = bufferOutput();
  await runReport({ store: shop.storeDir, json: true }, out);
  incidents = (JSON.parse(out.text()) as { incidents: Incident[] }).incidents;
}, 420_000);

afterAll(async () => {
  await shop?.stop();
  await attacker?.stop();
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
