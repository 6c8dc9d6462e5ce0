import { describe, expect, it } from 'vitest';
import type { ActivationMeta } from '../../store/types';
import { encodeRecord } from '../../wrapper/records';
import { ActivationWriter } from '../../test/batch-builder';
import { actionPath, judgeRecordLine, type RecordVerdict } from './judge-record';

const KEY = 'a1'.repeat(16);
const OTHER_KEY = 'b2'.repeat(16);
const CTR = 'ctr:inv0/c1';
const writer = () => new ActivationWriter('act1', 'req1', KEY);
const beginLine = (w = writer()) => w.begin(1000, { act: '/_/purchase', ns: '_', pid: 42, host: 'c1', cold: true });
const meta: ActivationMeta = { activationId: 'act1', requestId: 'req1', action: '/_/purchase', container: CTR, key: KEY, start: 1000, nextSeq: 1 };
const known = new Map([[meta.activationId, meta]]);
const ctx = (metas: Map<string, ActivationMeta> = known) => ({ containerNodeId: CTR, containerAction: '/_/purchase', metas });

function reason(v: RecordVerdict): string {
  return v.ok ? 'accepted' : v.reason;
}

function fsLine(w = writer()): string {
  w.skip(1);
  return w.record({ t: 'fs', op: 'write', path: '/tmp/x', n: 3 }, 1001);
}

describe('judgeRecordLine', () => {
  const cases: Array<[string, () => string, Map<string, ActivationMeta>, string]> = [
    ['a genuine begin for a new activation', () => beginLine(), new Map(), 'accepted'],
    ['the same begin again (a retried batch)', () => beginLine(), known, 'accepted'],
    ['a second begin with another key (handler printing a begin for its own activation)', () => beginLine(new ActivationWriter('act1', 'req1', OTHER_KEY)), known, 'duplicate-begin'],
    ['a genuine signed record', () => fsLine(), known, 'accepted'],
    ['a record of an activation with no begin', () => fsLine(), new Map(), 'no-begin'],
    ['a forged MAC (signed with a guessed key)', () => fsLine(new ActivationWriter('act1', 'req1', OTHER_KEY)), known, 'bad-mac'],
    ['an altered field after signing', () => fsLine().replace('/tmp/x', '/tmp/y'), known, 'bad-mac'],
    ['a record with its MAC removed', () => fsLine().replace(/,"m":"[0-9a-f]+"/, ''), known, 'missing-mac'],
    ['a truncated line', () => fsLine().slice(0, 40), known, 'truncated'],
    ['an unknown version', () => fsLine().replace('@prov/1 ', '@prov/2 '), known, 'unknown-version'],
    ['an unknown type', () => encodeRecord({ t: 'evil', a: 'act1', r: 'req1', ts: 1, s: 1 } as never, KEY).trim(), known, 'unknown-type'],
    ['bad json', () => '@prov/1 {"t":"fs",,}', known, 'bad-json'],
    ['oversize', () => `@prov/1 {"t":"fs","path":"${'x'.repeat(9000)}"}`, known, 'oversized'],
    ['a valid record naming another request', () => fsLine(new ActivationWriter('act1', 'req-other', KEY)), known, 'request-mismatch'],
    [
      'a begin for an action other than the container runs',
      () => new ActivationWriter('act9', 'req1', KEY).begin(1, { act: '/_/get-price', ns: '_', pid: 1, host: 'c1', cold: false }),
      new Map(),
      'action-mismatch',
    ],
  ];
  it.each(cases)('%s -> %s', (_name, line, metas, expected) => {
    expect(reason(judgeRecordLine(line(), ctx(metas)))).toBe(expected);
  });

  it('refuses a genuine record read from another container', () => {
    const v = judgeRecordLine(fsLine(), { containerNodeId: 'ctr:inv0/c2', metas: known });
    expect(reason(v)).toBe('wrong-container');
    expect(v.ok ? undefined : v.claimedActivationId).toBe('act1');
  });

  it('gives a first-seen begin the state to keep, and a re-delivered one the state it had', () => {
    const fresh = judgeRecordLine(beginLine(), ctx(new Map()));
    expect(fresh).toMatchObject({ ok: true, redelivered: false, meta: { ...meta } });
    const again = judgeRecordLine(beginLine(), ctx());
    expect(again).toMatchObject({ ok: true, redelivered: true, meta });
  });

  it('compares actions without their namespace', () => {
    expect(actionPath('/_/purchase')).toBe('purchase');
    expect(actionPath('/guest/purchase')).toBe('purchase');
    expect(actionPath('/guest/pkg/purchase')).toBe('pkg/purchase');
    expect(actionPath('purchase')).toBe('purchase');
  });
});
