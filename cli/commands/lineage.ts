// `provenance lineage <entityNodeId>`: everything that happened to one entity (a file in a container,
// a DynamoDB item, a socket endpoint) across requests, in time order (the store's byEntity index),
// and the causes and effects around it (a trace both ways from it).
import type { Command } from 'commander';
import type { UpgEdge } from '../../upg/types';
import { traceAcross, traceGraphs, type TraceAcrossResult } from '../../upg/analyses/trace-across';
import { renderTraceText } from '../../upg/analyses/render-text';
import { renderExport } from '../../upg/export/index';
import { addReadOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseCount } from '../time';
import { resultFormat, writeResult } from './result';

export interface LineageOptions extends StoreOptions {
  json?: boolean;
  format?: string;
  out?: string;
  depth?: string | number;
}

export interface LineageJson {
  entity: string;
  history: Array<UpgEdge & { request: string }>;
  trace: TraceAcrossResult;
}

export async function loadLineage(entity: string, options: LineageOptions): Promise<LineageJson> {
  if (typeof entity !== 'string' || entity.trim() === '') {
    throw new CliError('missing entity node id: `provenance lineage <entityNodeId>` (e.g. a file:… or item:… id from `provenance trace <reqId> --json`)', 2);
  }
  const depth = options.depth !== undefined ? parseCount(options.depth, '--depth') : 3;
  return withStore(options, async (store, location) => {
    const history = await store.entityHistory(entity);
    if (history.length === 0) {
      throw new CliError(`no entity ${entity} ${describeLocation(location)} — entity ids (file:…, item:…, sock:…) are in \`provenance trace <reqId> --json\``);
    }
    // Start in the latest request that touched it: its graph holds the entity node.
    const latest = history[history.length - 1].request;
    const graph = await store.getRequestGraph(latest);
    if (!graph) throw new CliError(`the store lists request ${latest} as touching ${entity} but has no graph for it: was it being written? retry`);
    const trace = await traceAcross(store, graph, [entity], { direction: 'both', maxDepth: depth });
    return { entity, history, trace };
  });
}

export function renderLineageText(l: LineageJson): string {
  const lines = [`lineage of ${l.entity}: ${l.history.length} operation(s) by ${new Set(l.history.map((h) => h.request)).size} request(s)`];
  for (const h of l.history) {
    const time = h.time !== undefined ? new Date(h.time).toISOString() : '(time unknown)          ';
    const role = h.from === l.entity ? (h.kind === 'wasGeneratedBy' ? 'written' : h.kind === 'wasInvalidatedBy' ? 'removed' : h.kind) : h.kind === 'used' ? 'used' : h.kind;
    lines.push(`  ${time}  ${role.padEnd(8)} ${(h.op ?? '').padEnd(12)} ${h.activationId ?? ''} (request ${h.request})`);
  }
  return `${lines.join('\n')}\n\n${renderTraceText(l.trace)}`;
}

export async function runLineage(entity: string, options: LineageOptions, out: Output): Promise<void> {
  const format = resultFormat(options);
  const lineage = await loadLineage(entity, options);
  if (format === 'json') writeResult(`${JSON.stringify(lineage, null, 2)}\n`, format, options.out, out);
  else if (format === 'text') writeResult(renderLineageText(lineage), format, options.out, out);
  else writeResult(renderExport(format, { graphs: traceGraphs(lineage.trace), title: `lineage of ${entity}` }), format, options.out, out);
}

export function register(program: Command): void {
  addReadOptions(
    program
      .command('lineage')
      .description('the history of one entity (file in a container, DynamoDB item, socket) across requests, with its causes and effects')
      .argument('<entityNodeId>', 'entity node id, e.g. file:… or item:… (see `provenance trace <reqId> --json`)')
      .option('--json', 'print {entity, history, trace} as JSON')
      .option('--format <format>', 'text (default), json, markdown, html, dot, prov-json or prov-o')
      .option('--out <file>', 'write the result to this file')
      .option('--depth <n>', 'how far the trace around the entity goes (default 3)'),
  ).action(async (entity: string, options: LineageOptions) => {
    await runLineage(entity, options, process.stdout);
  });
}
