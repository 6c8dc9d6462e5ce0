// The run-time half: a log line -> (template id, values), and back, exactly. Ambiguity between
// templates that both match is resolved by the LMS-CFG: a template that may follow the previous
// one wins; then the most specific (most literal characters).
import { compileBounded, MATCH_BUDGET, type BoundedMatch } from './bounded-match';
import { CfgWalker } from './walk';
import { ENTRY, type LmsMatch, type LmsProfile, type LmsTemplate } from './types';

export interface LmsMatcher {
  /**
   * Match one log line (without its newline, and without any prefix the wrapper adds) against
   * the profile's templates. `previous` is the template id of the activation's previous matched
   * line (undefined at the activation's start). Undefined when no template matches: keep the line raw.
   */
  match(line: string, previous?: string): LmsMatch | undefined;
  /** The exact line a match stands for. Throws on an unknown template or a wrong number of values. */
  render(templateId: string, values: readonly string[], envelope?: string): string;
}

interface Compiled {
  t: LmsTemplate;
  /** the template's language, matched with bounded work (never its backtracking regex: lines are hostile) */
  match: BoundedMatch;
  prefix: string;
  suffix: string;
  holes: number;
}

export function createMatcher(profile: LmsProfile): LmsMatcher {
  const walker = new CfgWalker(profile);
  const byId = new Map<string, Compiled>();
  const compiled: Compiled[] = [];
  for (const t of profile.templates) {
    try {
      new RegExp(t.regex); // a profile whose regex does not compile was damaged or hand-edited
    } catch (e) {
      throw new Error(`lms: template ${t.id} has an invalid regex (${(e as Error).message}); re-run the analyser`);
    }
    const first = t.parts[0];
    const last = t.parts[t.parts.length - 1];
    const c: Compiled = {
      t,
      match: compileBounded(t.parts),
      prefix: first && 'lit' in first ? first.lit : '',
      suffix: t.parts.length > 1 && last && 'lit' in last ? last.lit : '',
      holes: t.parts.filter((p) => 'hole' in p).length,
    };
    if (t.parts.length === 1 && first && 'lit' in first) c.suffix = '';
    byId.set(t.id, c);
    compiled.push(c);
  }
  // most specific first; wildcards (no literal text) last
  compiled.sort((a, b) => b.t.literalChars - a.t.literalChars || a.holes - b.holes || (a.t.id < b.t.id ? -1 : 1));
  // candidates by the first character of their literal prefix; prefix-less templates apply to every line
  const byFirst = new Map<string, Compiled[]>();
  const open: Compiled[] = [];
  for (const c of compiled) {
    if (c.prefix) byFirst.set(c.prefix[0]!, [...(byFirst.get(c.prefix[0]!) ?? []), c]);
    else open.push(c);
  }
  const expectedCache = new Map<string, { has(id: string): boolean }>();
  const anything = { has: (): boolean => true };
  const expectedAfter = (prev: string | undefined): { has(id: string): boolean } => {
    const key = prev ?? ENTRY;
    let set = expectedCache.get(key);
    if (!set) {
      const states = prev === undefined ? [ENTRY] : (walker.sitesOf.get(prev) ?? []);
      // deferred templates may come anywhere; after an unknown site, so may every template
      set = walker.unknownAfter(states) ? anything : new Set([...walker.expectedAfter(states), ...walker.deferred]);
      expectedCache.set(key, set);
    }
    return set;
  };

  const matchText = (text: string, previous: string | undefined): LmsMatch | undefined => {
    const expected = expectedAfter(previous);
    const a = byFirst.get(text[0] ?? '') ?? [];
    let best: { c: Compiled; m: string[] } | undefined;
    // one budget for the whole line: a hostile line costs the same bounded work however many templates there are
    const budget = { left: MATCH_BUDGET };
    // walk both candidate lists in specificity order
    let i = 0;
    let j = 0;
    while (i < a.length || j < open.length) {
      const c = j >= open.length || (i < a.length && a[i]!.t.literalChars >= open[j]!.t.literalChars) ? a[i++]! : open[j++]!;
      if (c.prefix && !text.startsWith(c.prefix)) continue;
      if (c.suffix && !text.endsWith(c.suffix)) continue;
      const m = c.match(text, budget);
      if (!m) {
        if (budget.left <= 0) break; // out of work for this line: what matched so far, or nothing (kept raw)
        continue;
      }
      if (expected.has(c.t.id)) return { templateId: c.t.id, values: m, expected: true };
      best ??= { c, m };
    }
    return best && { templateId: best.c.t.id, values: best.m, expected: false };
  };

  const render = (templateId: string, values: readonly string[], envelope?: string): string => {
    const c = byId.get(templateId);
    if (!c) throw new Error(`lms: unknown template ${templateId}: the profile does not have it (was the line matched against another profile version?)`);
    if (values.length !== c.holes) throw new Error(`lms: template ${templateId} has ${c.holes} holes but ${values.length} values were given`);
    let k = 0;
    let text = '';
    for (const p of c.t.parts) text += 'lit' in p ? p.lit : values[k++]!;
    if (envelope === undefined) return text;
    const obj = JSON.parse(envelope) as Record<string, unknown>;
    obj.message = text;
    return JSON.stringify(obj);
  };

  const matchEnvelope = (line: string, previous: string | undefined): LmsMatch | undefined => {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj) || typeof (obj as { message?: unknown }).message !== 'string') return undefined;
    const m = matchText((obj as { message: string }).message, previous);
    if (!m) return undefined;
    (obj as { message: string }).message = '';
    const envelope = JSON.stringify(obj);
    // only when the line is exactly what JSON.stringify prints can it be rebuilt byte for byte
    if (render(m.templateId, m.values, envelope) !== line) return undefined;
    return { ...m, envelope };
  };

  return {
    match(line, previous) {
      if (line.length > 1 && line[0] === '{' && line[line.length - 1] === '}') {
        const env = matchEnvelope(line, previous);
        if (env && !byId.get(env.templateId)!.t.wildcard) return env;
        return matchText(line, previous) ?? env;
      }
      return matchText(line, previous);
    },
    render,
  };
}
