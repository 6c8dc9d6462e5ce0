// A walk that respects time (BEEP / ProTracer backward tracking): going backward from a node reached
// at time T, only edges at or before T can have caused it; going forward, only edges at or after T.
// Without this, an entity shared by every execution unit (the DynamoDB endpoint's socket, which each
// iteration writes to and reads from) links every unit to every other and a trace from one record
// explodes back into the whole activation. Edges without a time are always followed.
//
// A network peer is outside the graph: what an activity read from a socket was produced by the peer,
// not by whatever other activities sent that peer earlier (the peer's own state, e.g. a DynamoDB
// item, has nodes of its own). So backward, a socket reached through `used` is a source; forward, a
// socket reached through `wasGeneratedBy` is a sink. `throughSockets: true` walks through them.
import { CAUSE_END, type Direction, type GraphIndex, type WalkOptions, type WalkResult, type WalkStep } from './graph';

export interface CausalWalkOptions extends WalkOptions {
  throughSockets?: boolean;
}

export function causalWalk(index: GraphIndex, startId: string, direction: Direction, options: CausalWalkOptions = {}): WalkResult {
  const start = index.byId.get(startId);
  if (!start) throw new Error(`no node ${startId} in the graph of request ${index.graph.request}`);
  const backward = direction === 'backward';
  const kinds = options.kinds ? new Set(options.kinds) : undefined;
  // the latest (backward) / earliest (forward) time each node has been reached at: a node reached
  // again with a looser bound is walked again, since more edges now qualify
  const bound = new Map<string, number>([[startId, backward ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY]]);
  const steps: WalkStep[] = [{ node: start, depth: 0 }];
  const queue: Array<{ id: string; depth: number; at: number; leaf?: boolean }> = [{ id: startId, depth: 0, at: bound.get(startId)! }];
  const edges = new Map<string, (typeof index.graph.edges)[number]>();
  const missing = new Set<string>();
  const listed = new Set([startId]);
  while (queue.length) {
    const { id, depth, at, leaf } = queue.shift()!;
    if (bound.get(id) !== at || leaf) continue; // superseded by a looser bound, or a network peer
    if (options.maxDepth !== undefined && depth >= options.maxDepth) continue;
    for (const edge of (backward ? index.out.get(id) : index.in.get(id)) ?? []) {
      if (kinds && !kinds.has(edge.kind)) continue;
      if (edge.time !== undefined && (backward ? edge.time > at : edge.time < at)) continue;
      const nextId = backward === (CAUSE_END[edge.kind] === 'to') ? edge.to : edge.from;
      const nextAt = edge.time === undefined ? at : backward ? Math.min(at, edge.time) : Math.max(at, edge.time);
      edges.set(edge.id, edge);
      const node = index.byId.get(nextId);
      if (!node) {
        missing.add(nextId);
        continue;
      }
      const known = bound.get(nextId);
      if (known !== undefined && (backward ? known >= nextAt : known <= nextAt)) continue;
      bound.set(nextId, nextAt);
      if (!listed.has(nextId)) {
        listed.add(nextId);
        steps.push({ node, depth: depth + 1, via: edge });
      }
      const peer = node.kind === 'socket' && !options.throughSockets && edge.kind === (backward ? 'used' : 'wasGeneratedBy');
      queue.push({ id: nextId, depth: depth + 1, at: nextAt, leaf: peer });
    }
  }
  return { steps, edges: [...edges.values()], missing: [...missing].sort() };
}
