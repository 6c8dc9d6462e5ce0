// When one event surely came before another. A graph mixes two clocks' resolutions: the wrapper's
// records carry Date.now(), whole milliseconds (the real moment lies anywhere in [t, t + 1)), and
// the kernel's events carry microseconds. A kernel read at 749.326 and an invocation the wrapper
// stamped 749 may well be in that order (read, then invoke), so comparing the raw numbers would drop
// the step. Compared at whole milliseconds, "before" means before whatever the real sub-millisecond
// moments were; events inside the same millisecond are not ordered, which keeps the analyses an
// over-approximation rather than missing a path.

/** `a` happened strictly before `b`; false when either time is unknown or both fall in the same millisecond. */
export function surelyBefore(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && Math.floor(a) < Math.floor(b);
}
