// Judges one observed run against its profile, as the correlator would: every line matched to a
// template (the previous match resolving ambiguity), then the template sequence checked against the
// LMS-CFG. Lines no template matches are counted apart (code outside the analysed package printed
// them, or the analyser missed a logging call): they are not deviations. Pure.
import type { LmsMatcher } from './matcher';
import { checkSequence } from './sequence';
import type { Deviation, LmsProfile } from './types';

export interface RunVerdict {
  lines: number;
  matched: number;
  unmatched: string[];
  deviations: Deviation[];
}

export function judgeRun(profile: LmsProfile, matcher: LmsMatcher, lines: readonly string[], outcome: { failed: boolean; complete: boolean }): RunVerdict {
  const ids: Array<string | null> = [];
  const unmatched: string[] = [];
  let prev: string | undefined;
  for (const line of lines) {
    const m = matcher.match(line, prev);
    if (!m) {
      unmatched.push(line);
      ids.push(null);
      continue;
    }
    ids.push(m.templateId);
    prev = m.templateId;
  }
  const deviations = checkSequence(profile, ids, { failed: outcome.failed, complete: outcome.complete });
  return { lines: lines.length, matched: lines.length - unmatched.length, unmatched, deviations };
}
