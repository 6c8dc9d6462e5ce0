import { describe, expect, it } from 'vitest';
import { nsPidFromStatus, readNsPid } from './ns-pid';

describe('nsPidFromStatus', () => {
  it.each([
    ['Name:\tnode\nNSpid:\t4242\t7\nPPid:\t1\n', 7],
    ['NSpid:\t4242\n', 4242],
    ['Name:\told kernel without NSpid\n', undefined],
  ])('%j', (status, want) => expect(nsPidFromStatus(status)).toBe(want));

  it('reads a living process, and says nothing of one that is gone', () => {
    expect(readNsPid(process.pid)).toBe(process.pid); // the test runs in the host's namespace
    expect(readNsPid(2 ** 22 + 1)).toBeUndefined(); // above pid_max's ceiling: never a process
  });
});
