// What one line a container wrote is. Pure; no judgement of records here (that is
// assemble/judge-record.ts), only recognition — a record line is parsed once, here (for a whole batch:
// classify-batch.ts), and every later step uses that.
import { parseRecordLine, type ParseResult } from '../../wrapper/records';
import { LOG_ID_CLOSE, LOG_ID_OPEN, RECORD_PREFIX } from '../../protocol/wrapper-records';
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';

export type LineClass =
  /** starts like a wrapper record (any version: an unknown version is rejected later, with its reason) */
  | { kind: 'record'; parsed: ParseResult }
  | { kind: 'sentinel' }
  /** a user log line carrying the ids the wrapper injected */
  | { kind: 'log'; via: 'prefix' | 'winston'; requestId: string; activationId: string; text: string }
  /** anything else: attributed later from the container's activation in progress, if unambiguous */
  | { kind: 'plain'; text: string };

// "[prov <reqId> <activationId>] text": the request id may contain spaces, the activation id may not,
// so the id closest to the bracket is the activation id.
const PREFIXED = new RegExp(`^${escapeRegExp(LOG_ID_OPEN)}(.+?) ([^ \\]]+)${escapeRegExp(LOG_ID_CLOSE)}(?: ([\\s\\S]*))?$`);

/** How many `{` positions to try when looking for winston's trailing JSON (bounds the work on hostile lines). */
const MAX_JSON_STARTS = 8;

export function classifyLine(line: string): LineClass {
  if (line.startsWith(RECORD_PREFIX)) return { kind: 'record', parsed: parseRecordLine(line) };
  if (line.trim() === ACTIVATION_SENTINEL) return { kind: 'sentinel' };
  const prefixed = PREFIXED.exec(line);
  if (prefixed) {
    return { kind: 'log', via: 'prefix', requestId: prefixed[1], activationId: prefixed[2], text: prefixed[3] ?? '' };
  }
  const ids = winstonIds(line);
  if (ids) return { kind: 'log', via: 'winston', ...ids, text: line };
  return { kind: 'plain', text: line };
}

/**
 * Winston lines: the json format prints the whole info object; the simple/cli formats print
 * "level: message {json of the other fields}". Either way the ids are string fields of a JSON
 * object that runs to the end of the line.
 */
function winstonIds(line: string): { requestId: string; activationId: string } | undefined {
  if (!line.includes('"activationId"') || !line.includes('"reqId"')) return undefined;
  let from = 0;
  for (let tries = 0; tries < MAX_JSON_STARTS; tries++) {
    const start = line.indexOf('{', from);
    if (start < 0) return undefined;
    const parsed = tryParseObject(line.slice(start));
    if (parsed) {
      const { reqId, activationId } = parsed;
      if (typeof reqId === 'string' && typeof activationId === 'string' && reqId && activationId) {
        return { requestId: reqId, activationId };
      }
      return undefined;
    }
    from = start + 1;
  }
  return undefined;
}

function tryParseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
