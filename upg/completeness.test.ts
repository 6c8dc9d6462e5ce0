import { describe, expect, it } from 'vitest';
import { completeness } from './completeness';
import type { ActivationNode, MessageNode, RequestGraph, UpgNode } from './types';

const act = (id: string, extra: Partial<ActivationNode> = {}): ActivationNode => ({
  id: `act:${id}`,
  kind: 'activation',
  activationId: id,
  requestId: 'r1',
  action: '/_/a',
  container: 'ctr:inv/c1',
  ...extra,
});
const done = { start: 1, end: 2, stdoutClosed: true, stderrClosed: true };
const invoke = (from: string, to: string): MessageNode => ({ id: `msg:${from}:${to}`, kind: 'message', from, to, action: '/_/child' });
const graph = (...nodes: UpgNode[]): RequestGraph => ({ request: 'r1', nodes, edges: [] });

describe('completeness', () => {
  it.each([
    ['ended, both streams closed', [act('a', done)], []],
    ['still running', [act('a', { start: 1 })], ['not-ended', 'output-open']],
    ['ended, stderr sentinel not seen', [act('a', { ...done, stderrClosed: undefined })], ['output-open']],
    ['closed by both sentinels without an end record', [act('a', { start: 1, stdoutClosed: true, stderrClosed: true })], []],
    ['kernel capture on, events not delivered', [act('a', { ...done, kernelCapture: true })], ['kernel-behind']],
    ['kernel capture on, events delivered', [act('a', { ...done, kernelCapture: true, kernelDelivered: true })], []],
    ['invoked child not arrived', [act('a', done), invoke('a', 'b')], ['child-not-arrived']],
    ['invoked child arrived and done', [act('a', done), invoke('a', 'b'), act('b', done)], []],
    ['invoked child arrived, running', [act('a', done), invoke('a', 'b'), act('b', { start: 3 })], ['not-ended', 'output-open']],
    ['a sequence activation needs only its end', [act('s', { start: 1, end: 2, platform: 'sequence' })], []],
    ['a sequence activation not ended', [act('s', { start: 1, platform: 'sequence' })], ['not-ended']],
    ['a fact of an activation whose begin never came', [act('x', { end: 2 })], ['not-begun']],
  ] as const)('%s', (_name, nodes, kinds) => {
    const c = completeness(graph(...(nodes as readonly UpgNode[])));
    expect(c.missing.map((m) => m.kind)).toEqual(kinds);
    expect(c.complete).toBe(kinds.length === 0);
  });

  it('names the container whose kernel events are behind and the activation that has not ended', () => {
    const c = completeness(graph(act('a', { start: 1, kernelCapture: true })));
    expect(c.missing.map((m) => m.message).join('\n')).toMatch(/activation a \(\/_\/a\) has not ended yet/);
    expect(c.missing.find((m) => m.kind === 'kernel-behind')?.message).toMatch(/container ctr:inv\/c1: kernel events up to the end of activation a/);
  });
});
