// Detection after each batch on the correlator's own path (ingestBatch, the correlator action's
// ingestBatches) costs the same store calls however long the containers' history is: a warm process
// remembers what its earlier runs read (correlator/detect/warm-memory.ts). Before, every batch re-read
// each touched file's whole history (for a file, every activation item of its container), so the n-th
// batch's reads grew with n. The store is dynalite on 127.0.0.1, filled through the real correlator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatch, ingestBatches } from '../correlator/index';
import { openStore, startLocalDynamo } from '../store/index';
import { outageActivation } from './agent-outage-detection';
import { countedStore } from './counted-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('detection after each batch, on the correlator path', () => {
  let root: string;
  let dynamo: Awaited<ReturnType<typeof startLocalDynamo>>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'prov-warm-detection-'));
    dynamo = await startLocalDynamo(root);
  }, 60_000);
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** store calls of the batch after n activations, each ingested (and detected) as its own batch */
  async function nextBatchCalls(n: number, skip?: number): Promise<Record<string, number>> {
    const calls = new Map<string, number>();
    const store = countedStore(await openStore({ endpoint: dynamo.endpoint, table: `warm-${n}-${skip ?? 'all'}`, region: 'us-east-1' }, { create: true }), calls);
    try {
      for (let i = 0; i < n; i++) {
        const result = await ingestBatch(outageActivation(i), store);
        expect(result.detectionError).toBeUndefined();
      }
      // a batch the process never saw (another correlator took it): its invoker's history is read again
      if (skip !== undefined) {
        const other = await openStore({ endpoint: dynamo.endpoint, table: `warm-${n}-${skip}`, region: 'us-east-1' });
        await ingestBatch({ ...outageActivation(skip), batch: n + 1 }, other).finally(() => other.close());
      }
      calls.clear();
      const [result] = await ingestBatches([{ ...outageActivation(n), batch: skip !== undefined ? n + 2 : n }], store);
      expect(result!.detectionError).toBeUndefined();
      return Object.fromEntries([...calls].sort());
    } finally {
      await store.close();
    }
  }

  it('the batch after 10 and after 40 activations makes the same store calls, and reads no file history', async () => {
    const small = await nextBatchCalls(10);
    const large = await nextBatchCalls(40);
    expect(large).toEqual(small);
    expect(large.entityHistory ?? 0).toBe(0);
    expect(large.containerActivations ?? 0).toBe(0);
    expect(large.getRequestGraph).toBeLessThanOrEqual(2);
  }, 240_000);

  it('after a batch of its invoker went to another correlator process, the next run reads the store again', async () => {
    const calls = await nextBatchCalls(10, 1_000);
    // the touched container's activations and graphs again (its files then come from those graphs)
    expect(calls.containerActivations ?? 0).toBeGreaterThan(0);
    expect(calls.getRequestGraph).toBeGreaterThan(2);
  }, 240_000);
});
