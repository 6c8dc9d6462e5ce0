import { describe, expect, it } from 'vitest';
import { encodeRecord, fitRecord, hmacPads, macOf, parseRecordLine, validateRecord, verifyRecord } from './records';
import { MAC_HEX_LENGTH, MAX_RECORD_BYTES, RECORD_LINE_START, type ProvRecord } from '../protocol/wrapper-records';

const KEY = '00112233445566778899aabbccddeeff';
const OTHER_KEY = 'ffeeddccbbaa99887766554433221100';
const base = { a: 'act-1', r: 'req-1', ts: 1700000000000.5, s: 1 };

const samples: ProvRecord[] = [
  { ...base, s: 0, t: 'begin', act: '/_/purchase', ns: '_', pid: 42, host: 'c1', cold: true, k: KEY },
  { ...base, t: 'end', ok: false, err: 'boom', dur: 12.5, hf: 2, hfm: 'fs.open: x' },
  { ...base, t: 'invoke', to: 'get-price', child: 'abc', blocking: true },
  { ...base, t: 'fs', op: 'rename', path: '/tmp/a', path2: '/tmp/b' },
  { ...base, t: 'fs', op: 'read', path: '/tmp/ü€😀', n: 10 },
  { ...base, t: 'net', op: 'connect', addr: '127.0.0.1', port: 8000, proto: 'tcp' },
  { ...base, t: 'http', method: 'GET', url: 'http://x/y', host: 'x', port: 80, status: 200 },
  { ...base, t: 'proc', op: 'exit', cmd: 'ls', pid: 7, code: 'SIGKILL' },
  { ...base, t: 'ddb', op: 'Query', table: 'T', keys: [{ id: 1 }, { id: 'two' }] },
];

function lineOf(r: ProvRecord, key = KEY): string {
  return encodeRecord(r, key).replace(/\n$/, '');
}

describe('encodeRecord / parseRecordLine / verifyRecord', () => {
  it.each(samples.map((r) => [r.t, r] as const))('round-trips a %s record', (_t, r) => {
    const encoded = encodeRecord(r, KEY);
    expect(encoded.endsWith('\n')).toBe(true);
    expect(encoded.indexOf('\n')).toBe(encoded.length - 1);
    expect(encoded.startsWith(RECORD_LINE_START)).toBe(true);
    const parsed = parseRecordLine(encoded.slice(0, -1));
    if ('error' in parsed) throw new Error(parsed.detail);
    const { m, ...rest } = parsed.record;
    expect(rest).toEqual(r);
    if (r.t === 'begin') {
      expect(m).toBeUndefined();
      expect(verifyRecord(parsed.record, encoded, KEY)).toBe(false);
    } else {
      expect(m).toMatch(new RegExp(`^[0-9a-f]{${MAC_HEX_LENGTH}}$`));
      expect(verifyRecord(parsed.record, encoded.slice(0, -1), KEY)).toBe(true);
      expect(verifyRecord(parsed.record, encoded.slice(0, -1), OTHER_KEY)).toBe(false);
    }
  });

  it('puts m last and signs exactly the JSON without it', () => {
    const line = lineOf(samples[2]);
    const json = line.slice(RECORD_LINE_START.length);
    const m = JSON.parse(json).m as string;
    expect(json.endsWith(`,"m":"${m}"}`)).toBe(true);
    const signed = json.slice(0, json.length - `,"m":"${m}"}`.length) + '}';
    expect(macOf(signed, KEY)).toBe(m);
  });

  // the wrapper signs with the key decoded once per activation (its bytes, when the padded form falls back); the correlator verifies with the hex key of the begin record
  it.each(samples.filter((r) => r.t !== 'begin').map((r) => [r.t, r] as const))('signs a %s record with the key bytes exactly as with the hex key', (_t, r) => {
    const withBytes = encodeRecord(r, Buffer.from(KEY, 'hex'));
    expect(withBytes).toBe(encodeRecord(r, KEY));
    const parsed = parseRecordLine(withBytes.slice(0, -1));
    if ('error' in parsed) throw new Error(parsed.detail);
    expect(verifyRecord(parsed.record, withBytes.slice(0, -1), KEY)).toBe(true);
    expect(encodeRecord(r, Buffer.from(OTHER_KEY, 'hex'))).not.toBe(withBytes);
  });

  // the wrapper signs with the key's padded blocks and two one-shot hashes: the same HMAC-SHA256
  it.each(samples.filter((r) => r.t !== 'begin').map((r) => [r.t, r] as const))('signs a %s record with the padded key exactly as with the hex key', (_t, r) => {
    expect(encodeRecord(r, hmacPads(Buffer.from(KEY, 'hex')))).toBe(encodeRecord(r, KEY));
    expect(encodeRecord(r, hmacPads(Buffer.from(OTHER_KEY, 'hex')))).toBe(encodeRecord(r, OTHER_KEY));
  });

  it.each([
    ['empty', ''],
    ['ascii', '{"t":"end","a":"x"}'],
    ['multi-byte', '{"p":"ü€😀"}'.repeat(50)],
    ['longer than the scratch space (falls back to createHmac)', 'x'.repeat(20_000)],
    ['multi-byte, longer than the scratch space in bytes only', '€'.repeat(3000)],
  ])('computes the HMAC of %s text from the padded key as createHmac does', (_name, text) => {
    const pads = hmacPads(Buffer.from(KEY, 'hex'));
    expect(macOf(text, pads)).toBe(macOf(text, KEY));
    // the scratch space is reused: a second, shorter text is not mixed with the first
    expect(macOf('short', pads)).toBe(macOf('short', KEY));
  });

  const good = lineOf(samples[3]);
  const tamper: Array<[string, string]> = [
    ['a changed path', good.replace('/tmp/a', '/tmp/x')],
    ['a changed activation', good.replace('act-1', 'act-2')],
    ['a changed sequence number', good.replace('"s":1', '"s":2')],
    ['the MAC moved before the end', good.replace(/,"m":"([0-9a-f]+)"\}$/, '}').replace('{', `{"m":"${JSON.parse(good.slice(RECORD_LINE_START.length)).m}",`)],
    ['a duplicate m key', good.replace('{', '{"m":"0000000000000000",')],
    ['whitespace added inside the JSON', good.replace('"op":', '"op": ')],
  ];
  it.each(tamper)('rejects %s at verification', (_what, line) => {
    const parsed = parseRecordLine(line);
    if ('error' in parsed) return; // refused even earlier: fine
    expect(verifyRecord(parsed.record, line, KEY)).toBe(false);
  });

  it('refuses a key that is not hex', () => {
    const parsed = parseRecordLine(good);
    if ('error' in parsed) throw new Error(parsed.detail);
    expect(verifyRecord(parsed.record, good, 'not-hex')).toBe(false);
  });
});

describe('parseRecordLine rejects hostile and broken lines with a reason', () => {
  const json = (o: unknown) => `${RECORD_LINE_START}${JSON.stringify(o)}`;
  const m = '0123456789abcdef';
  const cases: Array<[string, string, string, string?]> = [
    ['a plain log line', 'hello world', 'not-record'],
    ['an unknown version', '@prov/2 {"t":"begin"}', 'unknown-version'],
    ['a version without space', '@prov/1{"t":"begin"}', 'unknown-version'],
    ['a truncated line', good().slice(0, 60), 'truncated'],
    ['bad JSON', `${RECORD_LINE_START}{"t":fs}`, 'bad-json'],
    ['an empty payload', RECORD_LINE_START, 'bad-json'],
    ['a JSON array', `${RECORD_LINE_START}[1,2]`, 'not-object'],
    ['a JSON string', `${RECORD_LINE_START}"x"`, 'not-object'],
    ['an unknown type', json({ ...base, t: 'evil', m }), 'unknown-type'],
    ['a missing type', json({ ...base, m }), 'unknown-type'],
    ['a missing activation', json({ r: 'x', ts: 1, s: 1, t: 'fs', op: 'open', path: '/x', m }), 'bad-field', 'a'],
    ['an empty activation', json({ ...base, a: '', t: 'fs', op: 'open', path: '/x', m }), 'bad-field', 'a'],
    ['a string timestamp', json({ ...base, ts: '1', t: 'fs', op: 'open', path: '/x', m }), 'bad-field', 'ts'],
    ['a negative sequence', json({ ...base, s: -1, t: 'fs', op: 'open', path: '/x', m }), 'bad-field', 's'],
    ['a fractional sequence', json({ ...base, s: 1.5, t: 'fs', op: 'open', path: '/x', m }), 'bad-field', 's'],
    ['an unknown fs op', json({ ...base, t: 'fs', op: 'format', path: '/x', m }), 'bad-field', 'op'],
    ['a numeric path', json({ ...base, t: 'fs', op: 'open', path: 5, m }), 'bad-field', 'path'],
    ['a string port', json({ ...base, t: 'net', op: 'connect', addr: 'x', port: '80', proto: 'tcp', m }), 'bad-field', 'port'],
    ['an unknown proto', json({ ...base, t: 'net', op: 'connect', addr: 'x', port: 80, proto: 'sctp', m }), 'bad-field', 'proto'],
    ['args not strings', json({ ...base, t: 'proc', op: 'spawn', cmd: 'x', args: [1], m }), 'bad-field', 'args'],
    ['a key that is an array', json({ ...base, t: 'ddb', op: 'GetItem', table: 'T', key: [1], m }), 'bad-field', 'key'],
    ['keys not objects', json({ ...base, t: 'ddb', op: 'Query', table: 'T', keys: ['x'], m }), 'bad-field', 'keys'],
    ['a string boolean', json({ ...base, t: 'invoke', to: 'x', blocking: 'true', m }), 'bad-field', 'blocking'],
    ['a begin without key', json({ ...base, s: 0, t: 'begin', act: 'x', ns: '_', pid: 1, host: 'h', cold: true }), 'bad-field', 'k'],
    ['a begin with a MAC', json({ ...base, s: 0, t: 'begin', act: 'x', ns: '_', pid: 1, host: 'h', cold: true, k: KEY, m }), 'unexpected-mac', 'm'],
    ['a record without MAC', json({ ...base, t: 'fs', op: 'open', path: '/x' }), 'missing-mac', 'm'],
    ['a short MAC', json({ ...base, t: 'fs', op: 'open', path: '/x', m: 'abc' }), 'bad-field', 'm'],
    ['an oversized line', json({ ...base, t: 'fs', op: 'open', path: 'x'.repeat(MAX_RECORD_BYTES), m }), 'oversized'],
  ];
  function good(): string {
    return lineOf(samples[3]);
  }
  it.each(cases)('%s', (_what, line, reason, field) => {
    const parsed = parseRecordLine(line);
    expect('error' in parsed && parsed.error).toBe(reason);
    if (field) expect('error' in parsed && parsed.field).toBe(field);
    if ('error' in parsed) expect(parsed.detail.length).toBeGreaterThan(0);
  });

  it('tolerates unknown extra fields (additive schema evolution)', () => {
    const parsed = parseRecordLine(`${RECORD_LINE_START}${JSON.stringify({ ...base, t: 'fs', op: 'open', path: '/x', future: 1, m })}`);
    expect('record' in parsed).toBe(true);
  });

  it('validateRecord checks an object directly', () => {
    expect('record' in validateRecord({ ...samples[2], m })).toBe(true);
    expect(validateRecord(null)).toMatchObject({ error: 'not-object' });
  });
});

describe('size cap', () => {
  it.each([
    ['a huge path', { ...base, t: 'fs', op: 'write', path: '/tmp/' + 'p'.repeat(50_000) } as ProvRecord],
    ['many args', { ...base, t: 'proc', op: 'spawn', cmd: 'x', args: Array.from({ length: 5000 }, (_, i) => `arg${i}`) } as ProvRecord],
    ['huge multi-byte text', { ...base, t: 'end', ok: false, dur: 1, err: '😀'.repeat(20_000) } as ProvRecord],
    ['many big keys', { ...base, t: 'ddb', op: 'Scan', table: 'T', keys: Array.from({ length: 100 }, (_, i) => ({ id: `${i}`.repeat(500) })) } as ProvRecord],
  ])('keeps %s under MAX_RECORD_BYTES and still valid and verifiable', (_what, r) => {
    const line = encodeRecord(r, KEY).slice(0, -1);
    expect(Buffer.byteLength(line.slice(RECORD_LINE_START.length), 'utf8')).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const parsed = parseRecordLine(line);
    if ('error' in parsed) throw new Error(parsed.detail);
    expect(verifyRecord(parsed.record, line, KEY)).toBe(true);
    expect(parsed.record.a).toBe(base.a);
  });

  it('leaves a record that fits untouched', () => {
    const r = samples[3];
    expect(fitRecord(r)).toBe(r);
  });

  it('marks cut strings with an ellipsis', () => {
    const r = fitRecord({ ...base, t: 'fs', op: 'write', path: 'p'.repeat(20_000) } as ProvRecord) as { path: string };
    expect(r.path.endsWith('…')).toBe(true);
    expect(r.path.length).toBeLessThan(20_000);
  });

  it('refuses when even the fixed fields do not fit', () => {
    expect(() => encodeRecord({ ...base, a: 'a'.repeat(MAX_RECORD_BYTES), t: 'fs', op: 'open', path: '/' } as ProvRecord, KEY)).toThrow(/cannot fit/);
  });
});
