import { describe, expect, it } from 'vitest';
import { compressBody, decompressBody } from './instance-values';

const behaviourOf = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
const activation = (id: string, request: string, t: number, text: string) => ({
  nodes: [
    { id: `act:${id}`, kind: 'activation', activationId: id, requestId: request, start: t },
    { id: `log:${id}:stdout:3`, kind: 'log', text },
  ],
  edges: [{ from: `log:${id}:stdout:3`, to: `act:${id}`, kind: 'wasGeneratedBy', time: t + 2 }],
});

describe('a body against its learned behaviour', () => {
  const behaviour = behaviourOf(activation('a0000000000000000000000000000001', 'req-1', 10, 'price of p-1 is 11'));

  it.each([
    ['the same structure, other ids and values', activation('a0000000000000000000000000000002', 'req-2', 12, 'price of p-2 is 12'), 1],
    ['the behaviour itself', activation('a0000000000000000000000000000001', 'req-1', 10, 'price of p-1 is 11'), 1],
    ['another structure (one more node)', { ...activation('b', 'r', 1, 'x'), extra: [1, 2, 3] }, 0],
    ['values that look like renames but are not', activation('a0000000000000000000000000000001', 'req-1a0000000000000000000000000000001', 10, 'req-1req-1'), 1],
  ])('%s reads back exactly', (_name, value, format) => {
    const text = JSON.stringify(value);
    const body = compressBody(text, behaviour);
    expect(body[0]).toBe(format);
    expect(decompressBody(body, behaviour)).toBe(text);
  });

  it('stores what the behaviour explains as almost nothing', () => {
    const text = JSON.stringify(activation('a0000000000000000000000000000002', 'req-2', 12, 'price of p-2 is 12'));
    expect(compressBody(text, behaviour).length).toBeLessThan(80);
  });

  it('deflates without a behaviour, or against one cut to the deflate window', () => {
    const text = JSON.stringify(activation('c', 'r', 1, 'hello'));
    expect(decompressBody(compressBody(text), undefined)).toBe(text);
    const cut = behaviour.subarray(5);
    expect(decompressBody(compressBody(text, cut), cut)).toBe(text);
  });

  it('refuses a body of an unknown format in one line', () => {
    expect(() => decompressBody(Buffer.from([9, 1, 2]))).toThrow(/unknown body format 9/);
  });
});
