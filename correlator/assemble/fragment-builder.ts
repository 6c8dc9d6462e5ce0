// Collects nodes, edges and warnings per request while a batch is assembled, and turns them into
// deterministic GraphFragments: nodes merged by id, repeated operations aggregated into one edge
// with a count and a byte total (ProTracer), everything sorted.
import { edgeId } from '../../upg/ids';
import { mergeEdge, mergeNode } from '../../upg/merge';
import type { EdgeKind, GraphFragment, GraphWarning, UpgEdge, UpgNode } from '../../upg/types';

export interface EdgeInput {
  from: string;
  to: string;
  kind: EdgeKind;
  op?: string;
  time?: number;
  bytes?: number;
  activationId?: string;
  source?: UpgEdge['source'];
  /** addOperation: how many operations this input stands for (already aggregated upstream); default 1 */
  count?: number;
}

interface Aggregate {
  edge: EdgeInput;
  count: number;
  bytes?: number;
  time?: number;
}

interface Parts {
  nodes: Map<string, UpgNode>;
  /** single edges, already with their final id */
  edges: Map<string, UpgEdge>;
  /** aggregated operations, keyed by what they are; ids are given at build time */
  aggregates: Map<string, Aggregate>;
  warnings: Map<string, GraphWarning>;
  /** every URL each socket node was reached with */
  urls: Map<string, Set<string>>;
}

export class FragmentBuilder {
  private readonly parts = new Map<string, Parts>();

  private of(request: string): Parts {
    let p = this.parts.get(request);
    if (!p) {
      p = { nodes: new Map(), edges: new Map(), aggregates: new Map(), warnings: new Map(), urls: new Map() };
      this.parts.set(request, p);
    }
    return p;
  }

  hasRequest(request: string): boolean {
    return this.parts.has(request);
  }

  addNode(request: string, node: UpgNode): void {
    const nodes = this.of(request).nodes;
    const existing = nodes.get(node.id);
    nodes.set(node.id, existing ? mergeNode(existing, node) : node);
  }

  getNode(request: string, id: string): UpgNode | undefined {
    return this.parts.get(request)?.nodes.get(id);
  }

  /** One fact that is true once (an association, a log line): the same fact twice is one edge. */
  addEdge(request: string, input: EdgeInput): void {
    const edge = toEdge(input, edgeId(input));
    const edges = this.of(request).edges;
    const existing = edges.get(edge.id);
    edges.set(edge.id, existing ? mergeEdge(existing, edge) : edge);
  }

  /** One operation of many alike (reads of a file, queries of an item): aggregated per activation. */
  addOperation(request: string, input: EdgeInput): void {
    // Per source: what the kernel saw is never folded into what the application claims (nor the
    // reverse), so a reader can always tell a claim the kernel confirms from one it never saw.
    const key = [input.from, input.to, input.kind, input.op ?? '', input.activationId ?? '', input.source ?? ''].join('\u0000');
    const aggregates = this.of(request).aggregates;
    const agg = aggregates.get(key);
    if (!agg) {
      aggregates.set(key, { edge: input, count: input.count ?? 1, bytes: input.bytes, time: input.time });
      return;
    }
    agg.count += input.count ?? 1;
    if (input.bytes !== undefined) agg.bytes = (agg.bytes ?? 0) + input.bytes;
    if (input.time !== undefined && (agg.time === undefined || input.time < agg.time)) agg.time = input.time;
  }

  /** A URL a socket was reached with; the node's `url` becomes what all of them share. */
  noteUrl(request: string, socketId: string, url: string): void {
    const urls = this.of(request).urls;
    const set = urls.get(socketId) ?? new Set<string>();
    set.add(url);
    urls.set(socketId, set);
  }

  addWarning(request: string, warning: GraphWarning): void {
    const warnings = this.of(request).warnings;
    const key = [warning.code, warning.activationId ?? '', warning.message].join('\u0000');
    const existing = warnings.get(key);
    if (existing) existing.count = (existing.count ?? 1) + (warning.count ?? 1);
    else warnings.set(key, { ...warning, count: warning.count ?? 1 });
  }

  build(): GraphFragment[] {
    return [...this.parts.keys()].sort().map((request) => {
      const p = this.parts.get(request)!;
      const edges = new Map(p.edges);
      for (const agg of p.aggregates.values()) {
        // The first operation's time tells this aggregate from the same operations in another batch.
        // A kernel aggregate and a wrapper aggregate of the same operation are two edges.
        const id = edgeId({ ...agg.edge, discriminator: agg.edge.source === 'kernel' ? `${agg.time ?? ''}\u0000kernel` : (agg.time ?? '') });
        const edge = toEdge({ ...agg.edge, time: agg.time, bytes: agg.bytes }, id, agg.count);
        const existing = edges.get(id);
        edges.set(id, existing ? mergeEdge(existing, edge) : edge);
      }
      for (const [socketId, urls] of p.urls) {
        const node = p.nodes.get(socketId);
        if (node?.kind === 'socket') p.nodes.set(socketId, { ...node, url: sharedUrl([...urls]) });
      }
      const fragment: GraphFragment = {
        request,
        nodes: [...p.nodes.values()].sort((a, b) => compare(a.id, b.id)),
        edges: [...edges.values()].sort((a, b) => compare(a.id, b.id)),
      };
      const warnings = [...p.warnings.values()].sort(
        (a, b) => compare(a.activationId ?? '', b.activationId ?? '') || compare(a.code, b.code) || compare(a.message, b.message),
      );
      if (warnings.length) fragment.warnings = warnings;
      return fragment;
    });
  }
}

function toEdge(input: EdgeInput, id: string, count?: number): UpgEdge {
  const edge: UpgEdge = { id, from: input.from, to: input.to, kind: input.kind };
  if (input.op !== undefined) edge.op = input.op;
  if (input.time !== undefined) edge.time = input.time;
  if (count !== undefined) edge.count = count;
  if (input.bytes !== undefined) edge.bytes = input.bytes;
  if (input.activationId !== undefined) edge.activationId = input.activationId;
  if (input.source !== undefined) edge.source = input.source;
  return edge;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What several URLs of one peer share: the URL itself when there is one, else the origin and the
 * common path up to its last "/" (e.g. ".../actions/" for invocations of several actions), so the
 * label never names one URL as if it were all of them.
 */
export function sharedUrl(urls: string[]): string {
  const sorted = [...new Set(urls)].sort();
  if (sorted.length === 1) return sorted[0];
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  let i = 0;
  while (i < first.length && first[i] === last[i]) i++;
  const common = first.slice(0, i);
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(first)?.[0] ?? '';
  const cut = common.lastIndexOf('/');
  return cut >= origin.length ? common.slice(0, cut + 1) : origin;
}
