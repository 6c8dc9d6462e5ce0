// The wrapper keeps the stdio marker rule (protocol/stdio-markers.ts) that kernel capture relies on
// to keep only the writes that carry activation markers: every write of the stream's original
// write function (one write(2) each) that carries a record line or a sentinel starts with one,
// after at most the newline that ends a line user output left open. Covered: the begin record,
// records held back and put in front of the user's next text, the end record riding the runtime's
// sentinel write, and records after a line the user left open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setActivationEnv, useInstalledWrapper } from '../test/wrapper-capture';
import { wrapHandler } from './index';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { carriesMarker, keepsMarkerRule } from '../protocol/stdio-markers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-marker-rule-'));
const out = useInstalledWrapper(path.join(tmp, 'artifact'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sentinel = `${ACTIVATION_SENTINEL}\n`;

/** One activation as the runtime runs it: main, then the sentinel on stdout and stderr. */
async function runAsRuntime(id: string, handler: () => unknown): Promise<void> {
  setActivationEnv(id, `r-${id}`);
  await wrapHandler(() => ({ main: handler }), 'main')({});
  process.stdout.write(sentinel);
  process.stderr.write(sentinel);
}

describe('the stdio marker rule, as the wrapper writes', () => {
  it('the rule itself: a write that carries a marker line starts with one, after at most one newline', () => {
    expect(keepsMarkerRule('@prov/1 {}\nuser\n')).toBe(true);
    expect(keepsMarkerRule(`\n@prov/1 {}\n${sentinel}`)).toBe(true);
    expect(keepsMarkerRule('plain\n')).toBe(true);
    expect(keepsMarkerRule('user\n@prov/1 {}\n')).toBe(false);
    expect(keepsMarkerRule(`user\n${sentinel}`)).toBe(false);
    expect(keepsMarkerRule('\n\n@prov/1 {}\n')).toBe(false);
  });

  it('keeps it for begin, held records before user text, a record after an open line, and the end in the sentinel write', async () => {
    const file = path.join(tmp, 'input.txt');
    fs.writeFileSync(file, 'x');
    const handler = () => {
      process.stdout.write('a line left open');
      fs.readFileSync(file); // a record that may be held back
      process.stdout.write(' and closed\n');
      fs.writeFileSync(path.join(tmp, 'output.txt'), 'y');
      console.log('through the console');
      process.stdout.write('open again');
      return 1;
    };
    // twice: the first activation teaches the wrapper that the runtime writes sentinels
    for (const id of ['m1', 'm2']) await runAsRuntime(id, handler);
    const writes = [...out.stdout, ...out.stderr];
    expect(writes.filter((w) => !keepsMarkerRule(w))).toEqual([]);
    // not vacuous: begin and end of both, sentinels, and records written after an open line
    const marked = writes.filter(carriesMarker);
    expect(marked.length).toBeGreaterThanOrEqual(6);
    expect(out.records().filter((r) => r.t === 'begin' || r.t === 'end')).toHaveLength(4);
    expect(out.stdout.some((w) => w.startsWith('\n@prov/'))).toBe(true);
    // the end rides the sentinel write, here after the line the handler left open
    expect(out.stdout.some((w) => w.startsWith('\n@prov/1 {"t":"end"') && w.endsWith(sentinel))).toBe(true);
  });
});
