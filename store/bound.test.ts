import { describe, expect, it } from 'vitest';
import { boundString, boundStringList } from './bound';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('boundString', () => {
  it.each([
    ['short ascii', 'hello', 100, false],
    ['exactly at the limit', 'x'.repeat(100), 100, false],
    ['one over', 'x'.repeat(101), 100, true],
    ['long multi-byte', 'é€😀'.repeat(200), 100, true],
  ])('%s', (_name, text, max, truncated) => {
    const out = boundString(text, max);
    expect(out.truncated).toBe(truncated);
    expect(bytes(out.value)).toBeLessThanOrEqual(max);
    if (!truncated) expect(out.value).toBe(text);
    else {
      expect(out.value).toMatch(/…\[truncated \d+ bytes\]$/);
      expect(out.value).not.toContain('\uFFFD');
      const kept = out.value.replace(/…\[truncated \d+ bytes\]$/, '');
      expect(text.startsWith(kept)).toBe(true);
      const dropped = Number(/truncated (\d+) bytes/.exec(out.value)![1]);
      expect(bytes(kept) + dropped).toBe(bytes(text));
    }
  });
});

describe('boundStringList', () => {
  it('keeps a short list as it is', () => {
    expect(boundStringList(['node', 'main.js'], 100)).toEqual({ value: ['node', 'main.js'], truncated: false });
  });

  it('stops adding elements at the budget and says how much was dropped', () => {
    const out = boundStringList(['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40)], 100);
    expect(out.truncated).toBe(true);
    expect(out.value.slice(0, 2)).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
    expect(out.value[2]).toBe('…[truncated 40 bytes]');
  });
});
