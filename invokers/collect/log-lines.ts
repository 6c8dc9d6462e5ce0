// Pure: OpenWhisk's activation log lines as the REST API returns them
// (`<ISO time with up to 9 fractional digits> <stdout|stderr>: <text>`) back into what the action
// wrote, on which stream, when.

export interface LogLine {
  /** ms since the epoch */
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z\s+(stdout|stderr):\s?([\s\S]*)$/;

/** One line, or undefined when it is not in OpenWhisk's format (kept as stdout text by the caller). */
export function parseLogLine(raw: string): LogLine | undefined {
  const m = LINE.exec(raw);
  if (!m) return undefined;
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  const time = Date.parse(`${m[1]}.${ms}Z`);
  if (!Number.isFinite(time)) return undefined;
  return { time, stream: m[3] as LogLine['stream'], text: m[4]! };
}
