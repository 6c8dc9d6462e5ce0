// The node agent over a real json-file log and a real state directory, with the container engine
// replaced by a scripted source (which containers run is the input here, not what is tested).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Batch } from '../../../protocol/batch';
import type { ContainerSource, SourceEvents } from '../discovery/source';
import { LEFTOVERS_AFTER_MS, startNodeAgent } from './node-agent';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function scriptedSource(): ContainerSource & { events?: SourceEvents } {
  const s: ContainerSource & { events?: SourceEvents } = {
    description: 'scripted engine',
    subtrees: async () => [],
    start: async (events) => {
      s.events = events;
    },
    connected: () => true,
    stop: async () => undefined,
  };
  return s;
}

const logLine = (line: string) => `${JSON.stringify({ log: `${line}\n`, stream: 'stdout', time: new Date().toISOString() })}\n`;

it('a container that stops just as the agent looks for leftovers of an earlier run ships each line once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-agent-'));
  dirs.push(dir);
  const logPath = path.join(dir, 'c-json.log');
  fs.writeFileSync(logPath, logLine('first') + logLine('second'));
  const source = scriptedSource();
  const batches: Batch[] = [];
  let sinkDelayMs = 0;
  const started = Date.now();
  const agent = await startNodeAgent({
    source,
    sink: async (b) => {
      await new Promise((r) => setTimeout(r, sinkDelayMs));
      batches.push(b);
    },
    stateDir: path.join(dir, 'state'),
    kernel: 'off',
    log: () => undefined,
    logPollMs: 50,
    agent: { maxDelayMs: 20 },
  });
  const id = 'c'.repeat(64);
  source.events!.started({ id, name: 'wsk0_1_prewarm_nodejs20', pid: process.pid, logPath, started });
  await new Promise((r) => setTimeout(r, 300));
  // the first lines are settled, so the checkpoint holds this container
  await agent.flush();
  // it stops while the agent is still reading and delivering its last lines when the leftover search runs
  sinkDelayMs = 600;
  await new Promise((r) => setTimeout(r, started + LEFTOVERS_AFTER_MS - 150 - Date.now()));
  fs.appendFileSync(logPath, logLine('third') + logLine('last words'));
  source.events!.stopped(id, Date.now());
  await new Promise((r) => setTimeout(r, 1_000));
  await agent.flush();
  await agent.stop();
  const lines = batches.flatMap((b) => b.lines).map((l) => [l.seq, l.line]);
  expect(lines).toEqual([
    [0, 'first'],
    [1, 'second'],
    [2, 'third'],
    [3, 'last words'],
  ]);
});
