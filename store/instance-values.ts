// A body as the instance values where it differs from a learned behaviour (pure), Winnower-style:
// a fragment or an activation that does what the first one of its shape did has the same JSON
// structure (the same nodes and edges, in the same order, with the same fields), and differs only in
// some values (ids, keys, times, log texts). Such a body is stored as those values alone; anything
// else, or a behaviour too long to be kept whole, is deflated against the behaviour as before.
//
// A body starts with one byte saying which: 0 deflate (with the behaviour as dictionary), 1 values.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Primitive = null | boolean | number | string;

/** zlib looks back 32 KB: a longer dictionary counts only by its tail */
const window = (dictionary: Buffer): Buffer => (dictionary.length > 32 * 1024 ? dictionary.subarray(dictionary.length - 32 * 1024) : dictionary);

const DEFLATED = 0;
const VALUES = 1;

interface Template {
  value: Json;
  shape: string;
  values: Primitive[];
}

// Parsing a behaviour's JSON once per behaviour (it is immutable, named by its hash).
const TEMPLATES_KEPT = 512;
const templates = new Map<string, Template | null>();
const byObject = new WeakMap<Buffer, Template | null>();

function templateOf(behaviour: Buffer): Template | null {
  const seen = byObject.get(behaviour);
  if (seen !== undefined) return seen;
  const key = createHash('sha1').update(behaviour).digest('base64');
  const known = templates.get(key);
  if (known !== undefined) {
    byObject.set(behaviour, known);
    return known;
  }
  let template: Template | null = null;
  try {
    const value = JSON.parse(behaviour.toString('utf8')) as Json;
    const values: Primitive[] = [];
    template = { value, shape: shapeOf(value, values), values };
  } catch {
    // a behaviour cut to the deflate window is not whole JSON: deflate only
  }
  if (templates.size >= TEMPLATES_KEPT) templates.delete(templates.keys().next().value as string);
  templates.set(key, template);
  byObject.set(behaviour, template);
  return template;
}

/** The structure of a JSON value with every primitive left out (collected into `values`, in order). */
function shapeOf(value: Json, values: Primitive[]): string {
  if (value === null || typeof value !== 'object') {
    values.push(value);
    return '_';
  }
  if (Array.isArray(value)) return `[${value.map((v) => shapeOf(v, values)).join(',')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}:${shapeOf(v, values)}`)
    .join(',')}}`;
}

/** `value` with its primitives replaced, in order, by `values`. */
function fill(value: Json, values: readonly Primitive[], at: { i: number }): Json {
  if (value === null || typeof value !== 'object') return values[at.i++]!;
  if (Array.isArray(value)) return value.map((v) => fill(v, values, at));
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) out[k] = fill(v, values, at);
  return out;
}

// Ids repeat inside other values ("act:<id>", "log:<id>:stdout:3", "msg:<id>-><id>"): a value that
// differs as a whole is also a rename of every occurrence of it inside the behaviour's values, so each
// new id is stored once.
const MIN_RENAMED = 3;

/** [index of the behaviour's value, new value]: the renames that explain what they can, fewest first. */
function renamesOf(template: readonly Primitive[], own: readonly Primitive[]): Array<[number, string]> {
  const candidates = new Map<string, [number, string]>();
  template.forEach((t, i) => {
    const v = own[i];
    if (typeof t === 'string' && typeof v === 'string' && t !== v && t.length >= MIN_RENAMED && !candidates.has(t)) candidates.set(t, [i, v]);
  });
  // Shortest first: "act:<id>" -> "act:<new id>" is implied by "<id>" -> "<new id>", and is left out.
  // (kept longest first, as rename wants them)
  const kept: Array<[string, string]> = [];
  const out: Array<[number, string]> = [];
  for (const [from, [i, to]] of [...candidates].sort((a, b) => a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1))) {
    if (rename(from, kept) === to) continue;
    kept.unshift([from, to]);
    out.push([i, to]);
  }
  return out;
}

function renamed(values: readonly Primitive[], renames: ReadonlyArray<[number, string]>): Primitive[] {
  if (renames.length === 0) return [...values];
  const pairs = renames.map(([i, to]) => [String(values[i]), to] as [string, string]).sort((a, b) => b[0].length - a[0].length);
  const shortest = pairs[pairs.length - 1]![0].length;
  return values.map((v) => (typeof v === 'string' && v.length >= shortest ? rename(v, pairs) : v));
}

/** Each occurrence replaced once, `pairs` longest first (split/join never rescans what it inserted). */
function rename(value: string, pairs: ReadonlyArray<[string, string]>): string {
  let out = value;
  for (const [from, to] of pairs) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}

export function compressBody(text: string, behaviour?: Buffer): Buffer {
  const template = behaviour ? templateOf(behaviour) : null;
  if (template) {
    const own: Primitive[] = [];
    const parsed = JSON.parse(text) as Json;
    if (shapeOf(parsed, own) === template.shape) {
      const renames = renamesOf(template.values, own);
      const expected = renamed(template.values, renames);
      // [gap, value] pairs: how many values are as expected since the last different one.
      const diff: Array<number | Primitive> = [];
      let last = -1;
      own.forEach((v, i) => {
        if (v !== expected[i]) {
          diff.push(i - last - 1, v);
          last = i;
        }
      });
      const body = Buffer.concat([Buffer.from([VALUES]), deflateRawSync(Buffer.from(JSON.stringify([renames, diff]), 'utf8'), { level: 9 })]);
      // Only when it reads back exactly (it always should: JSON.stringify is deterministic).
      if (body.length < 1 + text.length && decompressBody(body, behaviour) === text) return body;
    }
  }
  return Buffer.concat([Buffer.from([DEFLATED]), deflateRawSync(Buffer.from(text, 'utf8'), { level: 9, ...(behaviour ? { dictionary: window(behaviour) } : {}) })]);
}

export function decompressBody(body: Buffer, behaviour?: Buffer): string {
  const format = body[0];
  const rest = body.subarray(1);
  if (format === DEFLATED) return inflateRawSync(rest, behaviour ? { dictionary: window(behaviour) } : {}).toString('utf8');
  if (format !== VALUES) throw new Error(`unknown body format ${String(format)}: written by a newer version? upgrade`);
  const template = behaviour ? templateOf(behaviour) : null;
  if (!template) throw new Error('a body stored as instance values needs its behaviour, which the store does not have');
  const [renames, diff] = JSON.parse(inflateRawSync(rest).toString('utf8')) as [Array<[number, string]>, Array<number | Primitive>];
  const values = renamed(template.values, renames);
  let i = -1;
  for (let d = 0; d < diff.length; d += 2) {
    i += (diff[d] as number) + 1;
    values[i] = diff[d + 1]!;
  }
  return JSON.stringify(fill(template.value, values, { i: 0 }));
}
