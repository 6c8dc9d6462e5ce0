import { describe, expect, it } from 'vitest';
import { categoryOf, formatProfiles, mergeSummaries, summariseProfile, type CpuProfile } from './container-profile';

const WRAPPER = '/action/.provenance/bundle.js';
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

// root -> main (wrapper) -> handler -> emitRecord (wrapper) -> createHmac (node); plus idle and gc
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 6, 7] },
    { id: 2, callFrame: frame('main', WRAPPER, 10), children: [3] },
    { id: 3, callFrame: frame('handler', '/action/handler.js'), children: [4] },
    { id: 4, callFrame: frame('emitRecord', WRAPPER, 20), children: [5] },
    { id: 5, callFrame: frame('createHmac', 'node:crypto') },
    { id: 6, callFrame: frame('(idle)', '') },
    { id: 7, callFrame: frame('(garbage collector)', '') },
  ],
  // each sample stands for the time delta that follows it
  samples: [5, 4, 3, 2, 6, 7, 5],
  timeDeltas: [0, 100, 200, 300, 400, 500, 600, 0],
  startTime: 0,
  endTime: 2100,
};

describe('container profiles', () => {
  it.each([
    [frame('x', WRAPPER), 'wrapper'],
    [frame('x', '/work/dist/wrapper/bundle.js'), 'wrapper'],
    [frame('x', 'node:internal/streams/writable'), 'node internals'],
    [frame('x', '/action/node_modules/winston/index.js'), 'node modules'],
    [frame('main', '/action/handler.js'), 'handler'],
    [frame('writeUtf8String', ''), 'native'],
    [frame('(garbage collector)', ''), 'gc'],
    [frame('(idle)', ''), 'idle'],
  ] as const)('puts %o in %s', (f, category) => {
    expect(categoryOf(f, /\/\.provenance\/bundle\.js$|\/wrapper\/bundle[^/]*\.js$/)).toBe(category);
  });

  it('sums self time per category and inclusive time once per wrapper function on the stack', () => {
    const s = summariseProfile(profile);
    // samples 5 (100 µs), 4 (200), 3 (300), 2 (400), 6 idle (500), 7 gc (600), 5 (0: the last sample has no following delta)
    expect(s.categories).toMatchObject({ 'node internals': 100, wrapper: 200 + 400, handler: 300, idle: 500, gc: 600 });
    expect(s.busy).toBe(100 + 200 + 300 + 400 + 600);
    expect(s.functions.get(`emitRecord bundle.js:21`)).toEqual({ self: 200, inclusive: 100 + 200 });
    expect(s.functions.get(`main bundle.js:11`)).toEqual({ self: 400, inclusive: 100 + 200 + 300 + 400 });
  });

  it('adds profiles and prints the difference against the baseline per activation', () => {
    const s = summariseProfile(profile);
    const both = mergeSummaries([s, s]);
    expect(both.busy).toBe(2 * s.busy);
    const base = summariseProfile({ ...profile, samples: [3, 3, 3, 3, 3, 3, 3] });
    const lines = formatProfiles(new Map([['N purchase', base], ['A purchase', both]]), { purchase: 2 });
    expect(lines[0]).toBe(`A purchase: ${both.busy / 2} µs busy per activation over 2 activations (profiler's samples)`);
    expect(lines.some((l) => /^\s+\+\s*200\.0\s+emitRecord bundle\.js:21$/.test(l))).toBe(true);
  });
});
