// Batches cut by size, and batches a sink refuses as too large split until they pass: against a
// fake sink with a byte limit (a unit test of the agent's pure cutting and its delivery loop).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch, ContainerInfo, KernelEventLite, StreamLine } from '../../protocol/batch';
import { Agent } from './agent';
import { BatchTooLargeError, splitBatch } from './batch-size';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-size-test-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const info: ContainerInfo = { container: 'c1', invoker: 'inv', action: '/guest/a', started: 1 };
const line = (seq: number, bytes = 100): StreamLine => ({ container: 'c1', stream: 'stdout', time: seq, line: `${seq}:`.padEnd(bytes, 'x'), seq });
const event = (i: number): KernelEventLite => ({ container: 'c1', a: 'act-1', op: 'read', ts: i, pid: 7, path: `/tmp/f${i}` });
const size = (b: Batch) => Buffer.byteLength(JSON.stringify(b));
const seqs = (batches: Batch[]) => batches.flatMap((b) => b.lines.map((l) => l.seq));

/** A sink that refuses batches over `limit` bytes as the platform does (413), and can be told to fail otherwise. */
function limitedSink(limit: number) {
  const got: Batch[] = [];
  const refused: number[] = [];
  const state = { down: false };
  const sink = async (b: Batch) => {
    if (state.down) throw new Error('correlator unreachable');
    if (size(b) > limit) {
      refused.push(b.batch);
      throw new BatchTooLargeError(`413: ${size(b)} > ${limit} bytes`);
    }
    got.push(JSON.parse(JSON.stringify(b)) as Batch);
  };
  return { got, refused, state, sink };
}

describe('cutting batches by bytes', () => {
  it.each([
    { name: 'lines', budget: 2_000, lines: 60, events: 0 },
    { name: 'kernel events', budget: 2_000, lines: 0, events: 80 },
    { name: 'lines and kernel events', budget: 3_000, lines: 40, events: 40 },
  ])('$name: every batch within the budget, nothing lost, order kept', async ({ budget, lines, events }) => {
    const { got, refused, sink } = limitedSink(budget + 1_000); // the envelope (containers, header) comes on top
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, maxBatchBytes: budget, maxLines: 10_000, maxKernelEvents: 10_000 });
    agent.container(info);
    for (let i = 0; i < lines; i++) agent.line(line(i));
    for (let i = 0; i < events; i += 10) agent.kernel(Array.from({ length: 10 }, (_, j) => event(i + j)));
    await agent.close();
    expect(refused).toEqual([]);
    expect(got.length).toBeGreaterThan(1);
    for (const b of got) expect(JSON.stringify([...b.lines, ...(b.kernel ?? [])]).length).toBeLessThanOrEqual(budget);
    expect(seqs(got)).toEqual(Array.from({ length: lines }, (_, i) => i));
    expect(got.flatMap((b) => b.kernel ?? []).map((e) => e.ts)).toEqual(Array.from({ length: events }, (_, i) => i));
  });

  it('never splits a line: a line larger than the budget goes alone, whole', async () => {
    const { got, sink } = limitedSink(1e6);
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, maxBatchBytes: 500 });
    agent.container(info);
    agent.line(line(0, 100));
    agent.line(line(1, 800));
    agent.line(line(2, 100));
    await agent.close();
    expect(got.map((b) => b.lines.map((l) => [l.seq, l.line.length]))).toEqual([[[0, 100]], [[1, 800]], [[2, 100]]]);
  });

  it('the kernel delivery watermark travels after the events it covers, when a cut falls among them', async () => {
    const { got, sink } = limitedSink(1e6);
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, maxBatchBytes: 400 });
    agent.captureKernel();
    agent.container(info);
    agent.kernel(Array.from({ length: 20 }, (_, i) => event(i)), {}, 0, ['act-1']);
    await agent.close();
    const last = got.findIndex((b) => b.kernelComplete?.includes('act-1'));
    expect(got.length).toBeGreaterThan(1);
    expect(last).toBe(got.length - 1);
  });
});

describe('a batch the sink refuses as too large', () => {
  it('is split (again if need be) under new, unused numbers, delivered in order, never retried whole', async () => {
    const { got, refused, sink } = limitedSink(1_500);
    const logs: string[] = [];
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, log: (l) => logs.push(l), retryInitialMs: 10 });
    agent.container(info);
    for (let i = 0; i < 40; i++) agent.line(line(i));
    agent.activationEnded();
    agent.line(line(40));
    agent.activationEnded();
    await agent.close();
    expect(refused[0]).toBe(1);
    expect(seqs(got)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    const numbers = got.map((b) => b.batch);
    expect(new Set([...numbers, ...refused]).size).toBe(numbers.length + refused.length);
    expect(numbers).not.toContain(1);
    expect(got.every((b) => size(b) <= 1_500)).toBe(true);
    expect(logs.some((l) => /batch inv#1 is too large for the correlator .* sent in two/.test(l))).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('split while spooled: the parts keep the original place in the spool, before later batches', async () => {
    const { got, state, sink } = limitedSink(1_500);
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, retryInitialMs: 10 });
    agent.container(info);
    state.down = true;
    for (let i = 0; i < 30; i++) agent.line(line(i));
    agent.activationEnded();
    agent.line(line(30));
    agent.activationEnded();
    await agent.flush();
    expect(got).toEqual([]);
    state.down = false;
    await agent.close();
    expect(seqs(got)).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('a single line still refused is reported lost once and announced, not retried forever', async () => {
    const { got, refused, sink } = limitedSink(700);
    const logs: string[] = [];
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, log: (l) => logs.push(l), retryInitialMs: 10 });
    agent.container(info);
    agent.line(line(0, 900));
    agent.activationEnded();
    await agent.flush();
    // announced with the next batch cut (protocol/batch.ts LostBatch)
    agent.line(line(1));
    agent.activationEnded();
    await agent.close();
    expect(refused).toEqual([1]);
    expect(logs.filter((l) => /is LOST: the correlator refuses it as too large/.test(l))).toHaveLength(1);
    expect(got.map((b) => [b.batch, seqs([b]), b.lost?.map((l) => l.batch)])).toEqual([[2, [1], [1]]]);
  });
});

describe('splitBatch', () => {
  const batch = (lines: number, events: number, extra: Partial<Batch> = {}): Batch => ({
    v: 1,
    invoker: 'inv',
    batch: 5,
    containers: [info],
    lines: Array.from({ length: lines }, (_, i) => line(i)),
    ...(events ? { kernel: Array.from({ length: events }, (_, i) => event(i)) } : {}),
    ...extra,
  });
  it.each([
    { lines: 1, events: 0, split: undefined },
    { lines: 0, events: 1, split: undefined },
    { lines: 2, events: 0, split: [[1, 0], [1, 0]] },
    { lines: 1, events: 1, split: [[1, 0], [0, 1]] },
    { lines: 0, events: 2, split: [[0, 1], [0, 1]] },
    { lines: 3, events: 5, split: [[2, 2], [1, 3]] },
  ])('$lines line(s), $events event(s)', ({ lines, events, split }) => {
    let next = 9;
    const out = splitBatch(batch(lines, events), () => next++);
    expect(out?.map((b) => [b.lines.length, b.kernel?.length ?? 0])).toEqual(split);
    if (out) expect(out.map((b) => b.batch)).toEqual([9, 10]);
  });
  it('counts lost events once (first half), and puts the watermark after the events (second half)', () => {
    const [a, b] = splitBatch(batch(2, 2, { drops: 3, kernelDrops: { 'act-1': 2 }, kernelComplete: ['act-1'], lost: [{ batch: 4, reason: 'x', lines: 1, kernelEvents: 0, activations: [] }] }), () => 1)!;
    expect([a.drops, a.kernelDrops, a.kernelComplete, a.lost?.length]).toEqual([3, { 'act-1': 2 }, [], 1]);
    expect([b.drops, b.kernelDrops, b.kernelComplete, b.lost]).toEqual([undefined, undefined, ['act-1'], undefined]);
    expect(a.containers).toEqual([info]);
    expect(b.containers).toEqual([info]);
  });
});
