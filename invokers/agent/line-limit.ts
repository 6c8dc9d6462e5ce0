// Over-long output lines are cut, never dropped silently: the kept head ends with a marker that
// says how many bytes were cut (pure).

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export function cutMarker(droppedBytes: number): string {
  return ` …[line cut by the provenance agent: ${droppedBytes} more bytes]`;
}

/** Largest prefix length <= max that does not end inside a UTF-8 character. */
export function utf8Boundary(buf: Buffer, max: number): number {
  if (buf.length <= max) return buf.length;
  let end = max;
  // step back over continuation bytes (10xxxxxx) so the head decodes cleanly
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return end;
}

/** Length of the longest prefix of `buf` that does not end with an incomplete UTF-8 character. */
export function completeUtf8Prefix(buf: Buffer): number {
  let lead = buf.length - 1;
  while (lead >= 0 && (buf[lead] & 0xc0) === 0x80) lead--;
  if (lead < 0) return 0;
  const b = buf[lead];
  const width = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
  return lead + width <= buf.length ? buf.length : lead;
}

/** The line itself when it fits, else its head and the cut marker. */
export function limitLine(line: string, maxBytes = DEFAULT_MAX_LINE_BYTES): string {
  const bytes = Buffer.byteLength(line);
  if (bytes <= maxBytes) return line;
  const buf = Buffer.from(line);
  const end = utf8Boundary(buf, maxBytes);
  return buf.subarray(0, end).toString('utf8') + cutMarker(bytes - end);
}
