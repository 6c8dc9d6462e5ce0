import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAction } from './analyze';
import { createMatcher } from './matcher';
import { assignUnits, checkSequence } from './sequence';
import type { LmsProfile } from './types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-match-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function profileOf(src: string): LmsProfile {
  const dir = path.join(root, `m${n++}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.writeFileSync(path.join(dir, 'index.js'), src);
  return analyzeAction(path.join(dir, 'index.js'));
}
const idOf = (p: LmsProfile, text: string): string => {
  const t = p.templates.find((x) => x.text === text);
  if (!t) throw new Error(`no template ${text} in ${p.templates.map((x) => x.text).join(' | ')}`);
  return t.id;
};

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('createMatcher', () => {
  const FORMATS = ['order %s: %d items at %f, ok=%j %o', 'user %s logged in from %s', '%d%% done (%i/%i)', 'raw %O then %s'];
  const p = profileOf(`exports.main = (a) => {\n${FORMATS.map((f, i) => `  console.log(${JSON.stringify(f)}, ${Array.from({ length: (f.match(/%[sdifjoO]/g) ?? []).length }, (_, k) => `a.v${i}_${k}`).join(', ')});`).join('\n')}\n};`);
  const m = createMatcher(p);

  it('render(match(util.format(...))) === line for generated values, and finds the right template', () => {
    const r = rng(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
    const values: Array<() => unknown> = [
      () => pick(['', 'x', 'a b c', '%s', 'line\nbreak', 'ü✓', ' user 5 logged in from ', '{}']),
      () => pick([0, -0, 1.5, -1e-7, 1e21, NaN, Infinity, 2 ** 60]),
      () => BigInt(Math.floor(r() * 1e9)),
      () => ({ k: pick(['v', 1, null]), arr: [1, 2] }),
      () => pick([null, undefined, true]),
    ];
    let count = 0;
    for (let i = 0; i < 2000; i++) {
      const fi = Math.floor(r() * FORMATS.length);
      const f = FORMATS[fi]!;
      const args = Array.from({ length: (f.match(/%[sdifjoO]/g) ?? []).length }, () => pick(values)());
      let line: string;
      try {
        line = format(f, ...args);
      } catch {
        continue; // %j of a bigint throws in Node: nothing printed
      }
      const got = m.match(line);
      expect(got, line).toBeDefined();
      expect(m.render(got!.templateId, got!.values, got!.envelope)).toBe(line);
      expect(got!.templateId, line).toBe(p.templates[fi]!.id); // templates come in source order
      count++;
    }
    expect(count).toBeGreaterThan(1500);
  });

  it('keeps unmatched lines unmatched and refuses wrong renders', () => {
    expect(m.match('something nobody logs')).toBeUndefined();
    expect(() => m.render('tnope', [])).toThrow(/unknown template/);
    expect(() => m.render(idOf(p, 'user {text} logged in from {text}'), ['x'])).toThrow(/2 holes but 1 values/);
  });

  it('resolves ambiguity by the LMS-CFG position', () => {
    const q = profileOf(`exports.main = (a) => { console.log('phase %s', a.x); if (a.y) console.log('phase two'); console.log('phase three %s', a.z); };`);
    const mq = createMatcher(q);
    const generic = idOf(q, 'phase {text}');
    const two = idOf(q, 'phase two');
    const three = idOf(q, 'phase three {text}');
    // at the start only "phase {text}" can come, even though "phase two" is more specific
    expect(mq.match('phase two')).toMatchObject({ templateId: generic, values: ['two'], expected: true });
    expect(mq.match('phase two', generic)).toMatchObject({ templateId: two, expected: true });
    expect(mq.match('phase three 3', generic)).toMatchObject({ templateId: three, values: ['3'], expected: true });
    // out of order: still matched (most specific), flagged as unexpected
    expect(mq.match('phase two', three)).toMatchObject({ templateId: two, expected: false });
  });

  it('matches JSON log lines (winston json format) on their message and rebuilds them exactly', () => {
    const q = profileOf(`const winston = require('winston');
      const log = winston.createLogger({ format: winston.format.combine(winston.format.splat(), winston.format.json()) });
      exports.main = (a) => { log.info('stored %s in %dms', a.key, a.ms); };`);
    const mq = createMatcher(q);
    const line = JSON.stringify({ level: 'info', message: 'stored k"1 in 12ms', requestId: 'r-1', timestamp: '2026-11-21T10:00:00.000Z' });
    const got = mq.match(line)!;
    expect(got).toMatchObject({ templateId: idOf(q, 'stored {text} in {number}ms'), values: ['k"1', '12'] });
    expect(got.envelope).toBe('{"level":"info","message":"","requestId":"r-1","timestamp":"2026-11-21T10:00:00.000Z"}');
    expect(mq.render(got.templateId, got.values, got.envelope)).toBe(line);
    // JSON that JSON.stringify would not print byte for byte is not taken apart
    expect(mq.match('{ "level": "info", "message": "stored a in 1ms" }')).toBeUndefined();
  });
});

describe('checkSequence and assignUnits', () => {
  const p = profileOf(`
    const fs = require('fs');
    exports.main = async (a) => {
      console.log('start');
      for (const r of a.rs) {
        console.log('unit %s begins', r);
        await fs.promises.readFile(r);
        console.log('unit %s ends', r);
      }
      if (a.fail) throw new Error('x');
      console.log('end');
    };`);
  const [S, B, E, END] = ['start', 'unit {text} begins', 'unit {text} ends', 'end'].map((t) => idOf(p, t));
  const table: Array<[string, Array<string | null>, object, string[]]> = [
    ['a whole valid run', [S, B, E, B, E, END], {}, []],
    ['no records', [S, END], {}, []],
    ['unmatched lines (libraries) are skipped', [S, null, END], {}, []],
    ['a template out of order (then it stops inside the unit it jumped into)', [S, END, B], {}, ['out-of-order', 'unit-end-missing']],
    ['a template out of order', [S, E, END], {}, ['out-of-order']],
    ['a template not in the profile', [S, 'tdeadbeef00', END], {}, ['unknown-template']],
    ['a unit that never ended before the next began', [S, B, B, E, END], {}, ['unit-end-missing']],
    ['an activation that stops inside a unit', [S, B], {}, ['unit-end-missing']],
    ['an activation that stops where the code cannot end', [], {}, ['end-missing']],
    ['a failed activation may stop anywhere', [S, B], { failed: true }, []],
    ['an incomplete (still running) activation', [S, B], { complete: false }, []],
    ['the throw path ends the activation legitimately', [S, B, E], {}, []],
  ];
  it.each(table)('%s', (_name, seq, options, kinds) => {
    expect(checkSequence(p, seq, options).map((d) => d.kind)).toEqual(kinds);
  });
  it('counts one unit per loop iteration', () => {
    expect(assignUnits(p, [S, B, E, B, null, E, END])).toEqual([undefined, 0, 0, 1, 1, 1, undefined]);
  });
});
