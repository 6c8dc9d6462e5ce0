// `provenance report`: the incidents the correlator found by itself (container reuse, exfiltration),
// newest first. Terminal text by default; `--json` prints the stable contract {"incidents": [...]};
// `--format markdown|html|dot|prov-json|prov-o` draws them over the graphs of the requests involved
// (upg/export). `--detect` first runs detection again over the stored requests (a store filled with
// detection off, or after changing what is sensitive), with progress on stderr when it is a terminal.
// Requests whose graphs record losses (dropped kernel events, cut lines, lost batches) follow in
// their own section (`losses` in --json): drops are never silent.
import { Option, type Command } from 'commander';
import type { ProvenanceStore } from '../../store/types';
import type { Incident } from '../../upg/analyses/types';
import type { RequestGraph } from '../../upg/types';
import { renderIncidentsText } from '../../upg/analyses/render-text';
import { analysisConfig, AnalysisConfigError, type AnalysisConfigInput } from '../../upg/analyses/config';
import { detectIncidents } from '../../correlator/detect/detect-incidents';
import { renderExport } from '../../upg/export/index';
import { addReadOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseTime } from '../time';
import { resultFormat, writeResult } from './result';
import { progressLine } from './progress';
import { lossesOf, renderLossesText, type RequestLosses } from '../../upg/losses';

export interface ReportOptions extends StoreOptions {
  json?: boolean;
  format?: string;
  out?: string;
  since?: string | number;
  request?: string;
  /** run detection again over the stored requests (since --since) before listing */
  detect?: boolean;
  /** analysis settings for --detect (custom.provenance.sensitive / allowlist) */
  analysis?: AnalysisConfigInput;
  /** text: print benign shared state in full too (by default one line per artifact) */
  all?: boolean;
}

export interface ReportJson {
  incidents: Incident[];
  /** requests whose graphs say evidence was lost (present when any did) */
  losses?: RequestLosses[];
}

/** The `--json` contract. */
export function reportJson(incidents: Incident[], losses: RequestLosses[] = []): string {
  const body: ReportJson = { incidents };
  if (losses.length) body.losses = losses;
  return `${JSON.stringify(body, null, 2)}\n`;
}

export async function runReport(options: ReportOptions, out: Output, progress: (line: string) => void = progressLine()): Promise<void> {
  const format = resultFormat(options);
  const since = options.since !== undefined ? parseTime(options.since, '--since') : undefined;
  if (options.request !== undefined && String(options.request).trim() === '') throw new CliError('--request needs a request id (see `provenance requests`)', 2);
  let config;
  try {
    config = options.analysis || options.detect ? analysisConfig(options.analysis ?? {}) : undefined;
  } catch (err) {
    if (err instanceof AnalysisConfigError) throw new CliError(err.message, 2);
    throw err;
  }
  await withStore(options, async (store, location) => {
    if (options.detect) await detectStored(store, since, options.request, config!, progress);
    const incidents = await store.listIncidents({ since, request: options.request });
    const losses = format === 'json' || format === 'text' ? await findLosses(store, since, options.request, progress) : [];
    if (format === 'json') return writeResult(reportJson(incidents, losses), format, options.out, out);
    if (format === 'text') {
      const text = incidents.length ? renderIncidentsText(incidents, { all: options.all === true }) : `no incidents ${describeLocation(location)}${since !== undefined || options.request ? ' matching the filters' : ''}\n`;
      const lossText = renderLossesText(losses);
      return writeResult(lossText ? `${text}\n${lossText}` : text, format, options.out, out);
    }
    if (incidents.length === 0) throw new CliError(`no incidents ${describeLocation(location)} to draw as ${format}; \`provenance report\` lists them`);
    const graphs = await loadGraphs(store, [...new Set(incidents.flatMap((i) => i.requests))], progress);
    writeResult(renderExport(format, { graphs, incidents, title: 'provenance report' }), format, options.out, out);
  });
}

/** Requests whose graphs record losses, newest last; at most LOSS_SCAN_LIMIT of the latest requests are read. */
async function findLosses(store: ProvenanceStore, since: number | undefined, request: string | undefined, progress: (line: string) => void): Promise<RequestLosses[]> {
  const all = request !== undefined ? [request] : (await store.listRequests(since !== undefined ? { since } : {})).map((r) => r.request);
  const requests = all.slice(-LOSS_SCAN_LIMIT);
  const out: RequestLosses[] = [];
  for (const [i, r] of requests.entries()) {
    if (requests.length > 20) progress(`looking for losses ${i + 1}/${requests.length}`);
    const g = await store.getRequestGraph(r);
    const l = g ? lossesOf(g) : undefined;
    if (l) out.push(l);
  }
  progress('');
  return out;
}

/** how many of the latest requests `report` reads for losses (narrow with --since or --request) */
const LOSS_SCAN_LIMIT = 2000;

async function loadGraphs(store: ProvenanceStore, requests: string[], progress: (line: string) => void): Promise<RequestGraph[]> {
  const graphs: RequestGraph[] = [];
  for (const [i, r] of requests.entries()) {
    progress(`loading request graphs ${i + 1}/${requests.length}`);
    const g = await store.getRequestGraph(r);
    if (g) graphs.push(g);
  }
  progress('');
  return graphs;
}

/** Detection over stored requests, a chunk at a time (each chunk reads its containers' histories). */
async function detectStored(store: ProvenanceStore, since: number | undefined, request: string | undefined, config: ReturnType<typeof analysisConfig>, progress: (line: string) => void): Promise<void> {
  const requests = request !== undefined ? [request] : (await store.listRequests(since !== undefined ? { since } : {})).map((r) => r.request);
  const CHUNK = 10;
  for (let i = 0; i < requests.length; i += CHUNK) {
    progress(`detecting in requests ${Math.min(i + CHUNK, requests.length)}/${requests.length}`);
    await detectIncidents(store, requests.slice(i, i + CHUNK), { config });
  }
  progress('');
}

export function register(program: Command): void {
  addReadOptions(
    program
      .command('report')
      .description('list the incidents found as data arrived (container reuse, exfiltration), newest first')
      .option('--json', 'print {"incidents": [...]} (same as --format json)')
      .option('--format <format>', 'text (default), json, markdown, html (self-contained page with the attack graph), dot, prov-json or prov-o')
      .option('--out <file>', 'write the result to this file')
      .option('--since <time>', 'only incidents detected at or after this time (ISO, epoch ms, or 30m/2h/7d ago)')
      .option('--request <id>', 'only incidents that involve this request')
      .option('--all', 'text: print benign shared state in full too (by default one line per cached artifact)')
      .option('--detect', 'first detect incidents again over the stored requests (with --since / --request: only those)')
      // the flag's first name; `analyze` is the log-template analysis (`provenance analyze`)
      .addOption(new Option('--analyze').hideHelp())
      .option('--sensitive-table <name...>', 'for --detect: sensitive DynamoDB tables (`*` wildcard; default *card*, *credit*)')
      .option('--allow <endpoint...>', 'for --detect: allowlisted sinks (host, host:port or URL)'),
  ).action(async ({ analyze, ...options }: ReportOptions & { analyze?: boolean; sensitiveTable?: string[]; allow?: string[] }) => {
    const analysis: AnalysisConfigInput = {
      ...(options.sensitiveTable ? { sensitive: { tables: options.sensitiveTable } } : {}),
      ...(options.allow ? { allowlist: options.allow } : {}),
    };
    await runReport({ ...options, ...(analyze ? { detect: true } : {}), analysis }, process.stdout);
  });
}
