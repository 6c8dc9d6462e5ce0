import { describe, expect, it } from 'vitest';
import { ActivationBoundaries, type StreamName } from './activation-boundaries';

type Step =
  | ['begin', string]
  | ['end', string, StreamName]
  | ['mention', string, StreamName]
  | ['sentinel', StreamName];

/** Runs the steps; returns what each sentinel closed ("a", "a!" when it had no end record, "-" for nothing). */
function run(steps: Step[], carriedOver: Partial<Record<StreamName, string[]>> = {}): { closed: string[]; b: ActivationBoundaries } {
  const b = new ActivationBoundaries(carriedOver);
  const closed: string[] = [];
  for (const step of steps) {
    if (step[0] === 'begin') b.begin(step[1]);
    else if (step[0] === 'end') b.end(step[1], step[2]);
    else if (step[0] === 'mention') b.mention(step[1], step[2]);
    else {
      const out = b.sentinel(step[1]);
      closed.push(out.closed === undefined ? '-' : `${out.closed}${out.withoutEnd ? '!' : ''}`);
    }
  }
  return { closed, b };
}

describe('activation boundaries in one container\'s output', () => {
  it.each<[string, Step[], string[]]>([
    ['one activation: its end record, then a sentinel on each stream', [['begin', 'a'], ['end', 'a', 'stdout'], ['sentinel', 'stdout'], ['sentinel', 'stderr']], ['a', 'a']],
    ['killed before its end record: the first sentinel ends it, the other closes it', [['begin', 'a'], ['sentinel', 'stderr'], ['sentinel', 'stdout']], ['a!', 'a']],
    ['a sentinel with nothing in progress closes nothing', [['sentinel', 'stdout']], ['-']],
    [
      'two at once (concurrency > 1): each sentinel closes one ended activation, never the one still running',
      [['begin', 'a'], ['begin', 'b'], ['begin', 'c'], ['end', 'a', 'stdout'], ['end', 'b', 'stdout'], ['sentinel', 'stdout'], ['sentinel', 'stdout'], ['sentinel', 'stdout']],
      ['a', 'b', 'c!'],
    ],
    ['two running, none ended: a sentinel cannot tell which one it closes', [['begin', 'a'], ['begin', 'b'], ['sentinel', 'stdout']], ['-']],
    ['a line naming a closed activation does not reopen it', [['begin', 'a'], ['end', 'a', 'stdout'], ['sentinel', 'stdout'], ['mention', 'a', 'stdout'], ['sentinel', 'stdout']], ['a', '-']],
  ])('%s', (_name, steps, closed) => {
    expect(run(steps).closed).toEqual(closed);
  });

  it('a line without ids belongs to the one activation in progress on its stream, until that stream\'s sentinel', () => {
    const { b } = run([['begin', 'a'], ['end', 'a', 'stdout'], ['sentinel', 'stdout']]);
    expect(b.lone('stdout')).toBeUndefined();
    expect(b.lone('stderr')).toBe('a');
    b.begin('b');
    expect(b.lone('stderr')).toBeUndefined();
    expect(b.runningIds()).toEqual(['b']);
  });

  it('an activation carried over from earlier output is in progress on the streams it was seen on', () => {
    const { closed, b } = run([['sentinel', 'stdout'], ['sentinel', 'stderr']], { stdout: ['a'] });
    expect(closed).toEqual(['a!', '-']);
    expect(b.runningIds()).toEqual([]);
  });

  it('a begin seen again is not a new activation', () => {
    const b = new ActivationBoundaries();
    expect(b.begin('a')).toBe(true);
    expect(b.begin('a')).toBe(false);
    expect(b.end('a', 'stdout')).toBe(true);
    expect(b.end('a', 'stdout')).toBe(false);
  });
});
