// `provenance trace <reqId> --direction back|forward|both`: the walk across functions and requests
// (upg/analyses/trace-across.ts), from the request, or from one node of it (`--from`). The walk
// respects time (upg/causal-walk.ts), so `--from` one record's item or log line of a batch loop
// shows that record's execution unit, not every unit that shared a socket with it.
import type { EdgeKind, NodeKind } from '../../upg/types';
import { PROV_CLASS } from '../../upg/types';
import { CAUSE_END } from '../../upg/graph';
import { requestStart, traceAcross, traceGraphs, type TraceAcrossResult, type TraceDirection } from '../../upg/analyses/trace-across';
import { renderTraceText } from '../../upg/analyses/render-text';
import { renderExport, type OutputFormat } from '../../upg/export/index';
import type { StoreOptions } from '../options';
import { withStore } from '../options';
import type { Output } from '../output';
import { CliError } from '../errors';
import { parseCount } from '../time';

export interface TraceWalkOptions extends StoreOptions {
  direction?: string;
  depth?: string | number;
  /** node id inside the request to start from (an activation `act:…`, a file `file:…`, an item `item:…`) */
  from?: string;
  /** comma-separated relations to follow */
  edges?: string;
  /** comma-separated node kinds to keep */
  kinds?: string;
  maxRequests?: string | number;
}

export interface WalkSettings {
  direction: TraceDirection;
  maxDepth: number;
  edgeKinds?: EdgeKind[];
  nodeKinds?: NodeKind[];
  maxRequests?: number;
}

/** Pure: the walk the options ask for, or a usage error (exit 2) naming the accepted values. */
export function walkSettings(options: TraceWalkOptions): WalkSettings {
  const direction = String(options.direction ?? 'both').trim().toLowerCase();
  const alias: Record<string, TraceDirection> = { back: 'back', backward: 'back', forward: 'forward', both: 'both' };
  if (!(direction in alias)) throw new CliError(`bad --direction ${JSON.stringify(options.direction)}: use back, forward or both`, 2);
  const settings: WalkSettings = { direction: alias[direction], maxDepth: options.depth !== undefined ? parseCount(options.depth, '--depth') : 8 };
  if (options.edges !== undefined) settings.edgeKinds = listOf(options.edges, Object.keys(CAUSE_END), '--edges') as EdgeKind[];
  if (options.kinds !== undefined) settings.nodeKinds = listOf(options.kinds, Object.keys(PROV_CLASS), '--kinds') as NodeKind[];
  if (options.maxRequests !== undefined) settings.maxRequests = parseCount(options.maxRequests, '--max-requests');
  return settings;
}

function listOf(text: string, allowed: string[], option: string): string[] {
  const items = String(text).split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i));
  if (items.length === 0 || bad.length) throw new CliError(`bad ${option} ${JSON.stringify(text)}: a comma-separated list of ${allowed.join(', ')}`, 2);
  return items;
}

export async function walkTrace(reqId: string, options: TraceWalkOptions): Promise<TraceAcrossResult> {
  const settings = walkSettings(options);
  return withStore(options, async (store) => {
    const graph = await store.getRequestGraph(reqId);
    if (!graph) throw new CliError(`no request ${reqId} in the store — list recorded requests with \`provenance requests\``);
    const start = options.from !== undefined ? [options.from] : requestStart(graph);
    if (options.from !== undefined && !graph.nodes.some((n) => n.id === options.from)) {
      throw new CliError(`no node ${options.from} in request ${reqId} — node ids are in \`provenance trace ${reqId} --json\``, 2);
    }
    return traceAcross(store, graph, start, settings);
  });
}

export async function runTraceWalk(reqId: string, options: TraceWalkOptions, format: OutputFormat, write: (text: string) => void): Promise<void> {
  const result = await walkTrace(reqId, options);
  if (format === 'json') write(`${JSON.stringify({ request: reqId, ...result }, null, 2)}\n`);
  else if (format === 'text') write(renderTraceText(result));
  else write(renderExport(format, { graphs: traceGraphs(result), title: `trace ${result.direction} from request ${reqId}` }));
}

export type { Output };
