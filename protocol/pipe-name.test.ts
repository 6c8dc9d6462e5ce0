import { describe, expect, it } from 'vitest';
import { parsePipeName, pipeName } from './pipe-name';

describe('pipe names in kernel events', () => {
  it('reads back who created a pipe and when, as the agent named it', () => {
    const p = { creatorPid: 1, seq: 9, createdMs: 1796310292599.52 };
    expect(pipeName(p)).toBe('pipe:1.9@1796310292599.52');
    expect(parsePipeName(pipeName(p))).toEqual(p);
    expect(parsePipeName(pipeName({ creatorPid: 4242, seq: 1, createdMs: 1796310292599 }))).toEqual({ creatorPid: 4242, seq: 1, createdMs: 1796310292599 });
  });

  it.each(['/tmp/pipe:1.9@1', 'pipe:', 'pipe:1@2', 'pipe:a.b@c', 'pipe:1.9@12x', 'pipe:-1.9@1'])('%s is no pipe name', (path) => {
    expect(parsePipeName(path)).toBeUndefined();
  });
});
