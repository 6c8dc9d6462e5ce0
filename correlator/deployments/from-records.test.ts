import { describe, expect, it } from 'vitest';
import { encodeDeployment, type DeploymentDocument } from '../../protocol/deployment';
import type { Batch } from '../../protocol/batch';
import type { ProvRecord } from '../../protocol/wrapper-records';
import type { ActivationMeta } from '../../store/types';
import { encodeRecord } from '../../wrapper/records';
import { classifyBatch } from '../ingest/classify-batch';
import { claims, deploymentsFromRecords } from './from-records';

const KEY = 'ab'.repeat(16);
const doc: DeploymentDocument = { v: 1, service: 'shop', stage: 'dev', actions: ['_/shop-dev-leak'], sensitive: { secrets: ['token.json'] }, deployedAt: 7 };
const noise = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36));
const big: DeploymentDocument = { ...doc, profile: { entry: 'x', noise } };

const begin = (a: string, act = '/guest/shop-dev-leak'): ProvRecord => ({ t: 'begin', a, r: 'req', ts: 1, s: 0, act, ns: 'guest', pid: 1, host: 'h', cold: true, k: KEY, dh: 'x' });
const parts = (a: string, d: DeploymentDocument, from = 1) => {
  const { hash, parts: data } = encodeDeployment(d);
  return data.map((p, i): ProvRecord => ({ t: 'dep', a, r: 'req', ts: 2, s: from + i, h: hash, i, n: data.length, d: p }));
};
const line = (r: ProvRecord, key = KEY) => encodeRecord(r, key).replace(/\n$/, '');
const batchOf = (lines: string[]): Batch => ({
  v: 1,
  invoker: 'inv',
  batch: 1,
  containers: [{ container: 'c1', invoker: 'inv', action: '/guest/shop-dev-leak', started: 0 }],
  lines: lines.map((l, seq) => ({ container: 'c1', stream: 'stdout', time: 10 + seq, line: l, seq })),
});
const stored: ActivationMeta = { activationId: 'a-old', requestId: 'req', action: '/guest/shop-dev-leak', container: 'node-c1', key: KEY };

describe('deployments a batch delivers', () => {
  const cases: Array<[string, string[], Map<string, ActivationMeta>, { services: string[]; problem?: RegExp }]> = [
    ['one part after its begin', [line(begin('a1')), ...parts('a1', doc).map((r) => line(r))], new Map(), { services: ['shop/dev'] }],
    ['several parts (a profile)', [line(begin('a1')), ...parts('a1', big).map((r) => line(r))], new Map(), { services: ['shop/dev'] }],
    ['parts of an activation begun in an earlier batch', parts('a-old', doc).map((r) => line(r)), new Map([['a-old', stored]]), { services: ['shop/dev'] }],
    ['a part under another key (forged)', [line(begin('a1')), ...parts('a1', doc).map((r) => line(r, 'cd'.repeat(16)))], new Map(), { services: [], problem: /does not verify/ }],
    ['parts without a begin', parts('a1', doc).map((r) => line(r)), new Map(), { services: [], problem: /does not verify/ }],
    ['a missing part', [line(begin('a1')), ...parts('a1', big).slice(1).map((r) => line(r))], new Map(), { services: [], problem: /parts are missing/ }],
    ['settings of a service the sender is not part of', [line(begin('a1', '/guest/other-dev-x')), ...parts('a1', doc).map((r) => line(r))], new Map(), { services: [], problem: /not an action of shop\/dev/ }],
  ];
  it.each(cases)('%s', (_what, lines, known, expected) => {
    const { delivered, problems } = deploymentsFromRecords(classifyBatch(batchOf(lines)), known);
    expect(delivered.map((d) => `${d.doc.service}/${d.doc.stage}`)).toEqual(expected.services);
    if (expected.problem) expect(problems.join('\n')).toMatch(expected.problem);
    else expect(problems).toEqual([]);
  });

  it('gives the document back as the plugin wrote it', () => {
    const { delivered } = deploymentsFromRecords(classifyBatch(batchOf([line(begin('a1')), ...parts('a1', big).map((r) => line(r))])), new Map());
    expect(delivered).toEqual([{ hash: encodeDeployment(big).hash, doc: big, action: '/guest/shop-dev-leak', namespace: 'guest', actions: ['guest/shop-dev-leak'] }]);
  });

  // A service lives in its sender's namespace: no tenant can set another tenant's settings.
  const scoped: Array<[string, string[], string[], RegExp | undefined]> = [
    ['`_` becomes the sender\'s namespace', ['_/shop-dev-leak', '_/shop-dev-other'], ['guest/shop-dev-leak', 'guest/shop-dev-other'], undefined],
    ['its own namespace stays', ['guest/shop-dev-leak'], ['guest/shop-dev-leak'], undefined],
    ['another namespace\'s action is left out, and said', ['_/shop-dev-leak', 'victim/front'], ['guest/shop-dev-leak'], /names victim\/front, outside namespace guest/],
  ];
  it.each(scoped)('%s', (_what, actions, expected, problem) => {
    const lines = [line(begin('a1')), ...parts('a1', { ...doc, actions }).map((r) => line(r))];
    const { delivered, problems } = deploymentsFromRecords(classifyBatch(batchOf(lines)), new Map());
    expect(delivered.map((d) => [d.namespace, d.actions])).toEqual([['guest', expected]]);
    if (problem) expect(problems.join('\n')).toMatch(problem);
    else expect(problems).toEqual([]);
  });

  const names: Array<[string[], string, boolean]> = [
    [['_/shop-dev-leak'], '/guest/shop-dev-leak', true],
    [['guest/shop-dev-leak'], '/guest/shop-dev-leak', true],
    [['other/shop-dev-leak'], '/guest/shop-dev-leak', false],
    [['_/shop-dev-leak'], '/guest/shop-dev-other', false],
  ];
  it.each(names)('%j claims %s: %s', (actions, action, expected) => expect(claims(actions, action)).toBe(expected));
});
