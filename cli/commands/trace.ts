// `provenance trace <reqId>`: one request's provenance graph, as a readable tree or as the stable
// JSON contract {request, nodes, edges, warnings?} (upg/types.ts). Rendering belongs to upg/render.
import type { Command } from 'commander';
import type { RequestGraph } from '../../upg/types';
import { renderTree } from '../../upg/render/tree';
import { renderJson } from '../../upg/render/json';
import { addStoreOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';

export interface TraceOptions extends StoreOptions {
  json?: boolean;
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
  const graph = await loadTrace(reqId, options);
  out.write(ensureNewline(options.json ? renderJson(graph) : renderTree(graph, { color: options.color === true })));
}

const ensureNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

export function register(program: Command): void {
  addStoreOptions(
    program
      .command('trace')
      .description("print one request's provenance graph (a tree; --json for {request, nodes, edges})")
      .argument('<reqId>', 'request id (the X-Request-ID / OpenWhisk transaction id; see `provenance requests`)')
      .option('--json', 'print the graph as JSON: {request, nodes, edges, warnings?}'),
  ).action(async (reqId: string, options: TraceOptions) => {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    await runTrace(reqId, { ...options, color }, process.stdout);
  });
}
