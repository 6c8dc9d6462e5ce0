// `provenance trace <reqId>`: one request's provenance graph, as a readable tree or as the stable
// JSON contract {request, nodes, edges, warnings?} (upg/types.ts). Rendering belongs to upg/render.
import type { Command } from 'commander';
import type { RequestGraph } from '../../upg/types';
import { renderTree } from '../../upg/render/tree';
import { renderJson } from '../../upg/render/json';
import { addStoreOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { runTraceWalk, type TraceWalkOptions } from './trace-walk';
import { renderTraceAs } from '../../upg/export/trace';
import { resultFormat, writeResult } from './result';

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

export async function runTrace(reqId: string, options: TraceOptions & TraceWalkOptions, out: Output): Promise<void> {
  const format = resultFormat(options);
  // --direction (or a walk option) asks for the trace across functions and requests instead of the whole graph.
  if (options.direction !== undefined || options.depth !== undefined || options.from !== undefined || options.edges !== undefined || options.kinds !== undefined) {
    let text = '';
    await runTraceWalk(reqId, options, format, (t) => (text += t));
    writeResult(text, format, options.out, out);
    return;
  }
  const graph = await loadTrace(reqId, options);
  if (format === 'text' || format === 'json') {
    const text = format === 'json' ? renderJson(graph) : renderTree(graph, { color: options.color === true && !options.out });
    writeResult(ensureNewline(text), format, options.out, out);
    return;
  }
  writeResult(renderTraceAs(format, graph), format, options.out, out);
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
      .option('--out <file>', 'write the result to this file')
      .option('--direction <dir>', 'trace across functions and requests: back (causes), forward (effects) or both')
      .option('--depth <n>', 'with --direction: stop after this many edges (default 8)')
      .option('--from <nodeId>', 'with --direction: start from this node of the request (an activation act:…, a file file:…) instead of the request')
      .option('--edges <kinds>', 'with --direction: follow only these relations (comma-separated: used,wasGeneratedBy,…)')
      .option('--kinds <kinds>', 'with --direction: keep only these node kinds (comma-separated: activation,file,item,socket,…)')
      .option('--max-requests <n>', 'with --direction: load at most this many requests (default 200)'),
  ).action(async (reqId: string, options: TraceOptions & TraceWalkOptions) => {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    await runTrace(reqId, { ...options, color }, process.stdout);
  });
}
