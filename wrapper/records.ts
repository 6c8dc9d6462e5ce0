// Pure encode / sign / verify / validate of the wrapper's one-line records (wrapper/types.ts).
// Shared by the wrapper (writes) and the correlator (reads): no I/O here.
//
// What is signed: the record's JSON text *without* `m`, exactly as written. The wrapper puts
// `m` last, so a line's JSON text is `<signed text minus its closing brace>,"m":"<mac>"}`.
// The verifier cuts that suffix off the line it received and recomputes the MAC over the
// remaining bytes: no re-serialisation, so number formatting or key order never matter.

import * as crypto from 'node:crypto';
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  MAC_HEX_LENGTH,
  MAX_RECORD_BYTES,
  RECORD_LINE_START,
  RECORD_PREFIX,
  RECORD_VERSION,
  type ProvRecord,
  type RecordType,
} from '../protocol/wrapper-records';

/** Why a line or object was refused. Stable codes: the correlator counts by them. */
export type RecordRejectReason =
  | 'not-record' // the line does not start with RECORD_PREFIX: a log line, not a record
  | 'unknown-version' // starts with RECORD_PREFIX but not with RECORD_LINE_START
  | 'oversized' // JSON longer than MAX_RECORD_BYTES
  | 'truncated' // JSON ends before its closing brace (line cut by a pipe, a buffer or a cap)
  | 'bad-json' // not parseable JSON
  | 'not-object' // JSON, but not an object
  | 'unknown-type' // `t` is not a known record type
  | 'bad-field' // a field has the wrong type or is missing (see `field`)
  | 'missing-mac' // a non-begin record without `m`
  | 'unexpected-mac'; // a begin record with `m` (begin carries the key, never a MAC)

export interface RecordRejection {
  error: RecordRejectReason;
  /** the offending field, for bad-field / missing-mac */
  field?: string;
  /** human-readable detail */
  detail: string;
}

export type ParseResult = { record: ProvRecord; json: string } | RecordRejection;

// ---------------------------------------------------------------------------------------------
// Validation: one table of field checks per record type.

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const nonEmptyStr: Check = (v) => typeof v === 'string' && v.length > 0;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNegInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const bool: Check = (v) => typeof v === 'boolean';
const hex = (len?: number): Check => (v) => typeof v === 'string' && /^[0-9a-f]+$/.test(v) && (len === undefined || v.length === len);
const oneOf = (...values: string[]): Check => (v) => typeof v === 'string' && values.includes(v);
const webEntry: Check = (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { m?: unknown }).m === 'string' && typeof (v as { p?: unknown }).p === 'string' &&
  ((v as { h?: unknown }).h === undefined || (typeof (v as { h?: unknown }).h === 'object' && (v as { h?: unknown }).h !== null && Object.values((v as { h: object }).h).every((x) => typeof x === 'string')));
const strArray: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const plainObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const objArray: Check = (v) => Array.isArray(v) && v.every(plainObject);
const codeOrSignal: Check = (v) => num(v) || str(v);

interface FieldSpec {
  check: Check;
  optional?: boolean;
  expect: string;
}
const req = (check: Check, expect: string): FieldSpec => ({ check, expect });
const opt = (check: Check, expect: string): FieldSpec => ({ check, expect, optional: true });

/**
 * The field tables, built at the first validation, not when the module loads: the wrapper only
 * ever encodes, and tables built at load are code with effects, which the bundler must keep (and
 * every container unpack and compile at its cold start) even where nothing validates.
 */
interface Schema {
  types: RecordType[];
  /** each type's fields, the base ones first */
  specs: Record<RecordType, [string, FieldSpec][]>;
}
let schema: Schema | undefined;

function recordSchema(): Schema {
  if (schema) return schema;
  const fields = recordFields();
  const types = Object.keys(fields) as RecordType[];
  const base = baseFields();
  schema = { types, specs: Object.fromEntries(types.map((t) => [t, Object.entries({ ...base, ...fields[t] })])) as Schema['specs'] };
  return schema;
}

const baseFields = (): Record<string, FieldSpec> => ({
  a: req(nonEmptyStr, 'non-empty string'),
  r: req(str, 'string'),
  ts: req(num, 'finite number'),
  s: req(nonNegInt, 'non-negative integer'),
});

const FS_OPS = ['open', 'read', 'write', 'unlink', 'rename', 'mkdir', 'rmdir', 'chmod', 'stat', 'readdir', 'copy', 'symlink', 'link', 'truncate', 'load'];

const recordFields = (): Record<RecordType, Record<string, FieldSpec>> => ({
  begin: {
    act: req(str, 'string'),
    ns: req(str, 'string'),
    pid: req(nonNegInt, 'non-negative integer'),
    host: req(str, 'string'),
    cold: req(bool, 'boolean'),
    k: req(hex(), 'hex string'),
    pa: opt(str, 'string'),
    pk: opt(oneOf('sequence', 'trigger', 'action'), 'sequence|trigger|action'),
    pn: opt(str, 'string'),
    web: opt(webEntry, '{m: string, p: string, h?: {string: string}}'),
    lp: opt(str, 'string'),
    dh: opt(str, 'string'),
  },
  end: {
    ok: req(bool, 'boolean'),
    err: opt(str, 'string'),
    dur: req(num, 'finite number'),
    hf: opt(nonNegInt, 'non-negative integer'),
    hfm: opt(str, 'string'),
  },
  invoke: {
    to: req(str, 'string'),
    child: opt(str, 'string'),
    blocking: req(bool, 'boolean'),
    err: opt(str, 'string'),
    st: opt(num, 'finite number'),
  },
  fs: {
    op: req(oneOf(...FS_OPS), `one of ${FS_OPS.join('|')}`),
    path: req(str, 'string'),
    path2: opt(str, 'string'),
    n: opt(nonNegInt, 'non-negative integer'),
    flags: opt(str, 'string'),
  },
  net: {
    op: req(oneOf('connect', 'listen', 'accept', 'send', 'recv', 'close'), 'connect|listen|accept|send|recv|close'),
    addr: req(str, 'string'),
    port: req(nonNegInt, 'non-negative integer'),
    proto: req(oneOf('tcp', 'udp', 'unix'), 'tcp|udp|unix'),
    n: opt(nonNegInt, 'non-negative integer'),
  },
  http: {
    method: req(str, 'string'),
    url: req(str, 'string'),
    host: req(str, 'string'),
    port: req(nonNegInt, 'non-negative integer'),
    status: opt(nonNegInt, 'non-negative integer'),
    err: opt(str, 'string'),
  },
  proc: {
    op: req(oneOf('spawn', 'exit'), 'spawn|exit'),
    cmd: req(str, 'string'),
    args: opt(strArray, 'array of strings'),
    pid: opt(nonNegInt, 'non-negative integer'),
    code: opt(codeOrSignal, 'number or string'),
  },
  ddb: {
    op: req(nonEmptyStr, 'non-empty string'),
    table: req(str, 'string'),
    key: opt(plainObject, 'object'),
    keys: opt(objArray, 'array of objects'),
    err: opt(str, 'string'),
  },
  dep: {
    h: req(nonEmptyStr, 'non-empty string'),
    i: req(nonNegInt, 'non-negative integer'),
    n: req(nonNegInt, 'non-negative integer'),
    d: req(str, 'string'),
  },
});

/** Checks a parsed value against the v1 schema. Unknown extra fields are tolerated (additive evolution). */
export function validateRecord(value: unknown): { record: ProvRecord } | RecordRejection {
  if (!plainObject(value)) return { error: 'not-object', detail: 'record JSON is not an object' };
  const obj = value as Record<string, unknown>;
  const { types, specs } = recordSchema();
  if (typeof obj.t !== 'string' || !(types as string[]).includes(obj.t)) {
    return { error: 'unknown-type', field: 't', detail: `unknown record type ${JSON.stringify(obj.t)}; expected one of ${types.join('|')}` };
  }
  const t = obj.t as RecordType;
  for (const [field, spec] of specs[t]) {
    const v = obj[field];
    if (v === undefined) {
      if (spec.optional) continue;
      return { error: 'bad-field', field, detail: `${t} record lacks required field "${field}" (${spec.expect})` };
    }
    if (!spec.check(v)) return { error: 'bad-field', field, detail: `${t} record field "${field}" must be ${spec.expect}` };
  }
  if (t === 'begin') {
    if (obj.m !== undefined) return { error: 'unexpected-mac', field: 'm', detail: 'begin record carries a MAC; begin carries the key, never a MAC' };
  } else {
    if (obj.m === undefined) return { error: 'missing-mac', field: 'm', detail: `${t} record has no MAC "m"` };
    if (!hex(MAC_HEX_LENGTH)(obj.m)) return { error: 'bad-field', field: 'm', detail: `MAC "m" must be ${MAC_HEX_LENGTH} lowercase hex characters` };
  }
  return { record: obj as unknown as ProvRecord };
}

/**
 * Parses one output line (without its trailing newline). Lines that are not records at all
 * get 'not-record', so callers can route them to log handling.
 */
export function parseRecordLine(line: string): ParseResult {
  if (!line.startsWith(RECORD_PREFIX)) return { error: 'not-record', detail: 'line does not start with the record prefix' };
  if (!line.startsWith(RECORD_LINE_START)) {
    const version = line.slice(RECORD_PREFIX.length).split(' ', 1)[0];
    return { error: 'unknown-version', detail: `record version ${JSON.stringify(version.slice(0, 16))} is not ${RECORD_VERSION}` };
  }
  const json = line.slice(RECORD_LINE_START.length).replace(/\r$/, '');
  if (Buffer.byteLength(json, 'utf8') > MAX_RECORD_BYTES) {
    return { error: 'oversized', detail: `record JSON exceeds ${MAX_RECORD_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    const trimmed = json.trimEnd();
    if (trimmed.startsWith('{') && !trimmed.endsWith('}')) return { error: 'truncated', detail: 'record JSON ends before its closing brace' };
    return { error: 'bad-json', detail: `record is not valid JSON: ${(e as Error).message}` };
  }
  const checked = validateRecord(value);
  if ('error' in checked) return checked;
  return { record: checked.record, json };
}

// ---------------------------------------------------------------------------------------------
// Signing.

/**
 * A key made ready for many MACs: HMAC-SHA256 is SHA-256(key^opad || SHA-256(key^ipad || text)), so
 * with the two padded key blocks computed once, each MAC is two one-shot hashes (`crypto.hash`,
 * which keeps the digest it fetched from OpenSSL) instead of an HMAC context initialised per record:
 * in the platform's containers that initialisation cost 12-50 µs per record (bench/README.md).
 * Same bytes as createHmac; where `crypto.hash` is missing (Node before 20.12), createHmac is used.
 */
export interface HmacPads {
  readonly inner: Buffer;
  readonly outer: Buffer;
  /** the key itself, for the fallback */
  readonly key: Buffer;
}

type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer' | 'hex') => Buffer | string;
const oneShotHash = (crypto as unknown as { hash?: OneShotHash }).hash;
const SHA256_BLOCK = 64;
const SHA256_BYTES = 32;

/** The padded key blocks of a key of at most 64 bytes (the wrapper's keys are 16). */
export function hmacPads(key: Buffer): HmacPads {
  if (key.length > SHA256_BLOCK) throw new Error(`hmacPads: keys longer than ${SHA256_BLOCK} bytes are hashed first; not supported`);
  const inner = Buffer.alloc(SHA256_BLOCK, 0x36);
  const outer = Buffer.alloc(SHA256_BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] ^= key[i];
    outer[i] ^= key[i];
  }
  return { inner, outer, key };
}

function isPads(key: unknown): key is HmacPads {
  return typeof key === 'object' && key !== null && 'inner' in key && 'outer' in key;
}

/** Scratch space for one MAC at a time (records are signed synchronously): padded key, then the text. */
const innerScratch = Buffer.allocUnsafe(SHA256_BLOCK + MAX_RECORD_BYTES);
const outerScratch = Buffer.allocUnsafe(SHA256_BLOCK + SHA256_BYTES);

function macWithPads(text: string, pads: HmacPads): string {
  const room = innerScratch.length - SHA256_BLOCK;
  if (!oneShotHash || (text.length * 3 > room && Buffer.byteLength(text, 'utf8') > room)) return macOf(text, pads.key);
  pads.inner.copy(innerScratch, 0);
  const n = innerScratch.write(text, SHA256_BLOCK, 'utf8');
  const innerHash = oneShotHash('sha256', innerScratch.subarray(0, SHA256_BLOCK + n), 'buffer') as Buffer;
  pads.outer.copy(outerScratch, 0);
  innerHash.copy(outerScratch, SHA256_BLOCK);
  return (oneShotHash('sha256', outerScratch, 'hex') as string).slice(0, MAC_HEX_LENGTH);
}

/**
 * HMAC-SHA256 of `text` under the key (hex, its bytes, or its padded blocks), truncated
 * to MAC_HEX_LENGTH hex characters. The wrapper passes the padded blocks, made once per activation.
 */
export function macOf(text: string, key: string | Buffer | HmacPads): string {
  if (isPads(key)) return macWithPads(text, key);
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'hex') : key).update(text, 'utf8').digest('hex').slice(0, MAC_HEX_LENGTH);
}

/** The suffix the wrapper appends for the MAC; its presence at the very end is part of verification. */
function macSuffix(mac: string): string {
  return `,"m":"${mac}"}`;
}

/**
 * Verifies a non-begin record against its activation's key (the `k` of that activation's begin).
 * `line` is the exact line the record was parsed from (with or without RECORD_LINE_START).
 * Returns false for begin records (they are not signed), for a MAC that is not last in the
 * text, or for a mismatch.
 */
export function verifyRecord(record: ProvRecord, line: string, keyHex: string): boolean {
  if (record.t === 'begin' || typeof record.m !== 'string' || !/^[0-9a-f]+$/.test(keyHex)) return false;
  const json = (line.startsWith(RECORD_LINE_START) ? line.slice(RECORD_LINE_START.length) : line).replace(/\r$/, '');
  const suffix = macSuffix(record.m);
  if (!json.endsWith(suffix)) return false;
  const signed = json.slice(0, json.length - suffix.length) + '}';
  const expected = Buffer.from(macOf(signed, keyHex), 'utf8');
  const given = Buffer.from(record.m, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

// ---------------------------------------------------------------------------------------------
// Encoding with a hard size cap.

/** Keys never shortened: identity, order and authenticity of the record. */
const FIXED_KEYS = new Set(['t', 'a', 'r', 'ts', 's', 'k', 'm']);
const ELLIPSIS = '…';

function truncateString(s: string, max: number): string {
  if (s.length <= max) return s;
  // Keep whole UTF-16 code points so the result is still valid UTF-8 when written.
  let cut = Math.max(0, max - 1);
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return s.slice(0, cut) + ELLIPSIS;
}

/** Shrinks strings (to maxStr chars) and arrays/objects (to maxItems entries), recursively. */
function shrink(value: unknown, maxStr: number, maxItems: number): unknown {
  if (typeof value === 'string') return truncateString(value, maxStr);
  if (Array.isArray(value)) return value.slice(0, maxItems).map((v) => shrink(v, maxStr, maxItems));
  if (plainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, maxItems)) out[truncateString(k, maxStr)] = shrink(v, maxStr, maxItems);
    return out;
  }
  return value;
}

/** Room kept for the MAC suffix when sizing the unsigned JSON. */
const MAC_ROOM = macSuffix('0'.repeat(MAC_HEX_LENGTH)).length - 1;

/**
 * Returns the record reduced (strings cut with "…", arrays and objects capped) until its JSON,
 * plus a MAC, fits in MAX_RECORD_BYTES. Fixed keys (t, a, r, ts, s, k) are never touched; the
 * wrapper caps ids at the source.
 */
export function fitRecord<T extends object>(record: T, maxBytes: number = MAX_RECORD_BYTES): T {
  return fitted(record, maxBytes).value as T;
}

/** Whether a JSON text fits the byte budget; bytes are counted only when 3 per UTF-16 unit would not fit. */
function fits(json: string, budget: number): boolean {
  return json.length * 3 <= budget || Buffer.byteLength(json, 'utf8') <= budget;
}

/** The record as fitRecord reduces it, and its JSON text: serialised once when it already fits (the hot path). */
function fitted(record: object, maxBytes: number): { value: object; json: string } {
  const budget = maxBytes - MAC_ROOM;
  const whole = JSON.stringify(record);
  if (fits(whole, budget)) return { value: record, json: whole };
  const steps: Array<[number, number]> = [
    [1024, 64],
    [256, 32],
    [64, 16],
    [16, 4],
    [0, 0],
  ];
  for (const [maxStr, maxItems] of steps) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) out[k] = FIXED_KEYS.has(k) ? v : shrink(v, maxStr, maxItems);
    const json = JSON.stringify(out);
    if (fits(json, budget)) return { value: out, json };
  }
  throw new Error(`record of type ${String((record as { t?: unknown }).t)} cannot fit in ${maxBytes} bytes even with every free field emptied (ids too long?)`);
}

/** Whether a record's JSON text (without `m`) fits MAX_RECORD_BYTES (or `maxBytes`) with room for its MAC. */
export function fitsRecordLimit(json: string, maxBytes: number = MAX_RECORD_BYTES): boolean {
  return fits(json, maxBytes - MAC_ROOM);
}

/**
 * The line for a record whose JSON text (without `m`, already within the limit) is `json`: a
 * begin record as is (it carries `k`), any other signed with `key`, `m` as its last key.
 */
export function recordLine(json: string, t: RecordType, key: string | Buffer | HmacPads): string {
  if (t === 'begin') return `${RECORD_LINE_START}${json}\n`;
  return `${RECORD_LINE_START}${json.slice(0, -1)}${macSuffix(macOf(json, key))}\n`;
}

/**
 * Encodes a record as one line (RECORD_LINE_START + JSON + "\n"). A begin record is written
 * as is (it carries `k`); any other record is signed with `key` (hex, or its bytes) and gets `m`
 * as its last key. Any `m` already on the input is ignored.
 */
export function encodeRecord(record: ProvRecord, key: string | Buffer | HmacPads, maxBytes: number = MAX_RECORD_BYTES): string {
  let unsigned: object = record;
  if (record.m !== undefined) {
    const { m: _ignored, ...rest } = record;
    unsigned = rest;
  }
  return recordLine(fitted(unsigned, maxBytes).json, record.t, key);
}
