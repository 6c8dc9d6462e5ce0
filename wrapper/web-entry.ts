// A web action's HTTP request, read from the __ow_* parameters OpenWhisk gives it, for the begin
// record: method, path and headers, with credentials, cookies and API keys redacted (they must
// never reach the provenance store).
import { REDACTED, REDACTED_HEADERS, type WebEntry } from '../protocol/wrapper-records';

/** Headers kept at most (a request can carry many; the begin record must stay one short line). */
const MAX_HEADERS = 32;
const MAX_VALUE = 256;

export function webEntry(params: unknown): WebEntry | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const p = params as Record<string, unknown>;
  if (typeof p.__ow_method !== 'string') return undefined;
  const entry: WebEntry = { m: p.__ow_method.slice(0, 16), p: typeof p.__ow_path === 'string' ? p.__ow_path.slice(0, MAX_VALUE) : '' };
  if (typeof p.__ow_headers === 'object' && p.__ow_headers !== null) {
    const h: Record<string, string> = {};
    for (const [k, v] of Object.entries(p.__ow_headers as Record<string, unknown>).slice(0, MAX_HEADERS)) {
      const name = k.toLowerCase();
      h[name] = REDACTED_HEADERS.includes(name) ? REDACTED : String(v).slice(0, MAX_VALUE);
    }
    entry.h = h;
  }
  return entry;
}
