// Checks an activation's observed sequence of templates against the LMS-CFG (deviations), and
// splits it into execution units (one per iteration of a unit loop). Pure.
import { CfgWalker } from './walk';
import { ENTRY, type Deviation, type LmsProfile } from './types';

export interface SequenceOptions {
  /** the sequence is the whole activation (its end record was seen); default true */
  complete?: boolean;
  /** the activation failed (threw, or returned an error): it may stop anywhere */
  failed?: boolean;
}

/** Entries are template ids; null/undefined stand for lines no template matched (skipped). */
export type TemplateSequence = ReadonlyArray<string | null | undefined>;

const MAX_EXPECTED = 12;

/** Unit-loop bodies: the log sites reachable from a loop's unit-begin before its unit-end. */
function unitBodies(profile: LmsProfile, walker: CfgWalker): Map<string, { body: Set<string>; starts: Set<string> }> {
  const out = new Map<string, { body: Set<string>; starts: Set<string> }>();
  for (const begin of profile.cfg.sites) {
    if (begin.kind !== 'unit-begin' || !begin.loop) continue;
    const entry = out.get(begin.loop) ?? { body: new Set<string>(), starts: new Set<string>() };
    out.set(begin.loop, entry);
    const seen = new Set<string>([begin.id]);
    let frontier = [begin.id];
    for (const steps of walker.from(begin.id).next.values()) for (const st of steps) entry.starts.add(st.site);
    while (frontier.length) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const to of profile.cfg.edges[id] ?? []) {
          if (seen.has(to)) continue;
          seen.add(to);
          const s = walker.sites.get(to);
          if (!s) continue;
          if (s.kind === 'unit-end' && s.loop === begin.loop) continue;
          if (s.kind === 'log') entry.body.add(to);
          next.push(to);
        }
      }
      frontier = next;
    }
  }
  return out;
}

/** Deviations of an observed template sequence from what the LMS-CFG can produce. */
export function checkSequence(profile: LmsProfile, templateIds: TemplateSequence, options: SequenceOptions = {}): Deviation[] {
  const walker = new CfgWalker(profile);
  const known = new Set(profile.templates.map((t) => t.id));
  const bodies = unitBodies(profile, walker);
  const inUnit = (sites: Iterable<string>): string | undefined => {
    for (const [loop, b] of bodies) for (const s of sites) if (b.body.has(s)) return loop;
    return undefined;
  };
  const out: Deviation[] = [];
  let states: string[] = [ENTRY];
  let previous: string | undefined;
  templateIds.forEach((t, index) => {
    if (t === null || t === undefined) return;
    if (!known.has(t)) {
      out.push({ kind: 'unknown-template', index, templateId: t, previous, expected: [], message: `template ${t} is not in the action's profile: the code that printed it was not analysed` });
      return;
    }
    const next = new Set<string>();
    for (const s of states) for (const step of walker.from(s).next.get(t) ?? []) next.add(step.site);
    // a deferred line (a callback's, an unawaited promise's) may come anywhere, and after an unknown
    // site anything may: neither is a deviation, and the activation keeps every place it could be at.
    // A wildcard template out of its place is no evidence either: a library may have printed the line.
    if (walker.deferred.has(t) || walker.unknownAfter(states) || (walker.wildcards.has(t) && next.size === 0)) {
      states = [...new Set([...states, ...next])];
      previous = t;
      return;
    }
    if (next.size === 0) {
      const expected = walker.expectedAfter(states).slice(0, MAX_EXPECTED);
      const loop = inUnit(states);
      const restart = loop !== undefined && (walker.sitesOf.get(t) ?? []).some((s) => bodies.get(loop)!.starts.has(s));
      if (restart) {
        out.push({ kind: 'unit-end-missing', index, templateId: t, previous, expected, message: `a new unit of loop ${loop} started (${t}) before the previous one reached its end` });
      } else {
        out.push({ kind: 'out-of-order', index, templateId: t, previous, expected, message: `template ${t} cannot follow ${previous ?? 'the activation start'}; the code allows: ${expected.join(', ') || 'nothing more'}` });
      }
      states = walker.sitesOf.get(t) ?? [];
    } else states = [...next];
    previous = t;
  });
  if (options.complete !== false && !options.failed && !states.some((s) => walker.from(s).exit || walker.from(s).unknown)) {
    const loop = inUnit(states);
    const expected = walker.expectedAfter(states).slice(0, MAX_EXPECTED);
    out.push(
      loop !== undefined
        ? { kind: 'unit-end-missing', index: templateIds.length, previous, expected, message: `the activation ended inside a unit of loop ${loop}, which cannot end there` }
        : { kind: 'end-missing', index: templateIds.length, previous, expected, message: `the activation ended after ${previous ?? 'no log line'}, where the code cannot end; expected next: ${expected.join(', ')}` },
    );
  }
  return out;
}

/**
 * The execution unit of each entry: 0, 1, 2... for lines inside an iteration of a unit loop
 * (counted per activation, in order), undefined outside any unit (and for unmatched lines).
 * Follows one path, taking the fewest unit boundaries when the log lines allow several.
 */
export function assignUnits(profile: LmsProfile, templateIds: TemplateSequence): Array<number | undefined> {
  const walker = new CfgWalker(profile);
  let at = ENTRY;
  let counter = -1;
  const open: string[] = []; // loops whose unit is open, innermost last
  let current: number | undefined;
  return templateIds.map((t) => {
    if (t === null || t === undefined) return current;
    const steps = walker.from(at).next.get(t);
    if (!steps?.length) {
      // off the graph: restart at the template's first site, outside any unit
      const s = walker.sitesOf.get(t)?.[0];
      if (s === undefined) return current;
      at = s;
      open.length = 0;
      current = undefined;
      return current;
    }
    const step = steps.reduce((a, b) => (b.markers.length < a.markers.length ? b : a));
    for (const m of step.markers) {
      if (m.kind === 'unit-begin') {
        open.push(m.loop!);
        current = ++counter;
      } else if (m.kind === 'unit-end') {
        const i = open.lastIndexOf(m.loop!);
        if (i !== -1) open.splice(i);
        current = open.length ? current : undefined;
      }
    }
    at = step.site;
    return current;
  });
}
