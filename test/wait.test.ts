import { describe, expect, it } from 'vitest';
import { poll, until } from './wait';

describe('waiting', () => {
  it('until: the first value that is neither undefined nor false', async () => {
    const answers = [undefined, false, 0, 1];
    await expect(until('an answer', () => answers.shift(), 1_000, 1)).resolves.toBe(0);
  });

  it('until: names what never came', async () => {
    await expect(until('the platform', () => undefined, 20, 5)).rejects.toThrow('timed out waiting for the platform');
  });

  it('poll: a throwing probe is not there yet', async () => {
    let calls = 0;
    const probe = async () => {
      if (++calls < 3) throw new Error('404');
      return 'found';
    };
    await expect(poll('the record', probe, 1_000, 1)).resolves.toBe('found');
    expect(calls).toBe(3);
  });

  it('poll: gives up naming what never came', async () => {
    await expect(poll('the record', async () => Promise.reject(new Error('404')), 20, 5)).rejects.toThrow('timed out waiting for the record');
  });
});
