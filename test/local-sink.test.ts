// The embedded platform's correlator sink against a real store (dynalite on 127.0.0.1): every batch is
// written at once, detection runs once over everything touched since the last run, and drain() (which
// the platform's flush() awaits) runs what is pending.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import { createLocalSink } from '../correlator/local-sink';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { startRelay } from './tcp-relay';

let dir: string;
let dynamo: LocalDynamo;
let store: ProvenanceStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-sink-'));
  dynamo = await startLocalDynamo(dir);
  store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: 'us-east-1' }, { create: true });
});

afterAll(async () => {
  await store?.close();
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function request(n: number) {
  const out = new ContainerOutput({ container: `c${n}`, invoker: 'inv0', action: '/_/a', started: 1 });
  const w = new ActivationWriter(`A${n}`, `R${n}`, String(n).repeat(32).slice(0, 32));
  const t = 1_000 * n;
  out.write(w.begin(t, { act: '/_/a', ns: '_', pid: 1, host: `c${n}`, cold: true }), t).write(w.record({ t: 'end', ok: true, dur: 1 }, t + 1), t + 1).sentinel(t + 2);
  return makeBatch('inv0', n, [out]);
}

describe('createLocalSink', () => {
  it('writes each batch at once and runs detection once for many batches, when drained', async () => {
    const runs: string[][] = [];
    const sink = createLocalSink({ store, log: () => undefined, platform: () => undefined, detectAfterMs: 60_000, onDetected: (_o, requests) => runs.push([...requests]) });
    for (const n of [1, 2, 3]) await sink(request(n));
    // written: readable before any detection ran
    expect((await store.getRequestGraph('R2'))?.nodes.some((node) => node.kind === 'activation')).toBe(true);
    expect(runs).toEqual([]);
    await sink.drain();
    expect(runs).toEqual([['R1', 'R2', 'R3']]);
    await sink.drain();
    expect(runs).toHaveLength(1);
  });

  it('runs detection by itself after detectAfterMs', async () => {
    const runs: string[][] = [];
    const sink = createLocalSink({ store, log: () => undefined, platform: () => undefined, detectAfterMs: 50, onDetected: (_o, requests) => runs.push([...requests]) });
    await sink(request(4));
    await new Promise((r) => setTimeout(r, 400));
    expect(runs).toEqual([['R4']]);
  });

  it('keeps the requests of a detection run the store failed, and judges them once it answers again', async () => {
    const relay = await startRelay(Number(new URL(dynamo.endpoint).port));
    const through = await openStore({ endpoint: `http://127.0.0.1:${relay.port}`, table: 'provenance', region: 'us-east-1' }, { create: false });
    try {
      const runs: Array<{ requests: string[]; error?: string }> = [];
      const sink = createLocalSink({ store: through, log: () => undefined, platform: () => undefined, detectAfterMs: 100, onDetected: (o, requests) => runs.push({ requests: [...requests], ...(o.error ? { error: o.error } : {}) }) });
      await sink(request(5));
      await relay.down();
      await sink.drain();
      expect(runs).toEqual([{ requests: ['R5'], error: expect.any(String) }]);
      await relay.up();
      const deadline = Date.now() + 10_000;
      while (runs.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(runs[1]).toEqual({ requests: ['R5'] });
    } finally {
      await through.close();
      await relay.close();
    }
  }, 30_000);
});
