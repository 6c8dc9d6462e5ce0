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
  /** its primitives, in order */
  values: Primitive[];
  /** for a string renamed in bodies of this behaviour: the indexes of the values it occurs in (renamed) */
  occurrences: Map<string, number[]>;
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
    sameShape(value, value, values);
    template = { value, values, occurrences: new Map() };
  } catch {
    // a behaviour cut to the deflate window is not whole JSON: deflate only
  }
  if (templates.size >= TEMPLATES_KEPT) templates.delete(templates.keys().next().value as string);
  templates.set(key, template);
  byObject.set(behaviour, template);
  return template;
}

/**
 * Whether `value` has the structure of `template`: the same nesting of arrays (of the same
 * lengths) and objects (with the same keys in the same order), whatever the primitives. Collects
 * `value`'s primitives into `values`, depth first.
 */
function sameShape(value: Json, template: Json, values: Primitive[]): boolean {
  if (template === null || typeof template !== 'object') {
    if (value !== null && typeof value === 'object') return false;
    values.push(value);
    return true;
  }
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(template)) {
    if (!Array.isArray(value) || value.length !== template.length) return false;
    for (let i = 0; i < template.length; i++) if (!sameShape(value[i]!, template[i]!, values)) return false;
    return true;
  }
  if (Array.isArray(value)) return false;
  const keys = Object.keys(template);
  const own = Object.keys(value);
  if (keys.length !== own.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== own[i] || !sameShape(value[own[i]!]!, template[keys[i]!]!, values)) return false;
  }
  return true;
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

/**
 * The behaviour's values with the renames applied. Only a value a renamed string occurs in can
 * change, and bodies of one behaviour rename the same few strings (its ids), so where each occurs
 * is found once per behaviour; every other value is as it is.
 */
function renamed(template: Template, renames: ReadonlyArray<[number, string]>): Primitive[] {
  const { values } = template;
  const out = [...values];
  if (renames.length === 0) return out;
  const pairs = renames.map(([i, to]) => [String(values[i]), to] as [string, string]).sort((a, b) => b[0].length - a[0].length);
  const touched = new Set<number>();
  for (const [from] of pairs) for (const i of occurrencesOf(template, from)) touched.add(i);
  for (const i of touched) out[i] = rename(values[i] as string, pairs);
  return out;
}

/** The indexes of the behaviour's string values that contain `text`. */
function occurrencesOf(template: Template, text: string): number[] {
  let found = template.occurrences.get(text);
  if (!found) {
    found = [];
    template.values.forEach((v, i) => {
      if (typeof v === 'string' && v.includes(text)) found!.push(i);
    });
    template.occurrences.set(text, found);
  }
  return found;
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
    if (sameShape(parsed, template.value, own)) {
      const renames = renamesOf(template.values, own);
      const expected = renamed(template, renames);
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
      if (body.length < 1 + text.length && readsBack(body, text, behaviour)) return body;
    }
  }
  return Buffer.concat([Buffer.from([DEFLATED]), deflateRawSync(Buffer.from(text, 'utf8'), { level: 9, ...(behaviour ? { dictionary: window(behaviour) } : {}) })]);
}

/**
 * Whether a values body just made from `text` decompresses to it exactly. decompressBody fills the
 * behaviour's structure with the values; the values are the text's own (the diff takes every one
 * that differs), and the structure is the text's (the shapes are equal, keys in order), so the
 * result is JSON.stringify(JSON.parse(text)), which is `text` for any text JSON.stringify wrote,
 * as every body here is. One key breaks that: filling an object's "__proto__" sets its prototype
 * instead of a property, and the key is lost. Only then is the body decompressed to check it.
 */
function readsBack(body: Buffer, text: string, behaviour: Buffer | undefined): boolean {
  return !text.includes('"__proto__"') || decompressBody(body, behaviour) === text;
}

export function decompressBody(body: Buffer, behaviour?: Buffer): string {
  const format = body[0];
  const rest = body.subarray(1);
  if (format === DEFLATED) return inflateRawSync(rest, behaviour ? { dictionary: window(behaviour) } : {}).toString('utf8');
  if (format !== VALUES) throw new Error(`unknown body format ${String(format)}: written by a newer version? upgrade`);
  const template = behaviour ? templateOf(behaviour) : null;
  if (!template) throw new Error('a body stored as instance values needs its behaviour, which the store does not have');
  const [renames, diff] = JSON.parse(inflateRawSync(rest).toString('utf8')) as [Array<[number, string]>, Array<number | Primitive>];
  const values = renamed(template, renames);
  let i = -1;
  for (let d = 0; d < diff.length; d += 2) {
    i += (diff[d] as number) + 1;
    values[i] = diff[d + 1]!;
  }
  return JSON.stringify(fill(template.value, values, { i: 0 }));
}
