// The embedded platform's node agent on its own thread (the default once built): batches still
// reach the platform's sink in order, a sink outage loses nothing (the batches are spooled by the
// agent thread and sent once the sink answers again), a sink that refuses a batch as too large gets
// it in halves (the refusal's kind crosses the thread), and flush() waits for all of it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchTooLargeError } from '../invokers/agent/batch-size';
import { nodeAgentWorkerBuilt } from '../invokers/agent/daemon/node-agent-thread';
import { startPlatform, type Platform } from '../invokers/local/index';
import type { Batch } from '../protocol/batch';
import { describeNeeding } from './prerequisites';
import { wrappedActionZip } from './wrapped-action';

const HELLO = `module.exports.main = async (p) => { console.log('hello ' + p.n); return { n: p.n }; };`;

describeNeeding(nodeAgentWorkerBuilt() ? null : 'the agent worker is built by `npm run build`')('the platform with its node agent on a thread of its own', () => {
  let platform: Platform | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await platform?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    platform = dir = undefined;
  });

  async function start(onBatch: (b: Batch) => Promise<void>, said: string[]): Promise<ReturnType<typeof openwhisk>> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-thread-'));
    platform = await startPlatform({ storeDir: dir, kernelCapture: false, onBatch, log: (l) => said.push(l), batchDelayMs: 50 });
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    await ow.actions.create({ name: 'hello', action: wrappedActionZip(HELLO), kind: 'nodejs:20' } as never);
    return ow;
  }
  // the wrapper puts the request and activation ids in front of every console line
  const hellos = (batches: Batch[]) => batches.flatMap((b) => b.lines.map((l) => /\] (hello \d+)$/.exec(l.line)?.[1] ?? [])).flat();

  it('loses nothing through a sink outage: spooled on the agent thread, sent in order once the sink answers', async () => {
    const said: string[] = [];
    const delivered: Batch[] = [];
    let down = true;
    let refused = 0;
    const ow = await start(async (b) => {
      if (down) {
        refused++;
        throw new Error('store down');
      }
      delivered.push(b);
    }, said);
    expect(said.join('\n')).toMatch(/node agent runs on a thread of its own at nice 10/);
    for (let n = 0; n < 5; n++) await ow.actions.invoke({ name: 'hello', params: { n }, blocking: true });
    await platform!.flush(); // everything read is now spooled
    expect(refused).toBeGreaterThan(0);
    expect(hellos(delivered)).toEqual([]);
    down = false;
    for (let n = 5; n < 8; n++) await ow.actions.invoke({ name: 'hello', params: { n }, blocking: true });
    await platform!.flush();
    expect(hellos(delivered)).toEqual(Array.from({ length: 8 }, (_, n) => `hello ${n}`));
    const numbers = delivered.map((b) => b.batch);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(said.join('\n')).toMatch(/delivering batch .* failed \(store down\); spooled for retry/);
  }, 60_000);

  it('gets a batch the sink refuses as too large in halves, and flush() waits for every line', async () => {
    const delivered: Batch[] = [];
    const ow = await start(async (b) => {
      if (b.lines.length > 1) throw new BatchTooLargeError(`${b.lines.length} lines, at most 1 taken`);
      delivered.push(b);
    }, []);
    for (let n = 0; n < 3; n++) await ow.actions.invoke({ name: 'hello', params: { n }, blocking: true });
    await platform!.flush();
    expect(hellos(delivered)).toEqual(['hello 0', 'hello 1', 'hello 2']);
    expect(delivered.every((b) => b.lines.length <= 1)).toBe(true);
  }, 60_000);
});
