// A small purchase graph written out by hand, for the upg tests (walks, tree, renderers).
// P (purchase) reads a product, invokes G (get-price, known to be its child only through the
// wasStartedBy edge) and Q (publish, known only through its `parent` field), and M (authorize-cc)
// whose own records never arrived; G writes a cache file; P writes the order and calls a peer.
import { edgeId } from './ids';
import type { EdgeKind, RequestGraph, UpgEdge, UpgNode } from './types';

export const REQ = 'req-1';

function e(from: string, to: string, kind: EdgeKind, op: string, time: number, extra: Partial<UpgEdge> = {}): UpgEdge {
  return { id: edgeId({ from, to, kind, op, discriminator: time }), from, to, kind, op, time, ...extra };
}

export function purchaseGraph(): RequestGraph {
  const nodes: UpgNode[] = [
    { id: 'req:req-1', kind: 'request', requestId: REQ, start: 1_700_000_000_000, end: 1_700_000_000_250, entry: '/_/purchase' },
    { id: 'client:req-1', kind: 'client', name: 'external client' },
    { id: 'action:/_/purchase', kind: 'action', name: '/_/purchase' },
    { id: 'ctr:inv0/c1', kind: 'container', containerId: 'c1', invoker: 'inv0' },
    { id: 'ctr:inv0/c2', kind: 'container', containerId: 'c2', invoker: 'inv0' },
    { id: 'act:P', kind: 'activation', activationId: 'P', requestId: REQ, action: '/_/purchase', container: 'ctr:inv0/c1', start: 1_700_000_000_000, end: 1_700_000_000_250, cold: true, ok: true },
    { id: 'act:G', kind: 'activation', activationId: 'G', requestId: REQ, action: '/_/get-price', container: 'ctr:inv0/c2', start: 1_700_000_000_020, end: 1_700_000_000_045, cold: false, ok: true },
    { id: 'act:Q', kind: 'activation', activationId: 'Q', requestId: REQ, action: '/_/publish', container: 'ctr:inv0/c1', start: 1_700_000_000_200, end: 1_700_000_000_240, cold: false, ok: false, error: 'topic missing', parent: 'P' },
    { id: 'msg:P->G', kind: 'message', from: 'P', to: 'G', action: 'get-price' },
    { id: 'msg:P->M', kind: 'message', from: 'P', to: 'M', action: 'authorize-cc' },
    { id: 'item:products:{"id":"p1"}', kind: 'item', table: 'products', key: { id: 'p1' } },
    { id: 'item:prices:{"id":"p1"}', kind: 'item', table: 'prices', key: { id: 'p1' } },
    { id: 'item:purchases:{"id":"o1"}', kind: 'item', table: 'purchases', key: { id: 'o1' } },
    { id: 'file:inv0/c2:/tmp/cache', kind: 'file', path: '/tmp/cache', container: 'ctr:inv0/c2' },
    { id: 'sock:tcp:10.1.1.1:443', kind: 'socket', address: '10.1.1.1', port: 443, proto: 'tcp' },
    { id: 'log:P:stdout:0', kind: 'log', activationId: 'P', stream: 'stdout', seq: 0, text: 'buying p1', time: 1_700_000_000_001 },
    { id: 'log:P:stdout:1', kind: 'log', activationId: 'P', stream: 'stdout', seq: 1, text: 'x'.repeat(150), time: 1_700_000_000_002 },
    { id: 'log:G:stdout:0', kind: 'log', activationId: 'G', stream: 'stdout', seq: 0, text: '{"level":"warn","message":"cache miss","reqId":"req-1","activationId":"G"}', time: 1_700_000_000_021 },
  ];
  const edges: UpgEdge[] = [
    e('req:req-1', 'client:req-1', 'wasAssociatedWith', 'request', 1_700_000_000_000),
    e('act:P', 'req:req-1', 'wasInformedBy', 'request', 1_700_000_000_000),
    e('act:P', 'action:/_/purchase', 'wasAssociatedWith', 'run', 1_700_000_000_000),
    e('act:P', 'ctr:inv0/c1', 'wasAssociatedWith', 'run', 1_700_000_000_000),
    e('act:G', 'ctr:inv0/c2', 'wasAssociatedWith', 'run', 1_700_000_000_020),
    e('act:P', 'item:products:{"id":"p1"}', 'used', 'GetItem', 1_700_000_000_005),
    e('msg:P->G', 'act:P', 'wasGeneratedBy', 'invoke', 1_700_000_000_010),
    e('act:G', 'msg:P->G', 'used', 'invoke', 1_700_000_000_010),
    e('act:G', 'act:P', 'wasStartedBy', 'invoke', 1_700_000_000_010),
    e('act:G', 'item:prices:{"id":"p1"}', 'used', 'GetItem', 1_700_000_000_025),
    e('file:inv0/c2:/tmp/cache', 'act:G', 'wasGeneratedBy', 'write', 1_700_000_000_030, { count: 3, bytes: 2048 }),
    e('msg:P->M', 'act:P', 'wasGeneratedBy', 'invoke', 1_700_000_000_050),
    e('act:M', 'msg:P->M', 'used', 'invoke', 1_700_000_000_050),
    e('act:M', 'act:P', 'wasStartedBy', 'invoke', 1_700_000_000_050),
    e('item:purchases:{"id":"o1"}', 'act:P', 'wasGeneratedBy', 'PutItem', 1_700_000_000_100),
    e('sock:tcp:10.1.1.1:443', 'act:P', 'wasGeneratedBy', 'connect', 1_700_000_000_110, { bytes: 300 }),
    e('log:P:stdout:0', 'act:P', 'wasGeneratedBy', 'write', 1_700_000_000_001),
    e('log:P:stdout:1', 'act:P', 'wasGeneratedBy', 'write', 1_700_000_000_002),
    e('log:G:stdout:0', 'act:G', 'wasGeneratedBy', 'write', 1_700_000_000_021),
  ];
  return { request: REQ, nodes, edges, warnings: [{ code: 'bad-mac', message: 'fs record with a MAC that does not verify', activationId: 'Q', count: 2 }] };
}
