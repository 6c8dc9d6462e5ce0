// Pure encode / sign / verify / validate of the wrapper's one-line records (wrapper/types.ts).
// Shared by the wrapper (writes) and the correlator (reads): no I/O here.
//
// What is signed: the record's JSON text *without* `m`, exactly as written. The wrapper puts
// `m` last, so a line's JSON text is `<signed text minus its closing brace>,"m":"<mac>"}`.
// The verifier cuts that suffix off the line it received and recomputes the MAC over the
// remaining bytes: no re-serialisation, so number formatting or key order never matter.

import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
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
 * HMAC-SHA256 of `text` under the key (hex, its bytes, or a KeyObject), truncated to MAC_HEX_LENGTH
 * hex characters. The wrapper passes a KeyObject made once per activation: decoding the hex key
 * again for every record cost more than the HMAC itself, and a Buffer key is still imported into a
 * new KeyObject by every createHmac call.
 */
export function macOf(text: string, key: string | Buffer | KeyObject): string {
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

/**
 * Encodes a record as one line (RECORD_LINE_START + JSON + "\n"). A begin record is written
 * as is (it carries `k`); any other record is signed with `key` (hex, or its bytes) and gets `m`
 * as its last key. Any `m` already on the input is ignored.
 */
export function encodeRecord(record: ProvRecord, key: string | Buffer | KeyObject, maxBytes: number = MAX_RECORD_BYTES): string {
  let unsigned: object = record;
  if (record.m !== undefined) {
    const { m: _ignored, ...rest } = record;
    unsigned = rest;
  }
  const { json } = fitted(unsigned, maxBytes);
  if (record.t === 'begin') return `${RECORD_LINE_START}${json}\n`;
  const mac = macOf(json, key);
  return `${RECORD_LINE_START}${json.slice(0, -1)}${macSuffix(mac)}\n`;
}
