// Where activation boundary markers sit in the write(2)s of a container's stdout and stderr: the
// rule the writers (the wrapper, the action runtime) keep, so that kernel capture can keep the bytes
// of the few writes that carry a marker and sum every other stdio write ("markers only").
// The kernel's copy of these strings is kmod/include/sp_markers.h (kmod/schema.test.ts checks
// that they agree).
//
// The rule: a write that carries a marker line (a wrapper record, whose begin and end records move
// activation boundaries, or the runtime's sentinel) has a marker at its start, after at most one
// newline (which ends a line user output left open). A writev's buffers are looked at one by one:
// each may start with a marker. A marker line cut at the end of a write goes on in the writer
// thread's next writes to that fd, which are kept whole until one ends with a newline.
import { ACTIVATION_SENTINEL } from './action-runtime';
import { RECORD_PREFIX } from './wrapper-records';

/** How each marker line starts: any wrapper record (of any record version), the sentinel. */
export const MARKER_STARTS = [RECORD_PREFIX, ACTIVATION_SENTINEL] as const;

/** Bytes of a marker the kernel compares at a write's start (after the optional newline). */
export const MARKER_COMPARED_BYTES = 8;

/** Whether this line is a marker line, by how it starts (what the rule is about). */
export function isMarkerLine(line: string): boolean {
  return line.startsWith(RECORD_PREFIX) || line.trim() === ACTIVATION_SENTINEL;
}

/** Whether the text of one write starts with a marker, after at most one newline. */
export function startsWithMarker(text: string): boolean {
  const rest = text.startsWith('\n') ? text.slice(1) : text;
  return MARKER_STARTS.some((m) => rest.startsWith(m));
}

/** Whether the text of one write carries a marker line anywhere in it. */
export function carriesMarker(text: string): boolean {
  return text.split('\n').some(isMarkerLine);
}

/** Whether one write(2)'s text keeps the rule: it carries no marker line, or it starts with a marker. */
export function keepsMarkerRule(text: string): boolean {
  return !carriesMarker(text) || startsWithMarker(text);
}
