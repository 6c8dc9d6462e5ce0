// Forged evidence is caught: each move of a malicious handler (README "Threat model"), built as the
// batch an agent would ship, assembled, and the graph's contradictions (upg/trust.ts) checked.
import { describe, expect, it } from 'vitest';
import type { ActivationMeta } from '../../store/types';
import { mergeFragments } from '../../upg/merge';
import { contradictions, REFUSAL_CONTRADICTIONS } from '../../upg/trust';
import { completeness } from '../../upg/completeness';
import type { GraphFragment, RequestGraph } from '../../upg/types';
import { assemble } from './assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { REJECT } from './judge-record';
import { LOG_ID_MISMATCH } from './container-walk';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';
import type { Batch, KernelEventLite } from '../../protocol/batch';

const info = (container: string, action: string) => ({ container, invoker: 'inv0', action, started: 900 });

/** Assembles the batches in order, carrying activation state like the store; every request's graph. */
function run(batches: Batch[]): { graphs: Map<string, RequestGraph>; rejected: Record<string, number> } {
  const known = new Map<string, ActivationMeta>();
  const fragments: GraphFragment[] = [];
  const rejected: Record<string, number> = {};
  for (const b of batches) {
    const out = assemble(classifyBatch(b), known);
    for (const m of out.metas) known.set(m.activationId, m);
    fragments.push(...out.fragments);
    for (const [k, n] of Object.entries(out.result.rejected)) rejected[k] = (rejected[k] ?? 0) + n;
  }
  const graphs = new Map<string, RequestGraph>();
  for (const r of new Set(fragments.map((f) => f.request))) graphs.set(r, mergeFragments(r, fragments));
  return { graphs, rejected };
}

/** Two requests: A in container c1 (the attacker's), V in container c2 (the victim's). */
function twoActivations() {
  const A = new ActivationWriter('actA', 'req-A', 'a'.repeat(32));
  const V = new ActivationWriter('actV', 'req-V', 'b'.repeat(32));
  const c1 = new ContainerOutput(info('c1', '/_/attacker'));
  const c2 = new ContainerOutput(info('c2', '/_/victim'));
  c1.write(A.begin(1000, { act: '/_/attacker', ns: '_', pid: 11, host: 'c1', cold: true }), 1000);
  c2.write(V.begin(1001, { act: '/_/victim', ns: '_', pid: 21, host: 'c2', cold: true }), 1001);
  return { A, V, c1, c2 };
}

const codes = (g: RequestGraph | undefined) => (g ? contradictions(g).map((c) => [c.code, c.activationId]) : []);

describe('forged evidence is caught', () => {
  it('the refusal reasons it reads are the correlator\'s own', () => {
    for (const reason of Object.keys(REFUSAL_CONTRADICTIONS)) expect([...Object.values(REJECT), LOG_ID_MISMATCH]).toContain(reason);
  });

  it('a record-shaped line without the key is refused, counted, and charged to the activation that printed it', () => {
    const { A, c1 } = twoActivations();
    const forger = new ActivationWriter('actA', 'req-A', 'f'.repeat(32)); // right ids, wrong key
    forger.skip(5);
    c1.write(forger.record({ t: 'fs', op: 'read', path: '/etc/passwd' }, 1002), 1002)
      .write(A.record({ t: 'end', ok: true, dur: 3 }, 1003), 1003)
      .sentinel(1004);
    const { graphs, rejected } = run([makeBatch('inv0', 1, [c1])]);
    expect(rejected[REJECT.badMac]).toBe(1);
    expect(codes(graphs.get('req-A'))).toEqual([['forged-record', 'actA']]);
    // the forged read is not in the graph
    expect(graphs.get('req-A')!.nodes.some((n) => n.kind === 'file' && n.path === '/etc/passwd')).toBe(false);
  });

  it("a record signed with another activation's key, printed in another container, is refused as foreign", () => {
    const { A, V, c1, c2 } = twoActivations();
    const c1Later = new ContainerOutput(info('c1', '/_/attacker'));
    // (the attacker's own activation is still in progress there: its lines carry on in this batch)
    c1Later.write(A.log('working'), 1001).write(V.record({ t: 'fs', op: 'write', path: '/tmp/planted' }, 1002), 1002);
    const { graphs, rejected } = run([makeBatch('inv0', 1, [c1, c2]), makeBatch('inv0', 2, [c1Later])]);
    expect(rejected[REJECT.wrongContainer]).toBe(1);
    // flagged on the victim's graph (someone claimed its activation) and the printer's
    expect(codes(graphs.get('req-V'))).toEqual([['foreign-ids', 'actV']]);
    expect(codes(graphs.get('req-A'))).toEqual([['foreign-ids', 'actA']]);
  });

  it("a log line with another activation's ids is not believed and is flagged", () => {
    const { V, c1, c2 } = twoActivations();
    c1.write(V.log('charged card 4111'), 1002);
    const { graphs, rejected } = run([makeBatch('inv0', 1, [c1, c2])]);
    expect(rejected[LOG_ID_MISMATCH]).toBe(1);
    expect(codes(graphs.get('req-A'))).toEqual([['foreign-ids', 'actA']]);
    expect(graphs.get('req-V')!.nodes.some((n) => n.kind === 'log')).toBe(false);
    // the line stays in the graph of the activation that wrote it
    expect(graphs.get('req-A')!.nodes.some((n) => n.kind === 'log' && n.text.includes('charged card'))).toBe(true);
  });

  it('a wrapper made to skip its end record: the runtime\'s sentinels close the activation, the missing end is flagged', () => {
    const { c1 } = twoActivations();
    c1.sentinel(1005);
    const { graphs } = run([makeBatch('inv0', 1, [c1])]);
    expect(codes(graphs.get('req-A'))).toEqual([['end-record-missing', 'actA']]);
    expect(completeness(graphs.get('req-A')!).complete).toBe(true); // closed by the runtime: nothing more will come
  });

  describe('a record signed with the key (the handler read it) of a file access', () => {
    const kernelRead = (path: string): KernelEventLite => ({ container: 'c1', a: 'actA', r: 'req-A', op: 'read', ts: 1002, pid: 11, rt: true, path, bytes: 10 });
    const scenario = (kernel: KernelEventLite[]) => {
      const { A, c1 } = twoActivations();
      c1.write(A.record({ t: 'fs', op: 'read', path: '/data/claimed' }, 1002), 1002)
        .write(A.record({ t: 'end', ok: true, dur: 3 }, 1003), 1003)
        .sentinel(1004);
      return run([{ ...makeBatch('inv0', 1, [c1]), kernel, kernelComplete: ['actA'] }]).graphs.get('req-A')!;
    };

    it('the kernel never saw: the claim is contradicted', () => {
      const g = scenario([kernelRead('/data/other')]);
      expect(codes(g)).toEqual([['unseen-by-kernel', 'actA']]);
      expect(contradictions(g)[0]!.message).toMatch(/claims a read of \/data\/claimed that the kernel never saw/);
    });

    it('the kernel saw too: no contradiction', () => {
      const g = scenario([kernelRead('/data/claimed')]);
      expect(codes(g)).toEqual([]);
    });
  });
});
