import { describe, expect, it } from 'vitest';
import { shortAction, sizeText } from './labels';

describe('labels', () => {
  it.each([
    ['/_/purchase', 'purchase'],
    ['/guest/pkg/act', 'pkg/act'],
    ['purchase', 'purchase'],
  ])('shortAction(%s) = %s', (name, short) => {
    expect(shortAction(name)).toBe(short);
  });

  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [2 * 1024 * 1024, '2.0 MiB'],
  ])('sizeText(%d) = %s', (bytes, text) => {
    expect(sizeText(bytes)).toBe(text);
  });
});
