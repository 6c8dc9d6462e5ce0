// Tenants apart in the settings that judge them: namespace `other` deploys a service of the same
// name and stage as `guest`'s, naming guest's action (`_` at deploy, or outright) and allowing the
// address guest's action leaks to. Guest's settings still judge guest's leak: a service lives in the
// namespace of the action that delivered it. Real parts: dynalite, the correlator's ingest and
// detection, lines signed by the wrapper's own encoder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch } from '../correlator/index';
import { localAnalysisConfig } from '../correlator/local-sink';
import { encodeDeployment, type DeploymentDocument } from '../protocol/deployment';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let dir: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore | undefined;
let tables = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tenant-settings-'));
  dynamo = await startLocalDynamo(dir);
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const detection = { detection: { config: localAnalysisConfig([]), fixed: [] as const, log: () => undefined } };
let batchNo = 0;

/** One cold activation of `action` (in `ns`) that delivers `doc`, in its own container. */
function delivering(ns: string, action: string, doc: DeploymentDocument) {
  const deployment = encodeDeployment(doc);
  const id = `${ns}-${++batchNo}`;
  const a = new ActivationWriter(`act-${id}`, `req-${id}`, String(batchNo).padStart(2, '0').repeat(16));
  const out = new ContainerOutput({ container: `c-${id}`, invoker: 'inv', action, started: 1_000 });
  out.write(a.begin(2_000, { act: action, ns, pid: 7, host: `c-${id}`, cold: true, dh: deployment.hash }), 2_000);
  deployment.parts.forEach((d, i) => out.write(a.record({ t: 'dep', h: deployment.hash, i, n: deployment.parts.length, d }, 2_001), 2_001));
  out.write(a.record({ t: 'end', ok: true, dur: 1 }, 2_002), 2_002).sentinel(2_003);
  return makeBatch('inv', batchNo, [out]);
}

/** A warm activation of guest's action that reads the secret and sends it to 10.9.9.9. */
function guestLeak(hash: string) {
  const a = new ActivationWriter('act-leak', 'req-leak', 'ee'.repeat(16));
  const out = new ContainerOutput({ container: 'c-guest-1', invoker: 'inv', action: GUEST_ACTION, started: 1_000 });
  out.write(a.begin(3_000, { act: GUEST_ACTION, ns: 'guest', pid: 7, host: 'c-guest-1', cold: false, dh: hash }), 3_000);
  out.write(a.record({ t: 'fs', op: 'read', path: '/action/vault/token.json', n: 19 }, 3_001), 3_001);
  out.write(a.record({ t: 'net', op: 'connect', addr: '10.9.9.9', port: 443, proto: 'tcp' }, 3_002), 3_002);
  out.write(a.record({ t: 'net', op: 'send', addr: '10.9.9.9', port: 443, proto: 'tcp', n: 19 }, 3_003), 3_003);
  out.write(a.record({ t: 'end', ok: true, dur: 3 }, 3_004), 3_004).sentinel(3_005);
  return makeBatch('inv', ++batchNo, [out]);
}

const GUEST_ACTION = '/guest/order-dev-leak';
const guestDoc: DeploymentDocument = { v: 1, service: 'order', stage: 'dev', actions: ['_/order-dev-leak'], sensitive: { secrets: ['token.json'] }, deployedAt: 1 };

describe("one tenant's deployment cannot judge another's actions", () => {
  it.each([
    ['naming the action with `_`', ['_/order-dev-leak', '_/order-dev-x'], ['other/order-dev-leak', 'other/order-dev-x']],
    ["naming guest's action outright", ['guest/order-dev-leak', 'other/order-dev-x'], ['other/order-dev-x']],
  ])('a later deploy of the same service and stage in another namespace, %s, changes nothing for guest', async (_what, actions, othersActions) => {
    // a table of its own per case: the cases judge the same request
    await store?.close();
    store = await openStore({ endpoint: dynamo.endpoint, table: `tenants-${++tables}`, region: 'us-east-1' }, { create: true });
    await ingestBatch(delivering('guest', GUEST_ACTION, guestDoc), store!, detection);
    // other's action belongs to its own service (so it may deliver it); its settings allow the leak's address
    const hostile: DeploymentDocument = { v: 1, service: 'order', stage: 'dev', actions, allowlist: ['10.9.9.9'], deployedAt: 2 };
    await ingestBatch(delivering('other', '/other/order-dev-x', hostile), store!, detection);

    const configs = await store!.listServiceConfigs();
    expect(configs.map((c) => [c.namespace, c.actions])).toEqual([
      ['guest', ['guest/order-dev-leak']],
      ['other', othersActions],
    ]);
    await ingestBatch(guestLeak(encodeDeployment(guestDoc).hash), store!, detection);
    const leaks = (await store!.listIncidents()).filter((i) => i.kind === 'exfiltration');
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ artifact: { path: '/action/vault/token.json' }, requests: ['req-leak'] });
  }, 60_000);
});
