// How the wrapper tells activations apart: one at a time through a variable (no AsyncLocalStorage
// entered, so promises cost nothing extra), concurrently through AsyncLocalStorage, and the
// switch between the two when activations overlap. Also: records held back go out in the same
// write as the user's next line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordsOf, setActivationEnv, useInstalledWrapper } from '../test/wrapper-capture';
import { activationTracking, forgetActivationTracking } from './context';
import { wrapHandler } from './index';
import { parseRecordLine } from './records';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-context-'));
const out = useInstalledWrapper(path.join(tmp, 'artifact'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => forgetActivationTracking());
afterEach(() => {
  delete process.env.__OW_ALLOW_CONCURRENT;
});

/** A handler that logs, waits, logs again, and leaves a timer behind that logs `late <id>` after `lateMs`. */
function chatty(lateMs: number) {
  return wrapHandler(
    () => ({
      main: async (p: { id: string; delay: number }) => {
        console.log(`start ${p.id}`);
        await sleep(p.delay);
        console.log(`done ${p.id}`);
        setTimeout(() => console.log(`late ${p.id}`), lateMs);
        return {};
      },
    }),
    'main',
  );
}

const lineOf = (text: string) => out.console.find((c) => c.text.endsWith(text))?.text;

describe('one activation at a time (OpenWhisk without concurrency)', () => {
  it('finds the activation after awaits without AsyncLocalStorage, and nothing once it ended', async () => {
    setActivationEnv('a-seq1', 'r-seq1');
    await chatty(5)({ id: 'one', delay: 5 });
    expect(activationTracking()).toBe('one at a time');
    await sleep(30);
    expect(lineOf('start one')).toBe('[prov r-seq1 a-seq1] start one');
    expect(lineOf('done one')).toBe('[prov r-seq1 a-seq1] done one');
    // between activations the timer it left behind belongs to none
    expect(lineOf('late one')).toBe('late one');
    expect(recordsOf(out.records(), 'a-seq1').map((r) => r.t)).toEqual(['begin', 'end']);
  });

  it("counts what a finished activation left behind to the activation running then, as the platform counts its logs", async () => {
    setActivationEnv('a-seq2', 'r-seq2');
    await chatty(20)({ id: 'two', delay: 1 });
    setActivationEnv('a-seq3', 'r-seq3');
    await chatty(1000)({ id: 'three', delay: 60 });
    expect(activationTracking()).toBe('one at a time');
    expect(lineOf('late two')).toBe('[prov r-seq3 a-seq3] late two');
  });
});

describe('concurrent activations', () => {
  it('switches to AsyncLocalStorage at the first overlap; the activation started alone keeps its ids', async () => {
    const main = chatty(1000);
    setActivationEnv('a-first', 'r-first');
    const first = main({ id: 'first', delay: 40 });
    expect(activationTracking()).toBe('one at a time');
    setActivationEnv('a-second', 'r-second');
    const second = main({ id: 'second', delay: 10 });
    expect(activationTracking()).toBe('concurrent');
    await Promise.all([first, second]);
    expect(lineOf('done first')).toBe('[prov r-first a-first] done first');
    expect(lineOf('done second')).toBe('[prov r-second a-second] done second');
    for (const a of ['a-first', 'a-second']) expect(recordsOf(out.records(), a).map((r) => r.t)).toEqual(['begin', 'end']);
  });

  it('uses AsyncLocalStorage from the first activation when the platform allows concurrency', async () => {
    process.env.__OW_ALLOW_CONCURRENT = 'true';
    setActivationEnv('a-allowed', 'r-allowed');
    await chatty(1000)({ id: 'allowed', delay: 1 });
    expect(activationTracking()).toBe('concurrent');
    expect(lineOf('done allowed')).toBe('[prov r-allowed a-allowed] done allowed');
  });
});

describe('records held back', () => {
  it("go out in the same write as the user's next stdout text, before it, and the end record after", async () => {
    setActivationEnv('a-held', 'r-held');
    const file = path.join(tmp, 'held.txt');
    await wrapHandler(
      () => ({
        main: async () => {
          fs.writeFileSync(file, 'x');
          process.stdout.write('after the write\n');
          return {};
        },
      }),
      'main',
    )({});
    const typeOf = (line: string) => {
      const parsed = parseRecordLine(line);
      return 'record' in parsed ? parsed.record.t : line;
    };
    const writes = out.stdout.map((w) => w.split('\n').filter(Boolean).map(typeOf));
    expect(writes).toEqual([['begin'], ['fs', '[prov r-held a-held] after the write'], ['end']]);
  });
});
