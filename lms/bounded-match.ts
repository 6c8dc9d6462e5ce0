// Matching a line against one template with bounded work. The template's regex (`^lit(hole)lit…$`)
// backtracks: with several any-text holes a hostile line of a few kilobytes that almost matches
// takes polynomial time (hours for five holes), and log lines are written by whatever runs in the
// action. Here the same language is matched by a search over (part, position) that remembers
// every dead end, so no state is explored twice, and gives up (no match: the line stays raw) after
// a fixed budget of steps. Holes take the shortest text that lets the rest match, as the regex's
// lazy holes do; typed holes are tried longest first, as the regex's greedy digits are. Pure.
import { HOLE_REGEX } from './holes';
import type { HoleType, TemplatePart } from './types';

/** Steps one line may cost, over every template tried, whatever the line: a few milliseconds at most. */
export const MATCH_BUDGET = 40_000;
/** Longest text a typed hole (number, float, boolean) can print: longer runs do not match it. */
const TYPED_MAX = 400;
const ANY_TEXT = new Set<HoleType>(['text', 'json', 'inspect']);

type Part = { lit: string } | { any: true } | { typed: RegExp };

/** Work left for one line; shared by the templates tried on it. */
export interface Budget {
  left: number;
}

export type BoundedMatch = (line: string, budget?: Budget) => string[] | undefined;

/** How far a typed hole's text can reach from `pos`: its characters only, at most TYPED_MAX. */
function typedExtent(line: string, pos: number): number {
  const end = Math.min(line.length, pos + TYPED_MAX);
  let e = pos;
  for (; e < end; e++) {
    const c = line.charCodeAt(e);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 43 || c === 45;
    if (!ok) break;
  }
  return e;
}

export function compileBounded(parts: readonly TemplatePart[]): BoundedMatch {
  const ps: Part[] = parts.map((p) => ('lit' in p ? { lit: p.lit } : ANY_TEXT.has(p.hole) ? { any: true as const } : { typed: new RegExp(`^(?:${HOLE_REGEX[p.hole]})$`) }));
  return (line, shared = { left: MATCH_BUDGET }) => {
    const n = line.length;
    const dead = new Set<number>(); // i * (n + 1) + pos: no match from there
    const values: string[] = [];
    const from = (i: number, pos: number): boolean => {
      if (--shared.left < 0) return false;
      if (i === ps.length) return pos === n;
      const key = i * (n + 1) + pos;
      if (dead.has(key)) return false;
      const p = ps[i]!;
      if ('lit' in p) {
        if (line.startsWith(p.lit, pos) && from(i + 1, pos + p.lit.length)) return true;
      } else if ('any' in p) {
        const next = ps[i + 1];
        if (next === undefined) {
          values.push(line.slice(pos));
          return true;
        }
        if ('lit' in next) {
          // the hole ends where the next literal starts: each of its occurrences, nearest first
          // scanning costs too (a step per 64 characters passed over), not only the tries
          let at = pos;
          for (let e = line.indexOf(next.lit, pos); shared.left > 0; e = line.indexOf(next.lit, e + 1)) {
            shared.left -= ((e === -1 ? n : e) - at) >> 6;
            if (e === -1) break;
            at = e;
            values.push(line.slice(pos, e));
            if (from(i + 1, e)) return true;
            values.pop();
          }
        } else {
          for (let e = pos; e <= n && shared.left > 0; e++) {
            values.push(line.slice(pos, e));
            if (from(i + 1, e)) return true;
            values.pop();
          }
        }
      } else {
        for (let e = typedExtent(line, pos); e > pos && shared.left > 0; e--) {
          shared.left -= 1 + ((e - pos) >> 3); // a test reads the candidate text
          if (!p.typed.test(line.slice(pos, e))) continue;
          values.push(line.slice(pos, e));
          if (from(i + 1, e)) return true;
          values.pop();
        }
      }
      dead.add(key);
      return false;
    };
    return from(0, 0) && shared.left >= 0 ? values : undefined;
  };
}
