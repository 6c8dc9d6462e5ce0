// Bounding large attribute values (pure). A DynamoDB item may not exceed 400 KB, and one log line or
// one error message can be arbitrarily long. Every free-text attribute is cut to a fixed budget, and
// the cut is flagged in two ways: the value ends with a visible marker, and the attribute name is
// listed in the item's `truncated` field, so readers can tell a cut value from a short one.

/** budget for one string attribute, in UTF-8 bytes */
export const MAX_STRING_BYTES = 32 * 1024;
/** budget for a list of strings (process arguments), all elements together */
export const MAX_LIST_BYTES = 32 * 1024;

export const truncationMarker = (droppedBytes: number): string => `…[truncated ${droppedBytes} bytes]`;

export interface Bounded<T> {
  value: T;
  truncated: boolean;
}

/** Cut `text` to at most `maxBytes` UTF-8 bytes (marker included), never splitting a character. */
export function boundString(text: string, maxBytes = MAX_STRING_BYTES): Bounded<string> {
  const size = Buffer.byteLength(text, 'utf8');
  if (size <= maxBytes) return { value: text, truncated: false };
  // The marker's length depends on the number it shows; reserve room for the widest possible one.
  const room = Math.max(0, maxBytes - Buffer.byteLength(truncationMarker(size), 'utf8'));
  let kept = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8');
  // A multi-byte character cut in half decodes to U+FFFD: drop it.
  if (kept.endsWith('\uFFFD') && !text.startsWith(kept)) kept = kept.slice(0, -1);
  const dropped = size - Buffer.byteLength(kept, 'utf8');
  return { value: kept + truncationMarker(dropped), truncated: true };
}

/** Keep list elements while they fit in `maxBytes` together; each element is itself bounded. */
export function boundStringList(list: string[], maxBytes = MAX_LIST_BYTES): Bounded<string[]> {
  const out: string[] = [];
  let used = 0;
  let truncated = false;
  for (const [i, element] of list.entries()) {
    const one = boundString(element, Math.min(MAX_STRING_BYTES, maxBytes));
    const size = Buffer.byteLength(one.value, 'utf8');
    if (used + size > maxBytes) {
      out.push(truncationMarker(list.slice(i).reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0)));
      truncated = true;
      break;
    }
    out.push(one.value);
    used += size;
    truncated ||= one.truncated;
  }
  return { value: out, truncated };
}
