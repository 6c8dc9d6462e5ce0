// Network sinks: outbound traffic to an endpoint outside the platform and outside the allowlist. Pure.
import type { CrossGraph, RequestEdge } from './cross-graph';
import { actingActivation } from './cross-graph';
import { endpointListed } from './config';
import type { ActivationNode, SocketNode } from '../types';
import type { AnalysisConfig, IncidentSink } from './types';

/** Operations that send data (or open a connection to send it) to the peer. */
const SENDING = /^(connect|send|sendto|sendmsg|write|http:[A-Z]+)$/i;

export function isOutside(config: AnalysisConfig, socket: SocketNode): boolean {
  if (socket.proto === 'unix' || socket.port === 0) return false;
  return !endpointListed(config.inside, socket.address, socket.port) && !endpointListed(config.allowlist, socket.address, socket.port);
}

export interface SendEvent {
  socket: SocketNode;
  edge: RequestEdge;
  activation: ActivationNode;
  time?: number;
}

/** Every outbound operation to an outside socket, by the activation behind it, time order. */
export function outsideSends(g: CrossGraph, config: AnalysisConfig): SendEvent[] {
  const out: SendEvent[] = [];
  for (const n of g.byId.values()) {
    if (n.kind !== 'socket' || !isOutside(config, n)) continue;
    for (const e of g.out.get(n.id) ?? []) {
      // outbound traffic is `socket wasGeneratedBy activity` (correlator/assemble/record-facts.ts)
      if (e.kind !== 'wasGeneratedBy' || !SENDING.test(e.op ?? '')) continue;
      const activation = actingActivation(g, e.to, e);
      if (activation) out.push({ socket: n, edge: e, activation, time: e.time ?? activation.start });
    }
  }
  return out.sort((a, b) => (a.time ?? Infinity) - (b.time ?? Infinity) || (a.edge.id < b.edge.id ? -1 : 1));
}

export function sinkOf(socket: SocketNode): IncidentSink {
  return { kind: 'socket', address: socket.address, port: socket.port, ...(socket.url ? { url: socket.url } : {}), node: socket.id };
}
