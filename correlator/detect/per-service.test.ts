import { describe, expect, it } from 'vitest';
import { edgeId, nodeIds } from '../../upg/ids';
import type { EdgeKind, RequestGraph, UpgEdge, UpgNode } from '../../upg/types';
import { analysisConfig, DEFAULT_CONFIG } from '../../upg/analyses/config';
import type { ServiceConfig } from '../../store/service-config';
import { resolveServices } from './incident-settings';
import { findIncidentsPerService } from './per-service';

const T0 = Date.UTC(2026, 10, 3, 12, 0, 0);

/** One request: one activation of `action` reads a DynamoDB item of `table`, then POSTs to address:port. */
function leak(request: string, action: string, table: string, address: string, port: number): RequestGraph {
  const a = `act-${request}`;
  const container = nodeIds.container('inv0', `c-${request}`);
  const activation = nodeIds.activation(a);
  const item = nodeIds.item(table, { id: 1 });
  const socket = nodeIds.socket('tcp', address, port);
  const nodes: UpgNode[] = [
    { id: nodeIds.request(request), kind: 'request', requestId: request },
    { id: activation, kind: 'activation', activationId: a, requestId: request, action, container, start: T0, end: T0 + 50 },
    { id: container, kind: 'container', containerId: `c-${request}`, invoker: 'inv0', action },
    { id: item, kind: 'item', table, key: { id: 1 } },
    { id: socket, kind: 'socket', address, port, proto: 'tcp' },
  ] as UpgNode[];
  const edge = (from: string, to: string, kind: EdgeKind, op: string, time: number): UpgEdge => ({ id: edgeId({ from, to, kind, op, activationId: a, discriminator: time }), from, to, kind, op, time, activationId: a });
  return {
    request,
    nodes,
    edges: [edge(activation, nodeIds.request(request), 'wasInformedBy', 'request', T0), edge(activation, item, 'used', 'GetItem', T0 + 10), edge(socket, activation, 'wasGeneratedBy', 'http:POST', T0 + 20)],
  };
}

const svc = (service: string, action: string, extra: Partial<ServiceConfig>): ServiceConfig => ({ service, stage: 'dev', actions: [`_/${action}`], deployedAt: 1, ...extra });
const { services } = resolveServices([
  svc('shop', 'shop-dev-a', { sensitive: { tables: ['cards'] } }),
  svc('ledger', 'ledger-dev-b', { sensitive: { tables: ['ledger'] }, allowlist: ['10.0.0.5'] }),
]);

const graphs = [
  leak('R1', '/guest/shop-dev-a', 'cards', '10.0.0.5', 443), // shop: cards are sensitive, 10.0.0.5 not allowed -> incident
  leak('R2', '/guest/ledger-dev-b', 'cards', '10.0.0.5', 443), // ledger: cards are not its sensitive data -> none
  leak('R3', '/guest/ledger-dev-b', 'ledger', '10.0.0.5', 443), // ledger: sensitive, but the sink is allowlisted -> none
  leak('R4', '/guest/stranger', 'hello-retail-cards', '10.0.0.5', 443), // no service: the correlator's defaults -> incident
  leak('R5', '/guest/shop-dev-a', 'ledger', '10.0.0.6', 443), // shop: ledger is not shop's sensitive data -> none
];
const leakedRequests = (list: ReturnType<typeof findIncidentsPerService>) => list.map((i) => i.planter.request).sort();

describe('each incident judged by the settings of its own services', () => {
  it('finds exactly the leaks each service\'s settings make incidents', () => {
    expect(leakedRequests(findIncidentsPerService({ graphs }, DEFAULT_CONFIG, [], services, T0))).toEqual(['R1', 'R4']);
  });

  it('without deployed services: one analysis with the correlator\'s settings', () => {
    // the default guess (*card*) finds R1, R2 and R4; nobody's allowlist applies
    expect(leakedRequests(findIncidentsPerService({ graphs }, DEFAULT_CONFIG, [], [], T0))).toEqual(['R1', 'R2', 'R4']);
  });

  it('explicit settings win over the services\'', () => {
    const explicit = analysisConfig({ sensitive: { tables: ['ledger'] } });
    expect(leakedRequests(findIncidentsPerService({ graphs }, explicit, ['sensitive'], services, T0))).toEqual(['R5']);
    // an explicit allowlist replaces ledger's: R3's sink is no longer allowed
    const allowOther = analysisConfig({ allowlist: ['10.0.0.9'] });
    expect(leakedRequests(findIncidentsPerService({ graphs }, allowOther, ['allowlist'], services, T0))).toEqual(['R1', 'R3', 'R4']);
  });
});
