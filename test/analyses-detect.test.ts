// Automatic incident detection through ingestBatch, against a real store (dynalite on 127.0.0.1 in a
// temp dir) and a real alert receiver (an HTTP server on 127.0.0.1): the container-reuse attack, the
// exfiltration that follows it and a benign cache are found as the batches arrive, stored once
// (re-ingest: same incidents, no second alert), and listed by `provenance report` in the JSON contract;
// the cross-request trace and the lineage follow the planted file from its planter to its victim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectIncidents, ingestBatch } from '../correlator/index';
import { knownIncidents } from '../correlator/detect/known-incidents';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import type { Batch, ContainerInfo } from '../protocol/batch';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { nodeIds } from '../upg/ids';
import type { Incident } from '../upg/analyses/types';
import { bufferOutput } from '../cli/output';
import { runReport } from '../cli/commands/report';
import { runTrace } from '../cli/commands/trace';
import { runLineage } from '../cli/commands/lineage';
import { countedStore } from './counted-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TABLE = 'analyses-test';
const INVOKER = 'inv0';
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const info = (container: string, action: string): ContainerInfo => ({ container, invoker: INVOKER, action, started: T0 - 1000 });
const PLANTED = nodeIds.file(INVOKER, 'c1', '/tmp/.hook.js');
const CACHE = nodeIds.file(INVOKER, 'c2', '/tmp/prices.json');

/**
 * One request: purchase (container c1) and get-price (container c2). `role` decides what purchase does:
 * plant: writes /tmp/.hook.js (the flaw); victim: loads it, reads a card and POSTs to 127.0.0.66.
 * get-price fills its cache on the cold start and reads it afterwards (benign shared state).
 */
function request(n: number, role: 'normal' | 'plant' | 'victim'): Batch {
  const t = T0 + n * 10_000;
  const req = `req-${n}`;
  const P = new ActivationWriter(`P${n}`, req, String(n).repeat(32).slice(0, 32));
  const G = new ActivationWriter(`G${n}`, req, String(n + 1).repeat(32).slice(0, 32));
  const c1 = new ContainerOutput(info('c1', '/_/purchase'));
  const c2 = new ContainerOutput(info('c2', '/_/get-price'));
  const cold = n === 1;
  c1.write(P.begin(t, { act: '/_/purchase', ns: '_', pid: 11, host: 'c1', cold }), t).write(P.record({ t: 'ddb', op: 'GetItem', table: 'products', key: { id: 'p1' } }, t + 2), t + 2);
  if (role === 'plant') c1.write(P.record({ t: 'fs', op: 'write', path: '/tmp/.hook.js', n: 300 }, t + 3), t + 3);
  if (role === 'victim') {
    c1.write(P.record({ t: 'fs', op: 'load', path: '/tmp/.hook.js' }, t + 3), t + 3)
      .write(P.record({ t: 'ddb', op: 'GetItem', table: 'hello-retail-cards', key: { id: 'card-7' } }, t + 4), t + 4)
      .write(P.record({ t: 'http', method: 'POST', url: 'http://127.0.0.66/collect', host: '127.0.0.66', port: 80, status: 200 }, t + 5), t + 5);
  }
  c2.write(G.begin(t + 6, { act: '/_/get-price', ns: '_', pid: 21, host: 'c2', cold, pa: `P${n}` }), t + 6)
    .write(G.record({ t: 'fs', op: cold ? 'write' : 'read', path: '/tmp/prices.json', n: 40 }, t + 7), t + 7)
    .write(G.record({ t: 'end', ok: true, dur: 3 }, t + 9), t + 9)
    .sentinel(t + 10);
  c1.write(P.record({ t: 'invoke', to: '/_/get-price', child: `G${n}`, blocking: true }, t + 11), t + 11)
    .write(P.record({ t: 'http', method: 'POST', url: 'http://127.0.0.1:9999/authorize', host: '127.0.0.1', port: 9999, status: 200 }, t + 12), t + 12)
    .write(P.record({ t: 'end', ok: true, dur: 15 }, t + 15), t + 15)
    .sentinel(t + 16);
  return makeBatch(INVOKER, n, [c1, c2]);
}

const SCENARIO: Array<'normal' | 'plant' | 'victim'> = ['normal', 'normal', 'plant', 'normal', 'victim'];

let root: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;
let receiver: Server;
let alertUrl: string;
const alerts: Incident[] = [];
let failNextAlert = false;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'prov-analyses-test-'));
  dynamo = await startLocalDynamo(root);
  store = await openStore({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNextAlert) {
        failNextAlert = false;
        res.writeHead(503).end('busy');
        return;
      }
      alerts.push((JSON.parse(body) as { incident: Incident }).incident);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  alertUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
});

afterAll(async () => {
  await store?.close();
  await dynamo?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const storeOptions = () => ({ endpoint: dynamo.endpoint, table: TABLE, region: 'us-east-1' });
const ingest = (b: Batch) => ingestBatch(b, store, { detection: { alerts: { url: alertUrl }, log: () => undefined } });

describe('automatic detection as batches arrive', () => {
  it('finds nothing before the planted file is used, then the attack, the exfiltration and the cache', async () => {
    const created: string[][] = [];
    for (const [i, role] of SCENARIO.entries()) {
      if (i === 1) failNextAlert = true; // the benign cache's first alert (batch 2) fails: batch 3 finds it again and retries
      const result = await ingest(request(i + 1, role));
      expect(result.detectionError).toBeUndefined();
      created.push(result.incidents ?? []);
    }
    // req-2 reads the cache filled by req-1: the benign incident appears with batch 2.
    expect(created[0]).toEqual([]);
    expect(created[1]).toHaveLength(1);
    expect(created[2]).toEqual([]); // planting alone is no incident: nobody used it yet
    expect(created[4]).toHaveLength(2); // the victim: container reuse + exfiltration

    const incidents = await store.listIncidents();
    const byKind = (kind: string, verdict: string) => incidents.filter((i) => i.kind === kind && i.verdict === verdict);
    expect(incidents).toHaveLength(3);
    const [reuse] = byKind('container-reuse', 'attack');
    expect(reuse).toMatchObject({
      container: nodeIds.container(INVOKER, 'c1'),
      planter: { request: 'req-3', activation: 'P3', action: '/_/purchase' },
      victims: [{ request: 'req-5', activation: 'P5', action: '/_/purchase' }],
      artifact: { kind: 'file', path: '/tmp/.hook.js', node: PLANTED },
      sink: { address: '127.0.0.66', port: 80 },
    });
    const [exfil] = byKind('exfiltration', 'attack');
    expect(exfil).toMatchObject({ artifact: { kind: 'item', table: 'hello-retail-cards' }, sink: { address: '127.0.0.66', port: 80 }, victims: [{ activation: 'P5' }] });
    const [cache] = byKind('container-reuse', 'benign-shared-state');
    expect(cache).toMatchObject({ planter: { activation: 'G1' }, artifact: { path: '/tmp/prices.json', node: CACHE } });
    // The cache's victims accumulate over the batches: every later request read it.
    expect(cache.victims.map((v) => v.activation).sort()).toEqual(['G2', 'G3', 'G4', 'G5']);

    // Each incident was alerted exactly once; the failed delivery was retried by a later batch.
    expect(alerts.map((a) => a.id).sort()).toEqual(incidents.map((i) => i.id).sort());
  });

  it('re-ingesting everything finds the same incidents and alerts nobody again', async () => {
    const before = await store.listIncidents();
    const alerted = alerts.length;
    for (const [i, role] of SCENARIO.entries()) {
      const result = await ingest(request(i + 1, role));
      expect(result.incidents).toBeUndefined();
    }
    const after = await store.listIncidents();
    expect(after.map((i) => i.id).sort()).toEqual(before.map((i) => i.id).sort());
    expect(after.map((i) => i.detectedAt).sort()).toEqual(before.map((i) => i.detectedAt).sort());
    expect(alerts).toHaveLength(alerted);
  });

  it('detection that finds the incidents again exactly as stored writes none of them, and remembering them reads none', async () => {
    const calls = new Map<string, number>();
    const counted = countedStore(store, calls);
    const requests = SCENARIO.map((_, i) => `req-${i + 1}`);
    const stored = (await store.listIncidents()).map((i) => i.id).sort();
    const known = knownIncidents();
    const first = await detectIncidents(counted, requests, { known, log: () => undefined });
    expect(first.incidents.map((i) => i.id).sort()).toEqual(stored);
    expect(first.unchanged.sort()).toEqual(stored);
    expect([calls.get('putIncident'), calls.get('getIncident')]).toEqual([undefined, stored.length]);
    calls.clear();
    const again = await detectIncidents(counted, requests, { known, log: () => undefined });
    expect(again.unchanged.sort()).toEqual(stored);
    expect([calls.get('putIncident'), calls.get('getIncident')]).toEqual([undefined, undefined]);
    // one that changed (a victim the store does not hold yet) is written
    calls.clear();
    const cache = (await store.listIncidents()).find((i) => i.verdict === 'benign-shared-state')!;
    known.set(cache.id, { incident: { ...cache, victims: cache.victims.slice(1) }, alerted: true });
    const changed = await detectIncidents(counted, requests, { known, log: () => undefined });
    expect(changed.unchanged).not.toContain(cache.id);
    expect(calls.get('putIncident')).toBe(1);
  });

  it('`provenance report --json` prints the contract, and --request filters', async () => {
    const out = bufferOutput();
    await runReport({ ...storeOptions(), json: true }, out);
    const body = JSON.parse(out.text()) as { incidents: Array<Record<string, unknown>> };
    expect(Object.keys(body)).toEqual(['incidents']);
    expect(body.incidents).toHaveLength(3);
    for (const i of body.incidents) {
      expect(i).toEqual(
        expect.objectContaining({
          id: expect.stringMatching(/^inc-/),
          kind: expect.stringMatching(/^(container-reuse|exfiltration)$/),
          verdict: expect.stringMatching(/^(attack|benign-shared-state|suspicious)$/),
          container: expect.any(String),
          planter: { request: expect.any(String), activation: expect.any(String), action: expect.any(String) },
          victims: expect.arrayContaining([{ request: expect.any(String), activation: expect.any(String), action: expect.any(String) }]),
          artifact: expect.objectContaining({ kind: expect.any(String) }),
          path: expect.arrayContaining([expect.any(String)]),
          detectedAt: expect.any(String),
        }),
      );
      if (i.verdict === 'attack') expect(i.sink).toMatchObject({ address: '127.0.0.66', port: 80 });
    }
    const filtered = bufferOutput();
    await runReport({ ...storeOptions(), json: true, request: 'req-3' }, filtered);
    // req-3 planted the file, and read the cache like every request after req-1
    const ofReq3 = JSON.parse(filtered.text()) as { incidents: Incident[] };
    expect(ofReq3.incidents.map((i) => `${i.kind} ${i.verdict}`).sort()).toEqual(['container-reuse attack', 'container-reuse benign-shared-state']);

    // the document formats draw the incidents over the graphs of the requests they involve
    const html = bufferOutput();
    await runReport({ ...storeOptions(), format: 'html' }, html);
    expect(html.text()).toMatch(/^<!DOCTYPE html>/i);
    const incidentIds = (JSON.parse(out.text()) as { incidents: Incident[] }).incidents.map((i) => i.id);
    for (const id of incidentIds) expect(html.text()).toContain(id);

    const text = bufferOutput();
    await runReport(storeOptions(), text);
    expect(text.text()).toContain('3 incident(s): 2 attack, 0 suspicious, 1 benign shared state');
    expect(text.text()).toContain('/tmp/.hook.js');
    // the cache is one line (4 handoffs: G1 -> G2..G5, requests req-1..req-5); --all prints it in full
    expect(text.text()).toMatch(/^benign shared state: \/tmp\/prices\.json in container \S+ — 4 write→read handoffs across 5 requests/m);
    expect(text.text()).not.toMatch(/^benign \(shared state\)/m);
    const all = bufferOutput();
    await runReport({ ...storeOptions(), all: true }, all);
    expect(all.text()).toMatch(/^benign \(shared state\) {2}container-reuse/m);
  });

  it('`provenance report --detect` finds in a store filled with detection off what detection as batches arrived found', async () => {
    const quiet = { ...storeOptions(), table: `${TABLE}-quiet` };
    const quietStore = await openStore(quiet);
    try {
      for (const [i, role] of SCENARIO.entries()) await ingestBatch(request(i + 1, role), quietStore, { detection: false });
    } finally {
      await quietStore.close();
    }
    const before = bufferOutput();
    await runReport({ ...quiet, json: true }, before, () => undefined);
    expect((JSON.parse(before.text()) as { incidents: Incident[] }).incidents).toEqual([]);

    const detected = bufferOutput();
    await runReport({ ...quiet, json: true, detect: true }, detected, () => undefined);
    const kinds = (body: string) => (JSON.parse(body) as { incidents: Incident[] }).incidents.map((i) => `${i.kind} ${i.verdict}`).sort();
    const arrived = bufferOutput();
    await runReport({ ...storeOptions(), json: true }, arrived, () => undefined);
    expect(kinds(detected.text())).toEqual(kinds(arrived.text()));
    expect(kinds(detected.text())).toHaveLength(3);
  });

  it('trace --direction back from the victim request reaches the planting request through the file', async () => {
    const out = bufferOutput();
    await runTrace('req-5', { ...storeOptions(), format: 'json', direction: 'back' }, out);
    const result = JSON.parse(out.text()) as { requests: string[]; nodes: Array<{ id: string }> };
    expect(result.requests).toContain('req-3');
    expect(result.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([PLANTED, nodeIds.activation('P3')]));

    const forward = bufferOutput();
    await runTrace('req-3', { ...storeOptions(), format: 'json', direction: 'forward', kinds: 'activation,file' }, forward);
    const effects = JSON.parse(forward.text()) as { requests: string[]; nodes: Array<{ id: string; kind: string }> };
    expect(effects.requests).toContain('req-5');
    expect(effects.nodes.map((n) => n.id)).toContain(nodeIds.activation('P5'));
    expect(new Set(effects.nodes.map((n) => n.kind))).toEqual(new Set(['activation', 'file', 'request']));
  });

  it('lineage of the planted file lists its writer and its user across requests', async () => {
    const out = bufferOutput();
    await runLineage(PLANTED, { ...storeOptions(), json: true }, out);
    const lineage = JSON.parse(out.text()) as { history: Array<{ request: string; op: string }> };
    expect(lineage.history.map((h) => [h.request, h.op])).toEqual([
      ['req-3', 'write'],
      ['req-5', 'load'],
    ]);
  });
});
