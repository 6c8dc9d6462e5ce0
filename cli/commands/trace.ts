// `provenance trace <reqId>`: one request's provenance graph, as a readable tree or as the stable
// JSON contract {request, nodes, edges, warnings?, complete, missing} (upg/types.ts,
// upg/completeness.ts). Rendering belongs to upg/render. A graph still missing evidence says so first.
import type { Command } from 'commander';
import type { RequestGraph } from '../../upg/types';
import { renderTree } from '../../upg/render/tree';
import { renderJson } from '../../upg/render/json';
import { addReadOptions, describeLocation, withStore, type StoreOptions } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { runTraceWalk, type TraceWalkOptions } from './trace-walk';
import { renderTraceAs } from '../../upg/export/trace';
import { resultFormat, writeResult } from './result';
import { completeness, type Completeness } from '../../upg/completeness';
import { contradictions, type Contradiction } from '../../upg/trust';

export interface TraceOptions extends StoreOptions {
  json?: boolean;
  /** text (default) | json | markdown | html | dot | prov-json | prov-o; `--json` is `--format json` */
  format?: string;
  /** write the result to this file instead of the output (which then gets one line naming the file) */
  out?: string;
  /** ANSI colours in the tree (the bin turns them on for a terminal) */
  color?: boolean;
  /** poll until the graph is complete, at most this many seconds (true: DEFAULT_WAIT_SECONDS); exit 1 if it is not by then */
  wait?: boolean | string | number;
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
  const waitMs = waitSeconds(options.wait) * 1000;
  const { graph, state } = waitMs > 0 ? await waitForComplete(reqId, options, waitMs) : await loadWithState(reqId, options);
  if (format === 'text' || format === 'json') {
    const tree = () => missingBlock(state) + contradictionBlock(contradictions(graph)) + renderTree(graph, { color: options.color === true && !options.out });
    const text = format === 'json' ? renderJson(graph) : tree();
    writeResult(ensureNewline(text), format, options.out, out);
  } else {
    writeResult(renderTraceAs(format, graph), format, options.out, out);
  }
  if (waitMs > 0 && !state.complete) {
    throw new CliError(`request ${reqId} is still incomplete after ${waitMs / 1000}s: ${state.missing.length} piece(s) of evidence missing (listed above); wait longer with --wait=<seconds>`);
  }
}

async function loadWithState(reqId: string, options: StoreOptions): Promise<{ graph: RequestGraph; state: Completeness }> {
  const graph = await loadTrace(reqId, options);
  return { graph, state: completeness(graph) };
}

/** Polls the store until the request's graph is complete or `waitMs` is up; the last graph read either way. */
async function waitForComplete(reqId: string, options: StoreOptions, waitMs: number): Promise<{ graph: RequestGraph; state: Completeness }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const got = await loadWithState(reqId, options);
      if (got.state.complete || Date.now() >= deadline) return got;
    } catch (err) {
      // Not recorded yet: its first batch may still be on its way. Anything else is a real error.
      const notYet = err instanceof CliError && err.message.startsWith(`no request ${reqId} `);
      if (!notYet || Date.now() >= deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

const WAIT_POLL_MS = 500;
/** `--wait` without a number */
export const DEFAULT_WAIT_SECONDS = 30;

/** `--wait` (true), `--wait=N` / `--wait N` (a string from the command line, or a number from callers), or absent. */
export function waitSeconds(wait: TraceOptions['wait']): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return DEFAULT_WAIT_SECONDS;
  const n = typeof wait === 'number' ? wait : Number(wait);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--wait takes a number of seconds (got ${JSON.stringify(wait)}), e.g. --wait=30`, 2);
  return n;
}

/** The text view's lines naming what the application claimed against the kernel's and runtime's facts. */
export function contradictionBlock(found: readonly Contradiction[]): string {
  if (found.length === 0) return '';
  const lines = [`CONTRADICTED — ${found.length} claim(s) of the application contradict what the kernel and the runtime saw (not believed):`, ...found.map((c) => `  - ${c.code}: ${c.message}`), ''];
  return `${lines.join('\n')}\n`;
}

/** The text view's first lines when evidence is still missing: what, exactly. Empty when complete. */
export function missingBlock(state: Completeness): string {
  if (state.complete) return '';
  const lines = [`INCOMPLETE — ${state.missing.length} piece(s) of evidence still missing:`, ...state.missing.map((m) => `  - ${m.message}`), ''];
  return `${lines.join('\n')}\n`;
}

const ensureNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

export function register(program: Command): void {
  addReadOptions(
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
      .option('--max-requests <n>', 'with --direction: load at most this many requests (default 200)')
      .option('--wait [seconds]', `wait until the graph is complete (every activation ended, its evidence delivered), at most this long (default ${DEFAULT_WAIT_SECONDS}); exit 1 naming what is still missing if it is not`),
  ).action(async (reqId: string, options: TraceOptions & TraceWalkOptions) => {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    await runTrace(reqId, { ...options, color }, process.stdout);
  });
}
