// A store write that fails part-way (DynamoDB unreachable) and is retried, as the correlator and the
// agent's spool retry a batch: what the retry stores must read back, although the first attempt had
// already learned the fragment's behaviour (the dictionary its items are compressed against).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActivationNode, GraphFragment } from '../upg/types';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { startRelay, type TcpRelay } from './tcp-relay';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const T = Date.UTC(2026, 11, 3, 12, 0, 0);
let dir: string;
let dynamo: LocalDynamo;
let relay: TcpRelay;
let store: ProvenanceStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prov-store-fault-'));
  dynamo = await startLocalDynamo(dir);
  relay = await startRelay(Number(new URL(dynamo.endpoint).port));
  store = await openStore({ endpoint: `http://127.0.0.1:${relay.port}`, table: 'provenance' }, { create: true });
});
afterAll(async () => {
  await store?.close();
  await relay?.close();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const fragment = (request: string, action: string): GraphFragment => {
  const ctr = `ctr:inv0/${action}`;
  const act: ActivationNode = { id: `act:${request}-a`, kind: 'activation', activationId: `${request}-a`, requestId: request, action: `/_/${action}`, container: ctr, start: T, end: T + 20, ok: true };
  return {
    request,
    nodes: [
      { id: `req:${request}`, kind: 'request', requestId: request, start: T },
      act,
      { id: ctr, kind: 'container', containerId: action, action: `/_/${action}`, invoker: 'inv0' },
      { id: `file:inv0/${action}:/tmp/x`, kind: 'file', path: '/tmp/x', container: ctr },
    ],
    edges: [{ id: `${request}-w`, from: `file:inv0/${action}:/tmp/x`, to: act.id, kind: 'wasGeneratedBy', op: 'write', time: T + 5, bytes: 3, count: 1 }],
  };
};

it('a write retried after DynamoDB was unreachable reads back, for shapes first seen in the failed attempt', async () => {
  await store.writeFragments([fragment('r-before', 'before')]);
  await relay.down();
  const first = fragment('r-during', 'during');
  await expect(store.writeFragments([first])).rejects.toThrow();
  await relay.up();
  await store.writeFragments([first]);
  // another activation of the same action, written after the outage
  await store.writeFragments([fragment('r-after', 'during')]);
  const reader = await openStore({ endpoint: dynamo.endpoint, table: 'provenance' }, { create: false });
  try {
    for (const request of ['r-before', 'r-during', 'r-after']) {
      const graph = await reader.getRequestGraph(request);
      expect(graph?.nodes.map((n) => n.id).sort(), request).toEqual(fragment(request, request === 'r-before' ? 'before' : 'during').nodes.map((n) => n.id).sort());
    }
  } finally {
    await reader.close();
  }
}, 60_000);
