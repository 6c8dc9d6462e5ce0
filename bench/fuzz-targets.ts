// The parsers of hostile input, each as a fuzz target: a fast-check generator of *structured,
// near-valid* inputs (valid records, batches, lines, requests, then mutated), and a run that feeds
// one input to the real parser and says whether it was accepted or rejected, and why. A run that
// throws is a crash; one that breaks a stated invariant (a forged record verifies, a valid record is
// refused, a matched line does not render back) throws InvariantError and counts as a crash too.
// Used by bench/fuzz.ts (a million inputs per target) and test/fuzz.test.ts (a seeded short run).
import fc from 'fast-check';
import { decodeBatch } from '../kmod/decode';
import { EVENT_TABLE, HEADER_SIZE, PARAM_TRUNCATED, ParamType } from '../kmod/schema';
import { encodeRecord, parseRecordLine, verifyRecord } from '../wrapper/records';
import { RECORD_LINE_START, type ProvRecord } from '../protocol/wrapper-records';
import { BATCH_VERSION } from '../protocol/batch';
import { readBatch } from '../correlator/ingest/read-batch';
import { BatchError } from '../correlator/ingest/batch-error';
import { createMatcher } from '../lms/matcher';
import { normalizeParts, templateRegex, templateText } from '../lms/holes';
import type { HoleType, LmsProfile, TemplatePart } from '../lms/types';

/** What one input did: accepted, or rejected with a reason (reasons are counted, so keep them few: no numbers). */
export type FuzzOutcome = { accepted: true } | { rejected: string };

export class InvariantError extends Error {}

export interface SyncTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  run(input: T): FuzzOutcome;
}

const ACCEPTED: FuzzOutcome = { accepted: true };
/** A reason without the numbers and quoted values in it, so equal causes count together. */
export function reasonOf(text: string): string {
  return text.replace(/\[\d+\]/g, '[*]').replace(/"[^"]*"/g, '"…"').replace(/-?\d+(\.\d+)?/g, 'N').slice(0, 120);
}

// ---- mutations shared by the byte- and text-level targets ---------------------------------------

type ByteMutation = { kind: 'none' } | { kind: 'flip'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'append'; bytes: Uint8Array } | { kind: 'u32'; at: number; value: number } | { kind: 'splice'; at: number; bytes: Uint8Array };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<ByteMutation>({ kind: 'none' }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.nat(255) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 96 }) }) },
  // lengths are u32 little-endian: a chosen value at a chosen place reaches the bounds checks
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.nat(), fc.constantFrom(0, 1, HEADER_SIZE - 1, HEADER_SIZE, 0x7fff, 0xffff, 0xffffffff)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
);

function mutateBytes(buf: Buffer, m: ByteMutation): Buffer {
  if (buf.length === 0 && m.kind !== 'append') return buf;
  switch (m.kind) {
    case 'none':
      return buf;
    case 'flip': {
      const out = Buffer.from(buf);
      out[m.at % out.length] = m.value;
      return out;
    }
    case 'cut':
      return buf.subarray(0, m.at % (buf.length + 1));
    case 'append':
      return Buffer.concat([buf, Buffer.from(m.bytes)]);
    case 'u32': {
      if (buf.length < 4) return buf;
      const out = Buffer.from(buf);
      out.writeUInt32LE(m.value >>> 0, m.at % (out.length - 3));
      return out;
    }
    case 'splice': {
      const at = m.at % (buf.length + 1);
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    }
  }
}

// ---- kernel records (kmod/decode.ts) -----------------------------------------------------------

function paramBytes(type: ParamType): fc.Arbitrary<Uint8Array> {
  const fixed = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
  switch (type) {
    case ParamType.U32:
      return fixed(4);
    case ParamType.U64:
    case ParamType.S64:
    case ParamType.FD:
      return fixed(8);
    case ParamType.PATH:
      return fc.string({ maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8')));
    case ParamType.SOCKADDR:
      return fc.oneof(
        fc.tuple(fc.nat(65535), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([port, a]) => {
          const b = Buffer.alloc(16);
          b.writeUInt16LE(2, 0);
          b.writeUInt16BE(port, 2);
          Buffer.from(a).copy(b, 4);
          return new Uint8Array(b);
        }),
        fc.uint8Array({ minLength: 24, maxLength: 28 }).map((a) => {
          const b = Buffer.from(a);
          b.writeUInt16LE(10, 0);
          return new Uint8Array(b);
        }),
        fc.string({ maxLength: 30 }).map((s) => new Uint8Array(Buffer.concat([Buffer.from([1, 0]), Buffer.from(s)]))),
        fc.uint8Array({ maxLength: 40 }),
      );
    default:
      return fc.uint8Array({ maxLength: 80 });
  }
}

interface KRecord {
  type: number;
  params: Array<{ raw: Uint8Array; truncated: boolean }>;
  header: Uint8Array;
  extraParams: number;
}

const kernelRecord: fc.Arbitrary<KRecord> = fc
  .integer({ min: 0, max: EVENT_TABLE.length + 2 })
  .chain((type) => {
    const info = EVENT_TABLE[type];
    const known = (info?.params ?? []).map((p) => fc.record({ raw: paramBytes(p.type), truncated: fc.boolean() }));
    return fc.record({
      type: fc.constant(type),
      params: fc.tuple(...known),
      // a newer schema appends parameters; an older one has fewer
      extraParams: fc.integer({ min: -2, max: 2 }),
      header: fc.uint8Array({ minLength: HEADER_SIZE - 8, maxLength: HEADER_SIZE - 8 }),
    });
  })
  .map((r) => ({ ...r, params: [...r.params] }) as KRecord);

function encodeKernelRecord(r: KRecord): Buffer {
  const params = r.extraParams < 0 ? r.params.slice(0, Math.max(0, r.params.length + r.extraParams)) : [...r.params, ...Array.from({ length: r.extraParams }, () => ({ raw: new Uint8Array([1, 2, 3]), truncated: false }))];
  const lens = Buffer.alloc(params.length * 2);
  params.forEach((p, i) => lens.writeUInt16LE(p.raw.length | (p.truncated ? PARAM_TRUNCATED : 0), i * 2));
  const body = Buffer.concat([lens, ...params.map((p) => Buffer.from(p.raw))]);
  const h = Buffer.alloc(HEADER_SIZE);
  Buffer.from(r.header).copy(h, 8);
  h.writeUInt32LE(HEADER_SIZE + body.length, 0);
  h.writeUInt16LE(r.type, 4);
  h.writeUInt8(1, 6);
  h.writeUInt8(params.length, 7);
  return Buffer.concat([h, body]);
}

export const kernelDecodeTarget: SyncTarget<{ records: KRecord[]; mutations: ByteMutation[] }> = {
  name: 'kernel-decode',
  arbitrary: fc.record({ records: fc.array(kernelRecord, { minLength: 1, maxLength: 4 }), mutations: fc.array(byteMutation, { maxLength: 3 }) }),
  run({ records, mutations }) {
    const clean = Buffer.concat(records.map(encodeKernelRecord));
    const buf = mutations.reduce(mutateBytes, clean);
    const { events, errors } = decodeBatch(buf);
    for (const e of events) {
      if (e.offset < 0 || e.offset + HEADER_SIZE > buf.length) throw new InvariantError(`event at offset ${e.offset} outside a ${buf.length}-byte batch`);
      for (const v of Object.values(e.params)) if (Buffer.isBuffer(v) && v.buffer === buf.buffer && v.byteOffset + v.length > buf.byteOffset + buf.length) throw new InvariantError('a parameter view runs past the batch');
    }
    if (events.length + errors.length > Math.ceil(buf.length / HEADER_SIZE) + 1) throw new InvariantError(`${events.length + errors.length} results from ${buf.length} bytes`);
    if (buf === clean) {
      if (errors.length) throw new InvariantError(`a well-formed batch was refused: ${errors[0]!.reason}`);
      if (events.length !== records.length) throw new InvariantError(`${records.length} records decoded as ${events.length} events`);
    }
    return errors.length ? { rejected: reasonOf(errors[0]!.reason) } : ACCEPTED;
  },
};

// ---- wrapper records (wrapper/records.ts) ------------------------------------------------------

const hexChars = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const text = fc.string({ maxLength: 24 });
const base = { a: fc.string({ minLength: 1, maxLength: 20 }), r: text, ts: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 2e12 }), s: fc.nat() };
const provRecord: fc.Arbitrary<ProvRecord> = fc.oneof(
  fc.record({ t: fc.constant('begin'), ...base, act: text, ns: text, pid: fc.nat(), host: text, cold: fc.boolean(), k: hexChars(64) }),
  fc.record({ t: fc.constant('end'), ...base, ok: fc.boolean(), dur: fc.nat(), err: fc.option(text, { nil: undefined }) }, { requiredKeys: ['t', 'a', 'r', 'ts', 's', 'ok', 'dur'] }),
  fc.record({ t: fc.constant('fs'), ...base, op: fc.constantFrom('open', 'read', 'write', 'unlink', 'rename'), path: fc.string({ maxLength: 200 }), n: fc.nat() }),
  fc.record({ t: fc.constant('net'), ...base, op: fc.constantFrom('connect', 'send'), addr: text, port: fc.nat(65535), proto: fc.constantFrom('tcp', 'udp', 'unix') }),
  fc.record({ t: fc.constant('http'), ...base, method: fc.constantFrom('GET', 'POST'), url: fc.webUrl(), host: text, port: fc.nat(65535) }),
  fc.record({ t: fc.constant('proc'), ...base, op: fc.constantFrom('spawn', 'exit'), cmd: text, args: fc.array(text, { maxLength: 4 }) }),
  fc.record({ t: fc.constant('ddb'), ...base, op: fc.constantFrom('GetItem', 'PutItem'), table: text, key: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) }),
  fc.record({ t: fc.constant('invoke'), ...base, to: text, blocking: fc.boolean() }),
) as unknown as fc.Arbitrary<ProvRecord>;

type TextMutation = { kind: 'none' } | { kind: 'replace'; at: number; ch: string } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; s: string } | { kind: 'prefix'; s: string } | { kind: 'junk'; s: string } | { kind: 'huge'; n: number };
const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<TextMutation>({ kind: 'none' }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), ch: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.constantFrom('"', '\\', '}', '{', ',"m":"0000000000000000"', '\r', '\u2028', ',"t":"end"', ' ', '\\u0000') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('prefix' as const), s: fc.constantFrom('@prov/2 ', '@prov/', '@prov/1', '@prov/1  ', '\\@prov/1 ', '') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('junk' as const), s: fc.string({ maxLength: 60, unit: 'binary' }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('huge' as const), n: fc.integer({ min: 8000, max: 20000 }) }) },
);

function mutateText(s: string, m: TextMutation): string {
  switch (m.kind) {
    case 'none':
      return s;
    case 'replace': {
      const at = m.at % Math.max(1, s.length);
      return s.slice(0, at) + m.ch + s.slice(at + 1);
    }
    case 'cut':
      return s.slice(0, m.at % (s.length + 1));
    case 'insert': {
      const at = m.at % (s.length + 1);
      return s.slice(0, at) + m.s + s.slice(at);
    }
    case 'prefix':
      return s.startsWith(RECORD_LINE_START) ? m.s + s.slice(RECORD_LINE_START.length) : m.s + s;
    case 'junk':
      return m.s;
    case 'huge':
      return s.slice(0, -1) + ',"x":"' + 'x'.repeat(m.n) + '"}';
  }
}

const KEY = 'ab'.repeat(32);
export const wrapperRecordTarget: SyncTarget<{ record: ProvRecord; mutations: TextMutation[] }> = {
  name: 'wrapper-record',
  arbitrary: fc.record({ record: provRecord, mutations: fc.array(textMutation, { maxLength: 2 }) }),
  run({ record, mutations }) {
    const clean = encodeRecord(record, KEY).replace(/\n$/, '');
    const line = mutations.reduce(mutateText, clean);
    const r = parseRecordLine(line);
    if ('error' in r) {
      if (line === clean) throw new InvariantError(`a record the wrapper wrote was refused: ${r.error} ${r.detail}`);
      return { rejected: r.field ? `${r.error} (${r.field})` : r.error };
    }
    if (r.record.t === 'begin') return ACCEPTED;
    const ok = verifyRecord(r.record, line, KEY);
    if (line === clean && !ok) throw new InvariantError('a record the wrapper signed does not verify');
    if (line !== clean && ok && JSON.stringify(JSON.parse(r.json)) !== JSON.stringify(JSON.parse(clean.slice(RECORD_LINE_START.length)))) {
      throw new InvariantError(`a changed record still verifies: ${line.slice(0, 200)}`);
    }
    return ok ? ACCEPTED : { rejected: 'mac-mismatch' };
  },
};

// ---- batches (correlator/ingest: validate + classify) ------------------------------------------

const containerInfo = fc.record({ container: fc.string({ minLength: 1, maxLength: 12 }), invoker: text, action: text, started: fc.nat(), pid: fc.nat() }, { requiredKeys: ['container', 'invoker', 'action', 'started'] });
const kernelLite = fc.record(
  { container: fc.string({ minLength: 1, maxLength: 12 }), op: fc.constantFrom('open', 'write', 'connect', 'exec', 'fork', 'exit'), ts: fc.nat(), pid: fc.integer(), a: text, path: text, n: fc.integer({ min: 1, max: 9 }), port: fc.nat(65535), args: fc.array(text, { maxLength: 3 }) },
  { requiredKeys: ['container', 'op', 'ts', 'pid'] },
);
const batchLine = fc.record({
  container: fc.string({ minLength: 1, maxLength: 12 }),
  stream: fc.constantFrom('stdout', 'stderr'),
  time: fc.nat(),
  // records, id-prefixed log lines and raw text, as an agent ships them
  line: fc.oneof(provRecord.map((r) => encodeRecord(r, KEY).replace(/\n$/, '')), fc.tuple(text, text, text).map(([q, a, l]) => `[@${q} ${a}] ${l}`), fc.string({ maxLength: 80 })),
  seq: fc.nat(),
});
const batch = fc.record({ v: fc.constant(BATCH_VERSION), invoker: fc.string({ minLength: 1, maxLength: 10 }), batch: fc.nat(), containers: fc.array(containerInfo, { maxLength: 3 }), lines: fc.array(batchLine, { maxLength: 6 }), kernel: fc.array(kernelLite, { maxLength: 4 }), kernelDrops: fc.dictionary(text, fc.nat(), { maxKeys: 2 }) }, { requiredKeys: ['v', 'invoker', 'batch', 'containers', 'lines'] });

/** A path into a JSON value (indices are taken modulo the sizes met on the way) and a value to put there, or a deletion. */
type JsonMutation = { path: number[]; value: unknown; del: boolean };
const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 1.5, '', 'stdout', NaN, Infinity, 1e300, null, [], {}, '__proto__', 2 ** 53)),
  del: fc.boolean(),
});

function mutateJson(root: unknown, m: JsonMutation): unknown {
  if (typeof root !== 'object' || root === null) return m.value;
  let node = root as Record<string, unknown>;
  for (let i = 0; i < m.path.length; i++) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const key = keys[m.path[i]! % keys.length]!;
    const child = node[key];
    if (i === m.path.length - 1 || typeof child !== 'object' || child === null) {
      if (m.del && !Array.isArray(node)) delete node[key];
      else node[key] = m.value;
      break;
    }
    node = child as Record<string, unknown>;
  }
  return root;
}

export const batchTarget: SyncTarget<{ batch: unknown; mutations: JsonMutation[] }> = {
  name: 'batch',
  arbitrary: fc.record({ batch, mutations: fc.array(jsonMutation, { maxLength: 2 }) }),
  run(input) {
    // the batch arrives as JSON text: structuredClone keeps the generator's value intact for shrinking
    const value = input.mutations.reduce(mutateJson, structuredClone(input.batch));
    try {
      readBatch(value);
    } catch (e) {
      if (e instanceof BatchError) {
        if (!input.mutations.length) throw new InvariantError(`a well-formed batch was refused: ${e.message}`);
        return { rejected: reasonOf(e.message.replace(/ \(see protocol.*$/, '')) };
      }
      throw e;
    }
    return ACCEPTED;
  },
};

// ---- LMS matcher (lms/matcher.ts) ---------------------------------------------------------------

const holeType = fc.constantFrom<HoleType>('text', 'number', 'float', 'boolean', 'json', 'inspect');
const templateParts = fc.array(fc.oneof(fc.record({ lit: fc.constantFrom('a', ', ', ': ', '{', '%s', 'x y', '1', '-', 'true', '.') }), fc.record({ hole: holeType })), { minLength: 1, maxLength: 7 }).map(normalizeParts).filter((p) => p.length > 0);
const holeValue: Record<HoleType, fc.Arbitrary<string>> = {
  text: fc.string({ maxLength: 12 }),
  json: fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v) ?? 'undefined'),
  inspect: fc.string({ maxLength: 12 }),
  number: fc.oneof(fc.integer().map(String), fc.double().map(String), fc.bigInt().map((b) => `${b}n`)),
  float: fc.double().map(String),
  boolean: fc.boolean().map(String),
};

/** A line: a template rendered with values (then perhaps mutated), or a hostile repetition of its literals. */
const matcherInput = fc.array(templateParts, { minLength: 1, maxLength: 5 }).chain((templates) =>
  fc.record({
    templates: fc.constant(templates),
    line: fc.oneof(
      { weight: 3, arbitrary: fc.nat(templates.length - 1).chain((i) => fc.tuple(...templates[i]!.map((p) => ('lit' in p ? fc.constant(p.lit) : holeValue[p.hole]))).map((xs) => xs.join(''))) },
      { weight: 1, arbitrary: fc.tuple(fc.nat(templates.length - 1), fc.integer({ min: 100, max: 6000 }), fc.constantFrom('', '!', 'z')).map(([i, n, tail]) => {
        const lits = templates[i]!.filter((p): p is { lit: string } => 'lit' in p).map((p) => p.lit).join('') || ', ';
        return lits.repeat(Math.ceil(n / lits.length)).slice(0, n) + tail;
      }) },
      { weight: 1, arbitrary: fc.string({ maxLength: 60, unit: 'binary' }) },
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 100, max: 20000 }), fc.constantFrom('1', '-1', 'true', ' ', '.5')).map(([n, s]) => s.repeat(n)) },
    ),
    mutation: textMutation,
    previous: fc.option(fc.nat(templates.length - 1), { nil: undefined }),
  }),
);

function profileOf(templates: TemplatePart[][]): LmsProfile {
  const ts = templates.map((parts, i) => {
    const literalChars = parts.reduce((n, p) => n + ('lit' in p ? p.lit.length : 0), 0);
    return { id: `t${i}`, parts, text: templateText(parts), regex: templateRegex(parts), literalChars, ...(literalChars ? {} : { wildcard: true }), sink: { kind: 'console' as const, method: 'log' } };
  });
  const sites = ts.map((t, i) => ({ id: `s${i}`, kind: 'log' as const, template: t.id, file: 'a.js', line: i + 1, fn: 'main' }));
  const edges: Record<string, string[]> = { $entry: sites.map((s) => s.id) };
  for (const s of sites) edges[s.id] = [...sites.map((x) => x.id), '$exit'];
  return { v: 1, entry: 'a.js', handler: 'main', files: ['a.js'], templates: ts, cfg: { sites, edges }, units: [], notes: [], stats: { files: 1, logCalls: ts.length, templates: ts.length, sites: sites.length, edges: 0, ms: 0 } };
}

export const lmsMatcherTarget: SyncTarget<{ templates: TemplatePart[][]; line: string; mutation: TextMutation; previous?: number }> = {
  name: 'lms-matcher',
  arbitrary: matcherInput,
  run({ templates, line: raw, mutation, previous }) {
    const m = createMatcher(profileOf(templates));
    const line = mutateText(raw, mutation);
    const r = m.match(line, previous === undefined ? undefined : `t${previous}`);
    if (!r) return { rejected: 'no template matches' };
    const back = m.render(r.templateId, r.values, r.envelope);
    if (back !== line) throw new InvariantError(`matched ${r.templateId} but renders back differently: ${JSON.stringify(line.slice(0, 80))}`);
    return ACCEPTED;
  },
};

export const SYNC_TARGETS: ReadonlyArray<SyncTarget<any>> = [kernelDecodeTarget, wrapperRecordTarget, batchTarget, lmsMatcherTarget];
