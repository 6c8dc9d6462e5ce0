// Batches ingested with the pure stages of one overlapping the writes of the one before
// (ingestBatches) store exactly what ingesting them one at a time stores, against a real store
// (dynalite on 127.0.0.1), when activations begin in one batch and go on in the next.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestBatch, ingestBatches } from '../correlator/index';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { renderJson } from '../upg/render/json';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import type { Batch } from '../protocol/batch';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const T0 = Date.UTC(2026, 11, 3, 12);
const REQUESTS = 6;

/** Each request's worker activation is cut in two: begin and a file write in one batch, the rest in the next. */
function batches(): Batch[] {
  const out: Batch[] = [];
  let pending: ContainerOutput[] = [];
  for (let r = 0; r < REQUESTS; r++) {
    const t = T0 + r * 1000;
    const W = new ActivationWriter(`act-${r}`, `req-${r}`, String(r % 10).repeat(64));
    const c = new ContainerOutput({ container: `c${r % 2}`, invoker: 'inv', action: '/_/worker', started: T0 - 1000 });
    c.write(W.begin(t, { act: '/_/worker', ns: '_', pid: 3, host: `c${r % 2}`, cold: r < 2 }), t)
      .write(W.record({ t: 'fs', op: 'write', path: `/tmp/out-${r % 3}`, n: 10 }, t + 1), t + 1);
    out.push(makeBatch('inv', out.length + 1, [...pending, c]));
    const rest = new ContainerOutput(c.info);
    rest.write(W.log(`worked on ${r}`), t + 2)
      .write(W.record({ t: 'http', method: 'GET', url: 'http://127.0.0.1:9/x', host: '127.0.0.1', port: 9, status: 200 }, t + 3), t + 3)
      .write(W.record({ t: 'end', ok: true, dur: 4 }, t + 4), t + 4)
      .sentinel(t + 5);
    pending = [rest];
  }
  out.push(makeBatch('inv', out.length + 1, pending));
  return out;
}

let root: string;
let dynamo: LocalDynamo;
const stores: ProvenanceStore[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'prov-pipeline-test-'));
  dynamo = await startLocalDynamo(root);
  for (const table of ['one-at-a-time', 'overlapped']) stores.push(await openStore({ endpoint: dynamo.endpoint, table, region: 'us-east-1' }));
});

afterAll(async () => {
  for (const s of stores) await s.close();
  await dynamo?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('ingestBatches', () => {
  it('stores what one batch at a time stores, with state carried from a batch still being written', async () => {
    const [sequential, overlapped] = stores as [ProvenanceStore, ProvenanceStore];
    const expected = [];
    for (const b of batches()) expected.push(await ingestBatch(b, sequential, { detection: false }));
    const results = await ingestBatches(batches(), overlapped, { detection: false });
    expect(results).toEqual(expected);
    // every record was attributed: the later half of each activation found its begin
    expect(results.every((r) => Object.keys(r.rejected).length === 0 && r.unattributed === 0)).toBe(true);
    for (let r = 0; r < REQUESTS; r++) {
      const [a, b] = await Promise.all([sequential.getRequestGraph(`req-${r}`), overlapped.getRequestGraph(`req-${r}`)]);
      expect(a).toBeDefined();
      expect(renderJson(b!)).toEqual(renderJson(a!));
      expect(a!.edges.some((e) => e.to.startsWith('sock:') || e.from.startsWith('sock:') || e.kind === 'used')).toBe(true);
    }
    const ids = Array.from({ length: REQUESTS }, (_, r) => `act-${r}`);
    expect(await overlapped.getActivationMeta(ids)).toEqual(await sequential.getActivationMeta(ids));
    expect((await overlapped.listRequests()).map((s) => s.request).sort()).toEqual((await sequential.listRequests()).map((s) => s.request).sort());
  });
});
