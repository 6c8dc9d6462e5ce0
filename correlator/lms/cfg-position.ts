// Where one activation stands in its action's LMS-CFG while its log lines arrive, one line
// at a time and across batches (the state is kept in the activation's meta between batches). Pure.
//
// Each line is matched to a template (ambiguity resolved by the previous template's position, see
// lms/matcher.ts) and assigned its execution unit exactly as lms/sequence.ts assignUnits does for a
// whole sequence (a test checks the two agree); the template sequence is kept for checkSequence when
// the activation ends.
import type { LmsMatch, LmsProfile } from '../../lms/types';
import type { LmsMatcher } from '../../lms/matcher';
import { CfgWalker } from '../../lms/walk';
import { ENTRY } from '../../lms/types';

/** Longest template sequence kept for the end-of-activation check (the meta item must stay small). */
export const MAX_TRACKED_LINES = 3000;

export interface LmsPosition {
  /** template id of the previous matched line */
  prev?: string;
  /** CFG site reached (ENTRY before the first line) */
  at: string;
  /** unit loops open, innermost last */
  open: string[];
  /** unit of the last line; undefined outside any unit */
  unit?: number;
  /** highest unit index given so far (-1: none) */
  counter: number;
  /** template ordinals (index in profile.templates) of every line so far, -1 for unmatched lines */
  seq: number[];
  /** more lines than MAX_TRACKED_LINES: the end-of-activation check is skipped */
  overflow?: boolean;
  unmatched: number;
  /** the last line taken, per stream (the agent's per-container seq): a re-delivered line is not taken twice */
  last?: { stdout?: number; stderr?: number };
  /**
   * The position before the latest batch that advanced it (encoded, without its own `from`): when
   * that same batch is delivered again (a retry), matching restarts there and gives the same graph.
   */
  from?: { invoker: string; batch: number; pos: string };
}

/** The position to continue from for a batch, given what the activation's meta kept. */
export function resumePosition(kept: string | undefined, batch: { invoker: string; batch: number }): LmsPosition {
  const pos = decodePosition(kept) ?? startPosition();
  const { from, ...rest } = pos;
  if (from && from.invoker === batch.invoker && from.batch === batch.batch) {
    const again = decodePosition(from.pos) ?? startPosition();
    return { ...again, from };
  }
  return { ...rest, from: { invoker: batch.invoker, batch: batch.batch, pos: encodePosition(rest) } };
}

/** Has this line (stream, seq) been taken already (a batch delivered again)? Marks it taken otherwise. */
export function takeLine(pos: LmsPosition, stream: 'stdout' | 'stderr', seq: number): boolean {
  const last = (pos.last ??= {});
  const prev = last[stream];
  if (prev !== undefined && seq <= prev) return false;
  last[stream] = seq;
  return true;
}

export function startPosition(): LmsPosition {
  return { at: ENTRY, open: [], counter: -1, seq: [], unmatched: 0 };
}

/** The state as kept in ActivationMeta.lms, and back (a bad or foreign value starts over). */
export function encodePosition(p: LmsPosition): string {
  return JSON.stringify(p);
}

export function decodePosition(text: string | undefined): LmsPosition | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as LmsPosition;
    if (typeof p.at === 'string' && Array.isArray(p.open) && Array.isArray(p.seq) && typeof p.counter === 'number') return p;
  } catch {
    // fall through
  }
  return undefined;
}

export interface LineOutcome {
  match?: LmsMatch;
  /** the execution unit this line belongs to */
  unit?: number;
  /** the line opened a new unit */
  newUnit: boolean;
}

/** One profile's matcher, walker and template ordinals, built once per batch. */
export interface ProfileTools {
  profile: LmsProfile;
  matcher: LmsMatcher;
  walker: CfgWalker;
  ordinal: Map<string, number>;
}

export function profileTools(profile: LmsProfile, matcher: LmsMatcher): ProfileTools {
  return { profile, matcher, walker: new CfgWalker(profile), ordinal: new Map(profile.templates.map((t, i) => [t.id, i])) };
}

/** Advances `pos` (mutated) by one log line's text (without the wrapper's id prefix). */
export function stepLine(tools: ProfileTools, pos: LmsPosition, text: string): LineOutcome {
  const match = tools.matcher.match(text, pos.prev);
  track(pos, match ? (tools.ordinal.get(match.templateId) ?? -1) : -1);
  if (!match) {
    pos.unmatched += 1;
    return { unit: pos.unit, newUnit: false };
  }
  pos.prev = match.templateId;
  const before = pos.counter;
  stepUnits(tools.walker, pos, match.templateId);
  return { match, unit: pos.unit, newUnit: pos.counter !== before };
}

function track(pos: LmsPosition, ordinal: number): void {
  if (pos.overflow) return;
  if (pos.seq.length >= MAX_TRACKED_LINES) {
    pos.overflow = true;
    pos.seq = [];
    return;
  }
  pos.seq.push(ordinal);
}

/** assignUnits (lms/sequence.ts) for one more template: the same walk, kept in `pos`. */
export function stepUnits(walker: CfgWalker, pos: LmsPosition, templateId: string): void {
  const steps = walker.from(pos.at).next.get(templateId);
  if (!steps?.length) {
    // off the graph: restart at the template's first site, outside any unit
    const s = walker.sitesOf.get(templateId)?.[0];
    if (s === undefined) return;
    pos.at = s;
    pos.open = [];
    pos.unit = undefined;
    return;
  }
  const step = steps.reduce((a, b) => (b.markers.length < a.markers.length ? b : a));
  for (const m of step.markers) {
    if (m.kind === 'unit-begin') {
      pos.open.push(m.loop!);
      pos.unit = ++pos.counter;
    } else if (m.kind === 'unit-end') {
      const i = pos.open.lastIndexOf(m.loop!);
      if (i !== -1) pos.open.splice(i);
      if (!pos.open.length) pos.unit = undefined;
    }
  }
  pos.at = step.site;
}

/** The template ids of the tracked sequence (null for unmatched lines), for checkSequence. */
export function trackedSequence(profile: LmsProfile, pos: LmsPosition): Array<string | null> {
  return pos.seq.map((o) => (o >= 0 ? (profile.templates[o]?.id ?? null) : null));
}
