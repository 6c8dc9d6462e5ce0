// `provenance trace <reqId>`: one request's provenance graph, as a readable tree or as the stable
// JSON contract {request, nodes, edges, warnings?} (upg/types.ts). Rendering belongs to upg/render.
import type { Command } from 'commander';
import type { RequestGraph } from '../../upg/types';
import { renderTree } from '../../upg/render/tree';
import { renderJson } from '../../upg/render/json';
import { addStoreOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseOutputFormat, type OutputFormat } from '../../upg/export/index';
import { renderTraceAs } from '../../upg/export/trace';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TraceOptions extends StoreOptions {
  json?: boolean;
  /** text (default) | json | markdown | html | dot | prov-json | prov-o; `--json` is `--format json` */
  format?: string;
  /** write the result to this file instead of the output (which then gets one line naming the file) */
  out?: string;
  /** ANSI colours in the tree (the bin turns them on for a terminal) */
  color?: boolean;
}

/** The stored graph of one request; a clear error (exit 1) when the store has no such request. */
export async function loadTrace(reqId: string, options: StoreOptions): Promise<RequestGraph> {
  if (typeof reqId !== 'string' || reqId.trim() === '') {
    throw new CliError('missing request id: `provenance trace <reqId>` (list them with `provenance requests`)', 2);
  }
  return withStore(options, async (store, location) => {
    const graph = await store.getRequestGraph(reqId);
    if (!graph) {
      throw new CliError(`no request ${reqId} ${describeLocation(location)} — list recorded requests with \`provenance requests\``);
    }
    return graph;
  });
}

export async function runTrace(reqId: string, options: TraceOptions, out: Output): Promise<void> {
  const format = traceFormat(options);
  const graph = await loadTrace(reqId, options);
  if (format === 'text' || format === 'json') {
    const text = format === 'json' ? renderJson(graph) : renderTree(graph, { color: options.color === true && !options.out });
    writeResult(ensureNewline(text), format, options.out, out);
    return;
  }
  writeResult(renderTraceAs(format, graph), format, options.out, out);
}

/** `--format`, with `--json` as its alias; exit 2 on an unknown format or a contradiction. */
export function traceFormat(options: Pick<TraceOptions, 'json' | 'format'>): OutputFormat {
  if (options.format === undefined || options.format === null) return options.json ? 'json' : 'text';
  let format: OutputFormat;
  try {
    format = parseOutputFormat(options.format);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (options.json && format !== 'json') throw new CliError(`--json and --format ${format} contradict each other: pass one of them`, 2);
  return format;
}

/** The result to the output, or to `--out FILE` with one line on the output saying where it went. */
export function writeResult(text: string, format: OutputFormat, file: string | undefined, out: Output): void {
  if (file === undefined || file === '') {
    out.write(text);
    return;
  }
  const path = resolve(file);
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new CliError(`cannot write ${format} to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (does its folder exist?)`);
  }
  out.write(`wrote ${format} to ${path}\n`);
}

const ensureNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

export function register(program: Command): void {
  addStoreOptions(
    program
      .command('trace')
      .description("print one request's provenance graph (a tree; --json for {request, nodes, edges})")
      .argument('<reqId>', 'request id (the X-Request-ID / OpenWhisk transaction id; see `provenance requests`)')
      .option('--json', 'print the graph as JSON: {request, nodes, edges, warnings?} (same as --format json)')
      .option('--format <format>', 'text (default), json, markdown, html (self-contained page), dot, prov-json or prov-o (Turtle)')
      .option('--out <file>', 'write the result to this file'),
  ).action(async (reqId: string, options: TraceOptions) => {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    await runTrace(reqId, { ...options, color }, process.stdout);
  });
}
