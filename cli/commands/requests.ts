// `provenance requests`: the recorded requests, newest first.
import type { Command } from 'commander';
import type { TimeRange } from '../../store/types';
import { addReadOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseCount, parseTime } from '../time';
import { renderRequestsTable } from '../render/requests';

export interface RequestsOptions extends StoreOptions {
  json?: boolean;
  /** ISO time, epoch ms, or a duration ago ("2h"); see cli/time.ts */
  since?: string | number;
  until?: string | number;
  limit?: string | number;
}

/** The time range the options ask for (pure). */
export function requestsRange(options: RequestsOptions, now: number = Date.now()): TimeRange {
  const range: TimeRange = {};
  if (options.since !== undefined) range.since = parseTime(options.since, '--since', now);
  if (options.until !== undefined) range.until = parseTime(options.until, '--until', now);
  if (options.limit !== undefined) range.limit = parseCount(options.limit, '--limit');
  if (range.since !== undefined && range.until !== undefined && range.since > range.until) {
    throw new CliError('--since is after --until: nothing can match; swap them', 2);
  }
  return range;
}

export async function runRequests(options: RequestsOptions, out: Output): Promise<void> {
  const range = requestsRange(options);
  await withStore(options, async (store, location) => {
    const requests = await store.listRequests(range);
    if (options.json) {
      out.write(`${JSON.stringify(requests, null, 2)}\n`);
    } else if (requests.length === 0) {
      const filtered = range.since !== undefined || range.until !== undefined;
      out.write(`no requests recorded ${describeLocation(location)}${filtered ? ' in that time range' : ''}\n`);
    } else {
      out.write(renderRequestsTable(requests));
    }
  });
}

export function register(program: Command): void {
  addReadOptions(
    program
      .command('requests')
      .description('list recorded requests, newest first (id, start, entry action, activations, actions)')
      .option('--json', 'print an array of request summaries')
      .option('--since <time>', 'only requests that started at or after this time (ISO, epoch ms, or 30m/2h/7d ago)')
      .option('--until <time>', 'only requests that started at or before this time')
      .option('--limit <n>', 'at most this many requests'),
  ).action(async (options: RequestsOptions) => {
    await runRequests(options, process.stdout);
  });
}
