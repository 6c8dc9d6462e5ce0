// A static model of what one logging call prints: the arguments as the analyser sees them
// (literal text, typed unknowns, a helper's parameters) and Node's util.format rules applied to
// them, giving a template of literals and typed holes. Pure: no TypeScript AST in here.
import { normalizeParts } from './holes';
import type { HoleType, TemplatePart } from './types';

/** A piece of a string the analyser sees: literal, typed hole, or "the text of parameter i". */
export type StrPart = TemplatePart | { param: number };

/** One argument of a logging call (or of a call to a logging helper), as far as it is known statically. */
export type ArgValue =
  /** a string: literals, template literals, concatenations */
  | { kind: 'str'; parts: StrPart[] }
  /** a number (or bigint) of unknown value */
  | { kind: 'num'; expr?: string }
  | { kind: 'bool'; expr?: string }
  /** a non-string whose printed form is known: null, undefined, a numeric literal, true */
  | { kind: 'known'; text: string }
  /** an object known not to be a string (object/array literal, new X(), an Error) */
  | { kind: 'obj'; expr?: string }
  /** nothing is known, not even whether it is a string */
  | { kind: 'any'; expr?: string }
  /** the helper's parameter i (replaced at each call site) */
  | { kind: 'param'; index: number }
  /** the helper's parameters from i on (a rest parameter spread into the logging call) */
  | { kind: 'rest'; index: number }
  /** a spread of unknown length (`...args` of something not a helper parameter) */
  | { kind: 'spread'; expr?: string };

/** True when the argument list still refers to a helper's parameters. */
export function hasParams(args: ArgValue[]): boolean {
  return args.some((a) => a.kind === 'param' || a.kind === 'rest' || (a.kind === 'str' && a.parts.some((p) => 'param' in p)));
}

/** Replace a helper's parameters by the arguments of one call site (which may be the caller's own parameters). */
export function instantiate(args: ArgValue[], callArgs: ArgValue[]): ArgValue[] {
  const out: ArgValue[] = [];
  for (const a of args) {
    if (a.kind === 'param') out.push(argAt(callArgs, a.index));
    else if (a.kind === 'rest') out.push(...restFrom(callArgs, a.index));
    else if (a.kind === 'str') out.push({ kind: 'str', parts: a.parts.flatMap((p) => ('param' in p ? stringOf(argAt(callArgs, p.param)) : [p])) });
    else out.push(a);
  }
  return out;
}

/** The value of parameter `index` given a call's arguments (unknown after a spread). */
export function argAt(callArgs: ArgValue[], index: number): ArgValue {
  // a spread before or at the index makes the position unknowable
  const spreadAt = callArgs.findIndex((a) => a.kind === 'spread' || a.kind === 'rest');
  if (spreadAt !== -1 && spreadAt <= index) return { kind: 'any' };
  return callArgs[index] ?? { kind: 'known', text: 'undefined' };
}

function restFrom(callArgs: ArgValue[], index: number): ArgValue[] {
  return callArgs.slice(index);
}

/** The parts of String(value) / `${value}`. */
export function stringOf(a: ArgValue): StrPart[] {
  switch (a.kind) {
    case 'str':
      return a.parts;
    case 'num':
      return [{ hole: 'number', expr: a.expr }];
    case 'bool':
      return [{ hole: 'boolean', expr: a.expr }];
    case 'known':
      return [{ lit: a.text }];
    case 'param':
      return [{ param: a.index }];
    case 'obj':
    case 'any':
    case 'rest':
    case 'spread':
      return [{ hole: 'text', expr: 'expr' in a ? a.expr : undefined }];
  }
}

/** What util.format prints for a value given as an extra (non-format) argument. */
function printedExtra(a: ArgValue): TemplatePart[] {
  if (a.kind === 'obj') return [{ hole: 'inspect', expr: a.expr }];
  if (a.kind === 'any') return [{ hole: 'text', expr: a.expr }];
  return concrete(stringOf(a));
}

function concrete(parts: StrPart[]): TemplatePart[] {
  // parameters left after instantiation (a helper analysed on its own) print as unknown text
  return parts.map((p) => ('param' in p ? { hole: 'text' as HoleType } : p));
}

const HOLE_OF: Record<string, HoleType> = { d: 'number', i: 'number', f: 'float', j: 'json', o: 'inspect', O: 'inspect' };

/** What `%<c>` prints for argument a. */
function substituted(c: string, a: ArgValue): TemplatePart[] {
  if (c === 'c') return [];
  if (a.kind === 'known' && 'dif'.includes(c)) return [{ lit: knownNumber(c, a.text) }];
  if (c === 's') return a.kind === 'obj' ? [{ hole: 'inspect', expr: a.expr }] : printedExtra(a);
  return [{ hole: HOLE_OF[c]!, expr: 'expr' in a ? a.expr : undefined }];
}

/**
 * Node's util.format(...args) (and so console.log) over statically known arguments: the template of
 * literals and holes it prints. Unknowable arity (a spread) degrades to a trailing text hole.
 */
export function formatTemplate(args: ArgValue[]): TemplatePart[] {
  if (args.length === 0) return [];
  const spreadAt = args.findIndex((a) => a.kind === 'spread' || a.kind === 'rest');
  const first = args[0]!;
  if (spreadAt !== -1) {
    if (spreadAt === 0 || first.kind !== 'str') return [{ hole: 'text' }];
    // literal text up to the first placeholder is certain; what follows depends on the arity
    const prefix: TemplatePart[] = [];
    for (const p of concrete(first.parts)) {
      if ('lit' in p) {
        const at = p.lit.indexOf('%');
        if (at !== -1) {
          prefix.push({ lit: p.lit.slice(0, at) });
          return normalizeParts([...prefix, { hole: 'text' }]);
        }
      }
      prefix.push(p);
    }
    return normalizeParts([...prefix, { hole: 'text' }]);
  }
  // an unknown first argument might be a format string that consumes the others
  if ((first.kind === 'any' || first.kind === 'param') && args.length > 1) return [{ hole: 'text' }];
  if (first.kind !== 'str') return normalizeParts(joinExtras(args));
  if (args.length === 1) return normalizeParts(concrete(first.parts));

  const out: TemplatePart[] = [];
  let next = 1; // index of the next argument a placeholder consumes
  for (const p of concrete(first.parts)) {
    if (!('lit' in p)) {
      out.push(p);
      continue;
    }
    const s = p.lit;
    let lastPos = 0;
    // mirrors Node's loop: a '%' as the very last character of the literal is never a placeholder
    for (let i = 0; i < s.length - 1; i++) {
      if (s.charCodeAt(i) !== 37) continue;
      const c = s[++i]!;
      if (next < args.length) {
        if ('sdifjoOc'.includes(c)) {
          out.push({ lit: s.slice(lastPos, i - 1) }, ...substituted(c, args[next]!));
          next++;
          lastPos = i + 1;
        } else if (c === '%') {
          out.push({ lit: s.slice(lastPos, i) });
          lastPos = i + 1;
        }
      } else if (c === '%') {
        out.push({ lit: s.slice(lastPos, i) });
        lastPos = i + 1;
      }
    }
    out.push({ lit: s.slice(lastPos) });
  }
  for (; next < args.length; next++) out.push({ lit: ' ' }, ...printedExtra(args[next]!));
  return normalizeParts(out);
}

function joinExtras(args: ArgValue[]): TemplatePart[] {
  const out: TemplatePart[] = [];
  args.forEach((a, i) => {
    if (i > 0) out.push({ lit: ' ' });
    out.push(...printedExtra(a));
  });
  return out;
}

/** What %d / %i / %f print for a value whose printed form is known (null, true, 5, ...). */
function knownNumber(c: string, text: string): string {
  const value: unknown = text === 'null' ? null : text === 'undefined' ? undefined : text === 'true' ? true : text === 'false' ? false : Number(text);
  const n = c === 'd' ? Number(value) : c === 'i' ? parseInt(String(value)) : parseFloat(String(value));
  return Object.is(n, -0) ? '-0' : String(n);
}
