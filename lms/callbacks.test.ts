// The analyser follows logging through callbacks, promises, emitters and local helpers: each
// fixture (ordinary code nobody attacked) is analysed, then run with inputs that take its branches,
// and what it really printed must match its templates with no deviation. And the leniency this
// needs stays where it belongs: order is still checked where the code's order is known.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAction } from './analyze';
import { judgeRun } from './judge-run';
import { createMatcher } from './matcher';
import { observeRun } from './observe-run';
import { OPENWHISK_SHAPED, type ActionFixture } from './openwhisk-shaped-fixtures';
import { checkSequence } from './sequence';
import type { LmsProfile } from './types';
import { packageWriter } from './fixtures/package-writer';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-callbacks-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const writeFixture = packageWriter(root);

const idOf = (p: LmsProfile, text: string): string => {
  const t = p.templates.find((x) => x.text === text);
  if (!t) throw new Error(`no template "${text}" in ${p.templates.map((x) => x.text).join(' | ')}`);
  return t.id;
};

describe('ordinary code raises no deviation (runs checked against the profile)', () => {
  it.each(OPENWHISK_SHAPED.map((f) => [f.name, f] as [string, ActionFixture]))('%s', (_name, f) => {
    const entry = writeFixture(f.files, f.entry);
    const profile = analyzeAction(entry, { handler: f.handler });
    const matcher = createMatcher(profile);
    let printed = 0;
    for (const args of f.inputs) {
      const run = observeRun({ file: entry, exportName: f.handler, args });
      expect(run.timedOut, `${JSON.stringify(args)} timed out`).toBe(false);
      const v = judgeRun(profile, matcher, run.lines, { failed: run.failed, complete: true });
      expect(v.unmatched, `${JSON.stringify(args)}: lines no template matches`).toEqual([]);
      expect(v.deviations, `${JSON.stringify(args)} printed:\n${run.lines.join('\n')}`).toEqual([]);
      printed += v.lines;
    }
    // a fixture that prints nothing would check nothing
    expect(printed).toBeGreaterThanOrEqual(f.inputs.length);
  }, 60_000);
});

describe('what the analyser now follows, in the LMS-CFG', () => {
  it('runs a Promise executor once, in place: its synchronous log is ordered, not deferred', () => {
    const p = analyzeAction(
      writeFixture({ 'index.js': `exports.main = () => { console.log('a'); const p = new Promise((r) => { console.log('in executor'); r(1); }); console.log('b'); return p; };` }, 'index.js'),
    );
    const [a, x, b] = ['a', 'in executor', 'b'].map((t) => idOf(p, t));
    expect(p.cfg.sites.filter((s) => s.deferred)).toEqual([]);
    expect(checkSequence(p, [a, x, b])).toEqual([]);
    expect(checkSequence(p, [x, a, b]).map((d) => d.kind)).toContain('out-of-order');
    expect(checkSequence(p, [a, b, x]).map((d) => d.kind)).toContain('out-of-order');
  });

  it('marks the sites of library callbacks, .then/.on handlers and unawaited async calls deferred, and only those', () => {
    const p = analyzeAction(
      writeFixture(
        {
          'index.js': `
            const fs = require('fs');
            async function later() { await 0; console.log('later'); }
            exports.main = async (params) => {
              console.log('first');
              fs.readFile('x', () => console.log('in callback'));
              params.emitter.on('evt', function onEvt() { console.log('on event'); });
              Promise.resolve().then(() => console.log('in then'));
              later();
              await later();
              [1, 2].forEach((i) => console.log('item %d', i));
              console.log('last');
            };`,
        },
        'index.js',
      ),
    );
    const text = new Map(p.templates.map((t) => [t.id, t.text]));
    const deferred = new Set(p.cfg.sites.filter((s) => s.deferred).map((s) => text.get(s.template!)));
    expect([...deferred].sort()).toEqual(['in callback', 'in then', 'later', 'on event']);
    const [first, later, item, last, cb] = ['first', 'later', 'item {number}', 'last', 'in callback'].map((t) => idOf(p, t));
    // a deferred line anywhere (even after the last ordered one) is no deviation ...
    expect(checkSequence(p, [first, later, item, item, last, cb])).toEqual([]);
    expect(checkSequence(p, [cb, first, later, cb, later, last])).toEqual([]);
    // ... while the ordered lines keep their order
    expect(checkSequence(p, [last, first]).map((d) => d.kind)).toContain('out-of-order');
    expect(checkSequence(p, [first, item, later, last]).map((d) => d.kind)).toContain('out-of-order');
  });

  it('follows helpers of local modules, required or imported, through await', () => {
    const p = analyzeAction(
      writeFixture(
        {
          'lib/a.js': `exports.step = async (n) => { console.log('step %d begins', n); await null; console.log('step ends'); };`,
          'index.js': `const { step } = require('./lib/a'); exports.main = async () => { console.log('go'); await step(1); console.log('stop'); };`,
        },
        'index.js',
      ),
    );
    const ids = ['go', 'step 1 begins', 'step ends', 'stop'].map((t) => idOf(p, t));
    expect(p.cfg.sites.filter((s) => s.deferred)).toEqual([]);
    expect(checkSequence(p, ids)).toEqual([]);
    expect(checkSequence(p, [ids[0]!, ids[3]!, ids[1]!]).length).toBeGreaterThan(0);
  });

  it('says "unknown" where code it cannot read runs (dynamic require, eval): any template may follow', () => {
    const p = analyzeAction(
      writeFixture({ 'index.js': `exports.main = (params) => { console.log('before'); const m = require(params.plugin); console.log('after'); return m; };` }, 'index.js'),
    );
    const unknown = p.cfg.sites.filter((s) => s.kind === 'unknown');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.why).toMatch(/require\(params\.plugin\)/);
    const [before, after] = ['before', 'after'].map((t) => idOf(p, t));
    expect(checkSequence(p, [before, after, before, after])).toEqual([]);
    // before the unknown point the order is still known
    expect(checkSequence(p, [after, before]).map((d) => d.kind)).toContain('out-of-order');
  });

  it('does not count a wildcard line out of place (a library may have printed it), but still a specific one', () => {
    const p = analyzeAction(writeFixture({ 'index.js': `exports.main = (p) => { console.log('one'); console.error(p.x); console.log('two'); };` }, 'index.js'));
    const [one, any, two] = ['one', '{text}', 'two'].map((t) => idOf(p, t));
    expect(checkSequence(p, [any, one, any, two, any])).toEqual([]);
    expect(checkSequence(p, [two, one]).map((d) => d.kind)).toContain('out-of-order');
  });

  it('says "unknown" for a handler it cannot find: the run cannot be judged', () => {
    const p = analyzeAction(writeFixture({ 'index.js': `['a', 'b'].forEach((n) => { exports[n] = () => console.log('called', n); });` }, 'index.js'), { handler: 'a' });
    expect(p.cfg.sites.filter((s) => s.kind === 'unknown').map((s) => s.why)).toEqual(['handler "a" not found']);
    const called = idOf(p, 'called {text}');
    expect(checkSequence(p, [called, called])).toEqual([]);
  });

  it('treats a deferred or post-unknown template as expected in the matcher', () => {
    const p = analyzeAction(
      writeFixture({ 'index.js': `exports.main = (p) => { console.log('x %s', p.a); setTimeout(() => console.log('x done'), 1); };` }, 'index.js'),
    );
    const m = createMatcher(p);
    expect(m.match('x done')).toMatchObject({ templateId: idOf(p, 'x done'), expected: true });
  });
});
