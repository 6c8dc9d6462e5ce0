// `provenance requests` as a table (pure): one line per request, newest first as given.
import type { RequestSummary } from '../../upg/types';

const HEADERS = ['REQUEST', 'START (UTC)', 'DURATION', 'ENTRY', 'ACTIVATIONS', 'ACTIONS'] as const;

export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function formatDuration(start: number | undefined, end: number | undefined): string {
  if (start === undefined || end === undefined || end < start) return '-';
  const ms = end - start;
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1_000)}s`;
}

export function renderRequestsTable(requests: RequestSummary[]): string {
  const rows = requests.map((r) => [
    r.request,
    formatTime(r.start),
    formatDuration(r.start, r.end),
    r.entry ?? '-',
    String(r.activations),
    r.actions.length > 0 ? r.actions.join(', ') : '-',
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // The last column is not padded: no trailing spaces.
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(HEADERS), ...rows.map(line)].join('\n') + '\n';
}
