// One regular expression per hole type: each must match every string Node prints for a value of
// that kind (checked against real util.format output in holes.test.ts). DisProTrack's own
// patterns (%p, %x) never matched; these are tested instead of trusted.
import type { HoleType, TemplatePart } from './types';

// Node's formatNumber / String(number): "-0", "12", "1.5", "1e+21", "1.2345678901234569e+23",
// "1e-7", "NaN", "Infinity", "-Infinity". Digits always lead (never ".5").
const NUMBER = String.raw`NaN|-?(?:Infinity|\d+(?:\.\d+)?(?:e[+-]\d+)?)`;

export const HOLE_REGEX: Record<HoleType, string> = {
  text: String.raw`[\s\S]*?`,
  // %d and %i also print bigints as "12n"
  number: String.raw`NaN|-?(?:Infinity|\d+(?:\.\d+)?(?:e[+-]\d+)?|\d+n)`,
  float: NUMBER,
  boolean: 'true|false',
  json: String.raw`[\s\S]*?`,
  inspect: String.raw`[\s\S]*?`,
};

/** Escape literal text for use inside a RegExp source. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** The anchored regex source of a template: one capture group per hole. */
export function templateRegex(parts: TemplatePart[]): string {
  let src = '^';
  for (const p of parts) src += 'lit' in p ? escapeRegex(p.lit) : `(${HOLE_REGEX[p.hole]})`;
  return src + '$';
}

/** Human form: literal text with each hole written as {type}; braces in literals doubled. */
export function templateText(parts: TemplatePart[]): string {
  return parts.map((p) => ('lit' in p ? p.lit.replace(/[{}]/g, '$&$&') : `{${p.hole}}`)).join('');
}

const ANY_TEXT = new Set<HoleType>(['text', 'json', 'inspect']);

/**
 * Merge adjacent literals, drop empty ones, and merge adjacent any-text holes (two of them match
 * exactly what one does), so equal templates have equal parts.
 */
export function normalizeParts(parts: TemplatePart[]): TemplatePart[] {
  const out: TemplatePart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if ('hole' in p && last && 'hole' in last && ANY_TEXT.has(p.hole) && ANY_TEXT.has(last.hole)) {
      out[out.length - 1] = { hole: 'text' };
      continue;
    }
    if ('lit' in p) {
      if (p.lit === '') continue;
      const last = out[out.length - 1];
      if (last && 'lit' in last) {
        out[out.length - 1] = { lit: last.lit + p.lit };
        continue;
      }
    }
    out.push(p);
  }
  return out;
}
