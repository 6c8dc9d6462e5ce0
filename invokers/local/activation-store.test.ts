import { describe, expect, it } from 'vitest';
import { makeResponse, type ActivationRecord } from './activation-record';
import { ActivationStore, parseActivationQuery, queryActivations } from './activation-store';

function rec(id: string, name: string, start: number, namespace = 'guest'): ActivationRecord {
  const response = makeResponse('success', {});
  return { namespace, name, version: '0.0.1', subject: 'guest', activationId: id, start, end: start + 1, duration: 1, statusCode: 0, response, logs: ['l'], annotations: [], publish: false };
}

const records = [rec('a', 'x', 100), rec('b', 'y', 200), rec('c', 'x', 300), rec('d', 'z', 400, 'guest/shop')];

function q(s: string) {
  return parseActivationQuery(new URLSearchParams(s));
}

describe('queryActivations', () => {
  it.each([
    ['', ['d', 'c', 'b', 'a']],
    ['name=x', ['c', 'a']],
    ['name=shop/z', ['d']],
    ['name=z', ['d']],
    ['since=200&upto=300', ['c', 'b']],
    ['skip=1&limit=2', ['c', 'b']],
  ])('%s', (query, ids) => {
    const out = queryActivations(records, q(query)) as Array<{ activationId: string }>;
    expect(out.map((r) => r.activationId)).toEqual(ids);
  });

  it('summaries leave out logs and response unless docs=true', () => {
    const [summary] = queryActivations(records, q('limit=1')) as object[];
    expect(summary).not.toHaveProperty('logs');
    expect(summary).not.toHaveProperty('response');
    const [doc] = queryActivations(records, q('limit=1&docs=true')) as object[];
    expect(doc).toHaveProperty('logs', ['l']);
  });

  it('count=true counts', () => {
    expect(queryActivations(records, q('count=true&name=x'))).toEqual({ activations: 2 });
  });

  it.each(['limit=500', 'limit=-1', 'skip=x', 'docs=maybe'])('rejects %s', (query) => {
    expect(() => q(query)).toThrow(/query parameter/);
  });
});

describe('ActivationStore', () => {
  it('forgets the oldest beyond its capacity', () => {
    const store = new ActivationStore(2);
    for (const r of records) store.add(r);
    expect(store.all().map((r) => r.activationId)).toEqual(['c', 'd']);
    expect(store.get('a')).toBeUndefined();
  });
});
