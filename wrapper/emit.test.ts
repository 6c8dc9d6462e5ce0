import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idsJsonOf, recordText } from './emit';
import { encodeRecord, fitsRecordLimit, parseRecordLine, recordLine, verifyRecord } from './records';
import type { RecordType } from '../protocol/wrapper-records';

const KEY = '00112233445566778899aabbccddeeff';

// emitRecord builds a record's JSON from the activation's ids serialised once and the fields alone;
// the text must be exactly what serialising the whole record gives, or the MAC would sign other bytes
describe('recordText', () => {
  const cases: Array<[RecordType, string, string, number, number, object]> = [
    ['begin', 'act-1', 'req-1', 1700000000000, 0, { act: '/_/purchase', ns: '_', pid: 42, host: 'c1', cold: true, k: KEY }],
    ['end', 'act-1', 'req-1', 1700000000123, 4, { ok: true, dur: 3.25 }],
    ['end', 'act-1', '', 1700000000123, 4, { ok: false, err: 'boom "quoted"\n', dur: 0.001, hf: undefined }],
    ['http', 'a"b\\c', 'r\u2028', 1, 2, { method: 'POST', url: 'http://h/ü€😀', host: 'h', port: 80, status: undefined }],
    ['invoke', 'a', 'r', 1700000000000.5, 3, {}],
    ['ddb', 'a', 'r', 5, 6, { op: 'Query', table: 'T', keys: [{ id: 1 }, { id: 'two', n: null }] }],
  ];
  it.each(cases)('writes a %s record as JSON.stringify of the whole record', (t, a, r, ts, s, fields) => {
    expect(recordText(t, idsJsonOf(a, r), ts, s, fields)).toBe(JSON.stringify({ t, a, r, ts, s, ...fields }));
  });

  it('gives the same text for any ids and fields (property)', () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), fc.nat(), fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/).filter((k) => !['t', 'a', 'r', 'ts', 's', 'm'].includes(k)), field), (a, r, ts, s, fields) => {
          expect(recordText('fs', idsJsonOf(a, r), ts, s, fields)).toBe(JSON.stringify({ t: 'fs', a, r, ts, s, ...fields }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('signs a line built from it exactly as encodeRecord does, and the line verifies', () => {
    const fields = { method: 'GET', url: 'http://x/y', host: 'x', port: 80, status: 200 };
    const json = recordText('http', idsJsonOf('act-1', 'req-1'), 1700000000000, 2, fields);
    expect(fitsRecordLimit(json)).toBe(true);
    const line = recordLine(json, 'http', Buffer.from(KEY, 'hex'));
    expect(line).toBe(encodeRecord({ t: 'http', a: 'act-1', r: 'req-1', ts: 1700000000000, s: 2, ...fields }, KEY));
    const parsed = parseRecordLine(line.slice(0, -1));
    if ('error' in parsed) throw new Error(parsed.detail);
    expect(verifyRecord(parsed.record, line.slice(0, -1), KEY)).toBe(true);
  });

  it('says when a record is over the limit, so that the encoder shrinks it', () => {
    const json = recordText('fs', idsJsonOf('a', 'r'), 1, 1, { op: 'open', path: 'x'.repeat(9000) });
    expect(fitsRecordLimit(json)).toBe(false);
  });
});
