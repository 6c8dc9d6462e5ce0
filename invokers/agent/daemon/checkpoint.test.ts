import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Batch } from '../../../protocol/batch';
import { BATCH_VERSION } from '../../../protocol/batch';
import { LogCheckpoint, type LogCheckpointEntry } from './checkpoint';

const at = (offset: number): LogCheckpointEntry => ({ id: 'c1-full-id', logPath: '/var/log/pods/x/user-action/0.log', ino: 7, offset, seq: { stdout: offset, stderr: 0 } });

function batchOf(...seqs: number[]): Batch {
  return { v: BATCH_VERSION, invoker: 'i0', batch: seqs[0]!, containers: [], lines: seqs.map((seq) => ({ container: 'c1', stream: 'stdout' as const, time: 0, line: `l${seq}`, seq })) };
}

describe('LogCheckpoint', () => {
  let dir: string;
  const file = () => path.join(dir, 'log-positions.json');
  const saved = () => (fs.existsSync(file()) ? (JSON.parse(fs.readFileSync(file(), 'utf8')) as Record<string, LogCheckpointEntry>) : undefined);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps settled positions in memory at once and on disk after flush(), not once per batch', async () => {
    const c = new LogCheckpoint(dir, () => undefined);
    for (let seq = 1; seq <= 3; seq++) {
      c.handed('c1', 'stdout', seq, at(seq));
      c.settled(batchOf(seq));
    }
    expect(c.get('c1')).toEqual(at(3));
    expect(saved()).toBeUndefined(); // no file replaced on the batch's path
    await c.flush();
    expect(saved()).toEqual({ c1: at(3) });
  });

  it('never saves a position past a line that is handed but not settled', async () => {
    const c = new LogCheckpoint(dir, () => undefined);
    c.handed('c1', 'stdout', 1, at(1));
    c.handed('c1', 'stdout', 2, at(2));
    c.settled(batchOf(1));
    await c.flush();
    expect(saved()).toEqual({ c1: at(1) });
  });

  it('saves by itself a moment later, and close() saves what is pending synchronously', async () => {
    const c = new LogCheckpoint(dir, () => undefined);
    c.handed('c1', 'stdout', 1, at(1));
    c.settled(batchOf(1));
    await new Promise((r) => setTimeout(r, 600));
    expect(saved()).toEqual({ c1: at(1) });
    c.forget('c1');
    c.close();
    expect(saved()).toEqual({});
    // a new agent on the same state resumes where the file says
    expect(new LogCheckpoint(dir, () => undefined).keys()).toEqual([]);
  });

  it('says once, in one line, when positions cannot be saved, and goes on', async () => {
    const said: string[] = [];
    const c = new LogCheckpoint(dir, (l) => said.push(l));
    fs.rmSync(dir, { recursive: true, force: true });
    for (let seq = 1; seq <= 2; seq++) {
      c.handed('c1', 'stdout', seq, at(seq));
      c.settled(batchOf(seq));
      await c.flush();
    }
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot save log positions .*ENOENT.*stored once/);
    expect(c.get('c1')).toEqual(at(2));
  });
});
