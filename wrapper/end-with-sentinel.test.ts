// The end record goes out in the runtime's own sentinel write once the wrapper has seen the
// runtime write sentinels: one write fewer per activation, the same bytes in the same order.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setActivationEnv, useInstalledWrapper } from '../test/wrapper-capture';
import { uninstallWrapper, installWrapper, wrapHandler } from './index';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { RECORD_LINE_START } from '../protocol/wrapper-records';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-sentinel-'));
const out = useInstalledWrapper(path.join(tmp, 'artifact'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const isEnd = (chunk: string) => chunk.includes(`${RECORD_LINE_START}{"t":"end"`);
const sentinel = `${ACTIVATION_SENTINEL}\n`;

/** One activation as the runtime runs it: main, then the sentinel on stdout and stderr. */
async function runAsRuntime(id: string, handler: () => unknown, writeSentinel = true): Promise<void> {
  setActivationEnv(id, `r-${id}`);
  await wrapHandler(() => ({ main: handler }), 'main')({});
  if (writeSentinel) {
    process.stdout.write(sentinel);
    process.stderr.write(sentinel);
  }
}

describe('end record and the runtime sentinel', () => {
  it('writes the end at once until a sentinel was seen, then in the sentinel write, before it', async () => {
    await runAsRuntime('s1', () => 1);
    // the first activation: end in a write of its own, then the sentinel in its own
    expect(out.stdout.filter(isEnd)).toHaveLength(1);
    expect(out.stdout.find(isEnd)!.includes(ACTIVATION_SENTINEL)).toBe(false);
    out.stdout.length = 0;
    await runAsRuntime('s2', () => {
      console.log('hello');
      return 1;
    });
    const ends = out.stdout.filter(isEnd);
    expect(ends).toHaveLength(1);
    // the end is the sentinel write's first line
    expect(ends[0].endsWith(sentinel)).toBe(true);
    expect(ends[0].startsWith(`${RECORD_LINE_START}{"t":"end","a":"s2"`)).toBe(true);
    // begin, then end + sentinel: two writes (the console line goes to the captured console)
    expect(out.stdout).toHaveLength(2);
    expect(out.console.map((c) => c.text)).toEqual([expect.stringMatching(/^\[prov r-s2 s2\] hello$/)]);
    // every record verifies, in order
    expect(out.records().map((r) => r.t)).toEqual(['begin', 'end']);
    expect(out.stdoutLines().at(-1)).toBe(ACTIVATION_SENTINEL);
  });

  it('writes a waiting end before the next activation begins when no sentinel came, and within 20 ms at the latest', async () => {
    await runAsRuntime('s3', () => 1, false);
    await runAsRuntime('s4', () => 1, false);
    expect(out.records().map((r) => `${r.t} ${r.a}`)).toEqual(['begin s3', 'end s3', 'begin s4']);
    await new Promise((r) => setTimeout(r, 40));
    expect(out.records().map((r) => `${r.t} ${r.a}`)).toEqual(['begin s3', 'end s3', 'begin s4', 'end s4']);
  });

  it('forgets the sentinel at uninstall: the next install writes ends at once again', async () => {
    uninstallWrapper();
    installWrapper({ artifactRoot: path.join(tmp, 'artifact') });
    out.stdout.length = 0;
    await runAsRuntime('s5', () => 1, false);
    expect(out.records().map((r) => r.t)).toEqual(['begin', 'end']);
  });
});
