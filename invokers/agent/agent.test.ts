import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch, ContainerInfo, StreamLine } from '../../protocol/batch';
import { Agent } from './agent';
import { limitLine } from './line-limit';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-test-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const info: ContainerInfo = { container: 'c1', invoker: 'inv', action: '/guest/a', started: 1 };
const line = (seq: number, text = `line ${seq}`): StreamLine => ({ container: 'c1', stream: 'stdout', time: seq, line: text, seq });

/** A sink that records what it got and can be told to fail. */
function fakeSink() {
  const got: Batch[] = [];
  const state = { failing: false };
  const sink = async (b: Batch) => {
    if (state.failing) throw new Error('correlator unreachable');
    got.push(JSON.parse(JSON.stringify(b)) as Batch);
  };
  return { got, state, sink };
}

const seqs = (batches: Batch[]) => batches.flatMap((b) => b.lines.map((l) => l.seq));

describe('Agent', () => {
  it('cuts a batch at activation end, numbered from 1, with the container info', async () => {
    const { got, sink } = fakeSink();
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink });
    agent.container(info);
    agent.line(line(0));
    agent.line(line(1));
    agent.activationEnded();
    await agent.flush();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ v: 1, invoker: 'inv', batch: 1, containers: [info] });
    expect(seqs(got)).toEqual([0, 1]);
    await agent.close();
  });

  it('cuts after maxLines and after maxDelayMs', async () => {
    const { got, sink } = fakeSink();
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, maxLines: 2, maxDelayMs: 30 });
    agent.container(info);
    for (let i = 0; i < 5; i++) agent.line(line(i));
    await new Promise((r) => setTimeout(r, 120));
    expect(got.map((b) => b.lines.length)).toEqual([2, 2, 1]);
    expect(got.map((b) => b.batch)).toEqual([1, 2, 3]);
    // the container is described in every batch that carries its lines
    expect(got.every((b) => b.containers.some((c) => c.container === 'c1'))).toBe(true);
    await agent.close();
  });

  it('spools while the sink fails, keeps order, retries, and delivers everything once', async () => {
    const { got, state, sink } = fakeSink();
    const logs: string[] = [];
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, retryInitialMs: 20, log: (l) => logs.push(l) });
    agent.container(info);
    state.failing = true;
    agent.line(line(0));
    await agent.flush();
    agent.line(line(1));
    await agent.flush();
    expect(got).toHaveLength(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(['inv-1.json', 'inv-2.json']);
    expect(logs.some((l) => /wait in/.test(l))).toBe(true);
    state.failing = false;
    agent.line(line(2));
    await agent.flush();
    expect(got.map((b) => b.batch)).toEqual([1, 2, 3]);
    expect(seqs(got)).toEqual([0, 1, 2]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
    await agent.close();
  });

  it('sends what an earlier run spooled at the next start, and never reuses a batch number', async () => {
    const first = fakeSink();
    first.state.failing = true;
    const a1 = Agent.open({ invoker: 'inv', spoolDir: dir, sink: first.sink, retryInitialMs: 10_000 });
    a1.container(info);
    a1.line(line(0));
    await a1.close();

    const second = fakeSink();
    const a2 = Agent.open({ invoker: 'inv', spoolDir: dir, sink: second.sink });
    a2.line({ ...line(1) });
    await a2.flush();
    expect(second.got.map((b) => b.batch)[0]).toBe(1);
    expect(second.got[1].batch).toBeGreaterThan(1);
    expect(seqs(second.got)).toEqual([0, 1]);
    await a2.close();

    const third = fakeSink();
    const a3 = Agent.open({ invoker: 'inv', spoolDir: dir, sink: third.sink });
    a3.line(line(2));
    await a3.flush();
    // numbers are reserved in blocks (spool.ts): a restart skips ahead, never back
    expect(third.got).toHaveLength(1);
    expect(third.got[0].batch).toBeGreaterThan(second.got[1].batch);
    await a3.close();
  });

  it('cuts over-long lines with a marker instead of dropping them', async () => {
    const { got, sink } = fakeSink();
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink, maxLineBytes: 10 });
    agent.container(info);
    agent.line(line(0, 'abcdefghijklmnop'));
    await agent.flush();
    expect(got[0].lines[0].line).toBe('abcdefghij …[line cut by the provenance agent: 6 more bytes]');
    await agent.close();
  });

  it('announces a stopped container once', async () => {
    const { got, sink } = fakeSink();
    const agent = Agent.open({ invoker: 'inv', spoolDir: dir, sink });
    agent.container(info);
    await agent.flush();
    agent.container({ ...info, stopped: 9 });
    await agent.flush();
    await agent.flush();
    expect(got.map((b) => b.containers[0].stopped)).toEqual([undefined, 9]);
    await agent.close();
  });
});

describe('limitLine', () => {
  it.each([
    ['short', 10, 'short'],
    ['0123456789ab', 10, '0123456789 …[line cut by the provenance agent: 2 more bytes]'],
    ['ééé', 3, 'é …[line cut by the provenance agent: 4 more bytes]'],
  ])('%s / %d', (input, max, expected) => {
    expect(limitLine(input, max)).toBe(expected);
  });
});
