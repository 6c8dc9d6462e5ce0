// Parsing the times users give to --since/--until (pure).
import { CliError } from './errors';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * An absolute time in ms since the epoch, from: an ISO date or date-time ("2026-11-03",
 * "2026-11-03T12:00:00Z"), epoch milliseconds ("1793707200000"), "now", or a duration ago ("30m", "2h", "7d").
 */
export function parseTime(text: string | number, option: string, now: number = Date.now()): number {
  if (typeof text === 'number' && Number.isFinite(text)) return text;
  const value = String(text).trim();
  if (value === 'now') return now;
  const ago = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(value);
  if (ago) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  if (/^\d{10,}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new CliError(
    `bad ${option} ${JSON.stringify(value)}: give an ISO time (2026-11-03 or 2026-11-03T12:00:00Z), epoch milliseconds, or a duration ago (30m, 2h, 7d)`,
    2,
  );
}

/** a positive integer option such as --limit */
export function parseCount(text: string | number, option: string): number {
  const n = typeof text === 'number' ? text : /^\d+$/.test(String(text).trim()) ? Number(String(text).trim()) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(`bad ${option} ${JSON.stringify(String(text))}: give a whole number above 0`, 2);
  return n;
}
