// The pull loop over fakes of the REST API and the store (the real ones: test/collect.test.ts).
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../protocol/batch';
import type { ActivationDoc } from './activation-batch';
import { advance, firstCheckpoint, MAX_SEEN, type CollectCheckpoint } from './checkpoint';
import { collect, type CollectDeps } from './collect';
import { classifyFailure, type PullSource } from './rest';

const doc = (id: string, start: number): ActivationDoc => ({ activationId: id, namespace: 'guest', name: 'a', start, end: start + 5 });

function fakes(docs: ActivationDoc[], failLogsOf?: string) {
  const checkpoints = new Map<string, CollectCheckpoint>();
  const ingested: string[] = [];
  const pages: Array<{ since: number; skip: number }> = [];
  const source: PullSource = {
    async listPage({ since, skip, limit }) {
      pages.push({ since, skip });
      return docs.filter((d) => d.start >= since).sort((a, b) => b.start - a.start).slice(skip, skip + limit);
    },
    async logs(id) {
      if (id === failLogsOf) throw new Error('HTTP 500');
      return [`2026-01-01T00:00:00.000Z stdout: line of ${id}`];
    },
  };
  const deps: CollectDeps = {
    source,
    checkpoints: { getCollectCheckpoint: async (k) => checkpoints.get(k), putCollectCheckpoint: async (k, c) => void checkpoints.set(k, c) },
    ingest: async (batch: Batch) => {
      ingested.push(batch.lines[0]!.line.replace('line of ', ''));
      return { requests: [`req-${batch.lines[0]!.line.slice(-2)}`] };
    },
    writeFragment: async () => undefined,
    detect: async () => undefined,
    log: () => undefined,
  };
  return { deps, checkpoints, ingested, pages };
}

describe('collect', () => {
  it('pages through everything, ingests oldest first, and a second run fetches nothing new', async () => {
    const docs = Array.from({ length: 5 }, (_, i) => doc(`a${i}`, 1000 + i));
    const { deps, ingested, pages } = fakes(docs);
    const first = await collect(deps, { key: 'k', pageSize: 2 });
    expect(ingested).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(pages.map((p) => p.skip)).toEqual([0, 2, 4]);
    expect(first).toMatchObject({ listed: 5, collected: 5 });
    const second = await collect(deps, { key: 'k', pageSize: 2 });
    expect(second).toMatchObject({ listed: 5, collected: 0, requests: [] });
    expect(ingested).toHaveLength(5);
  });

  it('looks back over the window for activations that were still running, and collects them once', async () => {
    const docs = [doc('a0', 100_000)];
    const { deps, ingested, pages } = fakes(docs);
    await collect(deps, { key: 'k', overlapMs: 10_000 });
    docs.push(doc('late', 95_000), doc('new', 120_000)); // `late` started before the last run but ended after it
    await collect(deps, { key: 'k', overlapMs: 10_000 });
    expect(pages[1]!.since).toBe(90_000);
    expect(ingested).toEqual(['a0', 'late', 'new']);
  });

  it('leaves the checkpoint where it was when a run fails half-way', async () => {
    const { deps, checkpoints, ingested } = fakes([doc('a0', 1), doc('bad', 2), doc('a2', 3)], 'bad');
    await expect(collect(deps, { key: 'k' })).rejects.toThrow('HTTP 500');
    expect(ingested).toEqual(['a0']);
    expect(checkpoints.has('k')).toBe(false);
  });
});

describe('the checkpoint', () => {
  it('keeps only what is inside the window, newest first, at most MAX_SEEN', () => {
    const cp = advance(firstCheckpoint(0), [{ activationId: 'old', start: 1 }, { activationId: 'new', start: 100 }], 50);
    expect(cp).toEqual({ since: 50, seen: [['new', 100]], newest: 100 });
    const many = Array.from({ length: MAX_SEEN + 3 }, (_, i) => ({ activationId: `a${i}`, start: 1000 + i }));
    expect(advance(firstCheckpoint(0), many, 1e9).seen).toHaveLength(MAX_SEEN);
  });
});

describe('REST failures', () => {
  const cases: Array<[string, unknown, boolean, RegExp]> = [
    ['401', { statusCode: 401 }, false, /refused the credentials \(HTTP 401\).*check --auth/],
    ['403', { statusCode: 403 }, false, /refused the credentials \(HTTP 403\)/],
    ['429', { statusCode: 429 }, true, /throttling \(HTTP 429\)/],
    ['503', Object.assign(new Error('down'), { statusCode: 503 }), true, /failed \(HTTP 503\).*down/],
    ['404', Object.assign(new Error('no such namespace'), { statusCode: 404 }), false, /refused \(HTTP 404\)/],
    ['a dropped connection', new Error('ECONNREFUSED'), true, /cannot reach .*check --apihost/],
  ];
  it.each(cases)('%s', (_what, err, retry, message) => {
    const out = classifyFailure(err, 'https://ow', 'listing activations');
    expect(out.retry).toBe(retry);
    expect(out.message).toMatch(message);
  });
});
