import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
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

  it.each([
    ['keys JSON.parse reorders', (v: string) => ({ b: v, 10: [v, 'x'.repeat(40)], 2: { z: v, y: 'x'.repeat(40) } }), 1],
    ['empty arrays and objects', (v: string) => ({ a: [], b: {}, c: [[], {}], d: v, e: 'x'.repeat(80) }), 1],
    ['null, booleans, numbers', (v: string) => ({ a: null, b: [true, false, 0, -1.5, 1e21], c: v, e: 'x'.repeat(80) }), 1],
    ['an array one longer', (v: string) => ({ a: v === 'one' ? [1] : [1, 2], e: 'x'.repeat(80) }), 0],
    ['an object with other keys', (v: string) => (v === 'one' ? { a: 1, e: 'x'.repeat(80) } : { b: 1, e: 'x'.repeat(80) }), 0],
    ['a primitive where an array was', (v: string) => ({ a: v === 'one' ? [] : 'x', e: 'x'.repeat(80) }), 0],
  ])('a body of %s is stored as values when the structure is the same', (_name, make, format) => {
    const behaviour = behaviourOf(make('one'));
    const text = JSON.stringify(make('two'));
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

  // A body stored as values is not decompressed to check it (instance-values.ts readsBack): it must
  // read back exactly whatever the values, for any two JSON texts of one structure.
  it('reads back exactly whatever the values, a "__proto__" key included', () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', '2', '10', 'constructor', 'toString'));
    const structure = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant('_'), fc.array(tie('value'), { maxLength: 4 }), fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 4, selector: ([k]) => k })),
    })).value;
    const primitive = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constant('a0000000000000000000000000000001'));
    /** a structure's primitives drawn from `values`, in order (cycled) */
    const fill = (shape: unknown, values: unknown[], at = { i: 0 }): unknown => {
      if (shape === '_') return values.length ? values[at.i++ % values.length] : 0;
      if (Array.isArray(shape) && shape.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of shape as Array<[string, unknown]>) Object.defineProperty(out, k, { value: fill(v, values, at), enumerable: true, writable: true, configurable: true });
        return out;
      }
      return (shape as unknown[]).map((v) => fill(v, values, at));
    };
    fc.assert(
      fc.property(structure, fc.array(primitive, { maxLength: 12 }), fc.array(primitive, { maxLength: 12 }), (shape, a, b) => {
        const behaviour = Buffer.from(JSON.stringify(fill(shape, a)), 'utf8');
        const text = JSON.stringify(fill(shape, b));
        expect(decompressBody(compressBody(text, behaviour), behaviour)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
