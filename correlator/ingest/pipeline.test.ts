import { describe, expect, it } from 'vitest';
import type { ActivationMeta, ProvenanceStore } from '../../store/types';
import type { IngestResult } from '../../protocol/batch';
import type { ClassifiedBatch } from './classify-batch';
import { ingestInOrder } from './pipeline';

// A store of pure bookkeeping (the order of calls and the state it holds): the real store is in
// test/correlator-pipeline.test.ts. Batches are stand-ins: each names the activations it begins
// (new state) and those whose state it needs.
interface FakeBatch {
  n: number;
  begins: string[];
  needs: string[];
}
const batch = (n: number, begins: string[], needs: string[] = []) => ({ n, begins, needs }) as unknown as ClassifiedBatch;
const result = (n: number): IngestResult => ({ requests: [`r${n}`], records: n, logLines: 0, rejected: {}, unattributed: 0 });

function fakeStore(options: { failWrite?: number; writeMs?: number } = {}) {
  const stored = new Map<string, ActivationMeta>();
  const log: string[] = [];
  let writing = 0;
  let maxWriting = 0;
  const store = {
    async getActivationMeta(ids: string[]) {
      log.push(`read ${ids.join(',')}`);
      await new Promise((r) => setTimeout(r, 1));
      return new Map(ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id)!]));
    },
    async writeFragments(fragments: Array<{ n: number }>, metas: ActivationMeta[]) {
      const n = fragments[0]!.n;
      writing++;
      maxWriting = Math.max(maxWriting, writing);
      log.push(`write ${n} start`);
      await new Promise((r) => setTimeout(r, options.writeMs ?? 5));
      writing--;
      if (options.failWrite === n) throw new Error(`store down at batch ${n}`);
      for (const m of metas) stored.set(m.activationId, m);
      log.push(`write ${n} done`);
    },
  } as unknown as ProvenanceStore;
  return { store, log, stored, maxWriting: () => maxWriting };
}

/** "assembles" a fake batch: its state must have been seen (begun by an earlier batch) */
const stages = (log: string[], afterWrite?: (r: IngestResult) => Promise<void>) => ({
  async assemble(input: ClassifiedBatch, state: ProvenanceStore) {
    const b = input as unknown as FakeBatch;
    log.push(`assemble ${b.n}`);
    const known = b.needs.length ? await state.getActivationMeta(b.needs) : new Map();
    const missing = b.needs.filter((id) => !known.has(id));
    if (missing.length) throw new Error(`batch ${b.n}: no state for ${missing.join(',')}`);
    const metas = b.begins.map((id): ActivationMeta => ({ activationId: id, requestId: 'r', action: '/a', container: 'c', key: '00' }));
    return { fragments: [{ n: b.n }] as never, metas, result: result(b.n) };
  },
  ...(afterWrite ? { afterWrite } : {}),
});

describe('batches ingested in order, the next assembled while the one before is written', () => {
  it('assembles a batch before the write of the one before is done, with that batch\'s state from memory', async () => {
    const { store, log, stored } = fakeStore();
    const results = await ingestInOrder([batch(1, ['a']), batch(2, ['b'], ['a']), batch(3, [], ['a', 'b'])], store, stages(log));
    expect(results.map((r) => r.records)).toEqual([1, 2, 3]);
    expect(log.indexOf('assemble 2')).toBeLessThan(log.indexOf('write 1 done'));
    expect([...stored.keys()].sort()).toEqual(['a', 'b']);
  });

  it('writes one at a time, in batch order, with at most two writes pending', async () => {
    const { store, log, maxWriting } = fakeStore();
    await ingestInOrder([1, 2, 3, 4, 5].map((n) => batch(n, [`x${n}`], n > 1 ? [`x${n - 1}`] : [])), store, stages(log));
    expect(maxWriting()).toBe(1);
    expect(log.filter((l) => l.startsWith('write'))).toEqual([1, 2, 3, 4, 5].flatMap((n) => [`write ${n} start`, `write ${n} done`]));
    // never more than two batches assembled ahead of the last finished write
    for (const n of [4, 5]) expect(log.indexOf(`assemble ${n}`)).toBeGreaterThan(log.indexOf(`write ${n - 2} done`));
  });

  it('a failed write stops every later write; what was written before it stays', async () => {
    const { store, log, stored } = fakeStore({ failWrite: 2 });
    await expect(ingestInOrder([batch(1, ['a']), batch(2, ['b']), batch(3, ['c']), batch(4, ['d'])], store, stages(log))).rejects.toThrow('store down at batch 2');
    expect([...stored.keys()]).toEqual(['a']);
    expect(log).not.toContain('write 3 start');
    expect(log).not.toContain('write 4 start');
  });

  it('a batch that cannot be assembled: the writes already on their way finish, then the error', async () => {
    const { store, log, stored } = fakeStore({ writeMs: 20 });
    await expect(ingestInOrder([batch(1, ['a']), batch(2, [], ['nobody'])], store, stages(log))).rejects.toThrow('batch 2: no state for nobody');
    expect([...stored.keys()]).toEqual(['a']);
  });

  it('with something to run after each write (detection), one batch at a time', async () => {
    const { store, log } = fakeStore();
    await ingestInOrder([batch(1, ['a']), batch(2, [], ['a'])], store, stages(log, async (r) => void log.push(`detect ${r.records}`)));
    expect(log.indexOf('assemble 2')).toBeGreaterThan(log.indexOf('detect 1'));
  });
});
