// The warm correlator's memory is used only for invokers whose every batch it has seen: a gap in an
// invoker's batch numbers (a batch that went to another correlator) makes it read the store again.
import { describe, expect, it } from 'vitest';
import type { AnalysisSource } from '../../upg/analyses/gather';
import { invokerOf, warmMemory } from './warm-memory';

function countingSource(): AnalysisSource & { histories: number } {
  const source = {
    histories: 0,
    getRequestGraph: async () => undefined,
    containerActivations: async () => [],
    async entityHistory() {
      source.histories++;
      return [];
    },
  };
  return source;
}

describe('invokerOf', () => {
  it.each([
    ['ctr:inv0/c1', 'inv0'],
    ['file:inv0/c1:/tmp/x', 'inv0'],
    ['file:local-vm/abc:/a/b/c', 'local-vm'],
    ['sock:tcp:127.0.0.1:80', ''],
    ['file:' + 'x'.repeat(60) + '…#0123456789abcdef', ''],
    ['', ''],
  ])('%s names invoker %j', (id, invoker) => expect(invokerOf(id)).toBe(invoker));
});

describe('warmMemory', () => {
  const file = (invoker: string) => `file:${invoker}/c0:/tmp/x`;
  const historyReads = async (store: { histories: number }, source: AnalysisSource, id: string): Promise<number> => {
    const before = store.histories;
    await source.entityHistory(id);
    return store.histories - before;
  };

  it('remembers the files of followed invokers only, and forgets after a gap in their batches', async () => {
    const store = countingSource();
    const memory = warmMemory(store);
    const steps: Array<{ follow?: [string, number]; forget?: true; read: string; storeReads: number }> = [
      { follow: ['inv0', 1], read: file('inv0'), storeReads: 1 },
      { read: file('inv0'), storeReads: 0 },
      { read: file('inv1'), storeReads: 1 }, // never followed: read afresh each time
      { read: file('inv1'), storeReads: 1 },
      { follow: ['inv0', 2], read: file('inv0'), storeReads: 0 },
      { follow: ['inv0', 2], read: file('inv0'), storeReads: 0 }, // a retry of a batch seen
      { follow: ['inv0', 4], read: file('inv0'), storeReads: 1 }, // batch 3 went elsewhere
      { read: file('inv0'), storeReads: 0 },
      { follow: ['inv0', 2], read: file('inv0'), storeReads: 1 }, // numbers went back: the agent numbers afresh
      { follow: ['inv0', 3], read: file('inv0'), storeReads: 0 },
      { follow: ['inv1', 7], read: file('inv1'), storeReads: 1 }, // first batch of inv1: starts afresh
      { read: file('inv0'), storeReads: 1 },
      { follow: ['inv1', 8], read: file('inv0'), storeReads: 0 }, // inv0 is still followed
      { forget: true, read: file('inv0'), storeReads: 1 }, // e.g. a batch ingested without detection
      { read: file('inv0'), storeReads: 1 }, // and no invoker is followed until its next batch
      { follow: ['inv/0', 1], read: 'file:inv/0/c0:/tmp/x', storeReads: 1 }, // a name ids cannot tell apart
      { read: 'file:inv/0/c0:/tmp/x', storeReads: 1 },
    ];
    for (const [i, step] of steps.entries()) {
      if (step.follow) memory.follow({ invoker: step.follow[0], batch: step.follow[1] });
      if (step.forget) memory.forget();
      expect(await historyReads(store, memory.source, step.read), `step ${i}`).toBe(step.storeReads);
    }
  });
});
