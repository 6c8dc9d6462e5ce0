import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileBounded } from './bounded-match';
import { normalizeParts, templateRegex } from './holes';
import type { HoleType, TemplatePart } from './types';

const hole = fc.constantFrom<HoleType>('text', 'number', 'float', 'boolean', 'json', 'inspect');
const part: fc.Arbitrary<TemplatePart> = fc.oneof(fc.record({ lit: fc.constantFrom('a', ', ', ':', '1', 'x y', '-') }), fc.record({ hole }));
const lineChars = fc.constantFrom('a', ',', ' ', ':', '1', '2', '.', '-', 'x', 'y', 'n', 'true', 'NaN', 'e+');

describe('bounded template matching', () => {
  it('accepts exactly the lines the template regex accepts, and its values render the line back', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), fc.array(lineChars, { maxLength: 14 }), (raw, chars) => {
        const parts = normalizeParts(raw);
        const line = chars.join('');
        const re = new RegExp(templateRegex(parts));
        const got = compileBounded(parts)(line);
        expect(got !== undefined, `${templateRegex(parts)} on ${JSON.stringify(line)}`).toBe(re.test(line));
        if (got) {
          let k = 0;
          expect(parts.map((p) => ('lit' in p ? p.lit : got[k++])).join('')).toBe(line);
          expect(k).toBe(got.length);
        }
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it.each([
    ['four text holes, a line that almost matches', [{ hole: 'text' }, { lit: ', ' }, { hole: 'text' }, { lit: ', ' }, { hole: 'text' }, { lit: 'x' }, { hole: 'text' }, { lit: '!' }], ', '.repeat(4000) + '!'],
    ['adjacent number holes on a long digit run', [{ hole: 'number' }, { hole: 'number' }, { hole: 'number' }, { lit: 'x' }], '1'.repeat(20000) + 'y'],
    ['text before typed holes', [{ lit: 'a' }, { hole: 'text' }, { hole: 'boolean' }, { hole: 'text' }, { hole: 'number' }, { lit: '!' }], 'a' + 'truefalse1'.repeat(3000)],
  ] as Array<[string, TemplatePart[], string]>)('gives up in bounded time: %s', (_n, parts, line) => {
    const t0 = performance.now();
    compileBounded(parts)(line);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
