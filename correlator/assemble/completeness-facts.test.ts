// What the correlator records so that a stored graph can say whether it is complete
// (upg/completeness.ts): the runtime's sentinels closing an activation's output, kernel capture's
// delivery watermark (protocol/batch.ts kernelComplete), an invoked child still on its way.
import { describe, expect, it } from 'vitest';
import type { ActivationMeta } from '../../store/types';
import { mergeFragments } from '../../upg/merge';
import { completeness } from '../../upg/completeness';
import type { GraphFragment } from '../../upg/types';
import { assemble } from './assemble';
import { classifyBatch } from '../ingest/classify-batch';
import { ActivationWriter, ContainerOutput, makeBatch } from '../../test/batch-builder';
import type { Batch } from '../../protocol/batch';

const REQ = 'req-1';
const info = (container: string, action: string) => ({ container, invoker: 'inv0', action, started: 900 });

/** Assembles batches in order, carrying activation state between them like the store does. */
function run(batches: Batch[]) {
  const known = new Map<string, ActivationMeta>();
  const fragments: GraphFragment[] = [];
  for (const b of batches) {
    const out = assemble(classifyBatch(b), known);
    for (const m of out.metas) known.set(m.activationId, m);
    fragments.push(...out.fragments);
  }
  return completeness(mergeFragments(REQ, fragments));
}

function scenario() {
  const P = new ActivationWriter('actP', REQ, '1'.repeat(32));
  const c1 = new ContainerOutput(info('c1', '/_/p'));
  c1.write(P.begin(1000, { act: '/_/p', ns: '_', pid: 11, host: 'c1', cold: true }), 1000);
  return { P, c1 };
}

describe('completeness facts from the correlator', () => {
  it('a running activation is incomplete; end and both sentinels (in a later batch) complete it', () => {
    const { P, c1 } = scenario();
    const first = makeBatch('inv0', 1, [c1]);
    expect(run([first]).missing.map((m) => m.kind)).toEqual(['not-ended', 'output-open']);

    const c1b = new ContainerOutput(info('c1', '/_/p'));
    c1b.write(P.record({ t: 'end', ok: true, dur: 5 }, 1005), 1005);
    const ended = makeBatch('inv0', 2, [c1b]);
    const endedOnly = run([first, ended]);
    expect(endedOnly.missing.map((m) => m.kind)).toEqual(['output-open']);
    expect(endedOnly.missing[0]!.message).toMatch(/stdout and stderr/);

    c1b.sentinel(1006);
    expect(run([first, makeBatch('inv0', 2, [c1b])])).toEqual({ complete: true, missing: [] });
  });

  it('with kernel capture on, an ended activation waits for the agent to deliver its kernel events', () => {
    const { P, c1 } = scenario();
    c1.write(P.record({ t: 'end', ok: true, dur: 5 }, 1005), 1005).sentinel(1006);
    const first = { ...makeBatch('inv0', 1, [c1]), kernelComplete: [] };
    const behind = run([first]);
    expect(behind.missing.map((m) => m.kind)).toEqual(['kernel-behind']);
    expect(behind.missing[0]!.message).toMatch(/container ctr:inv0\/c1|container .*c1/);
    const watermark: Batch = { v: 1, invoker: 'inv0', batch: 2, containers: [], lines: [], kernelComplete: ['actP'] };
    expect(run([first, watermark]).complete).toBe(true);
  });

  it('without kernel capture (no watermark in the batch), end and sentinels suffice', () => {
    const { P, c1 } = scenario();
    c1.write(P.record({ t: 'end', ok: true, dur: 5 }, 1005), 1005).sentinel(1006);
    expect(run([makeBatch('inv0', 1, [c1])]).complete).toBe(true);
  });

  it('an invoked child that has not arrived makes the request incomplete, and names it', () => {
    const { P, c1 } = scenario();
    c1.write(P.record({ t: 'invoke', to: 'child', child: 'actC', blocking: false }, 1002), 1002)
      .write(P.record({ t: 'end', ok: true, dur: 5 }, 1005), 1005)
      .sentinel(1006);
    const c = run([makeBatch('inv0', 1, [c1])]);
    expect(c.missing.map((m) => [m.kind, m.activationId])).toEqual([['child-not-arrived', 'actC']]);
    expect(c.missing[0]!.message).toMatch(/actC \(child\) was invoked by actP but has not arrived/);
  });
});
