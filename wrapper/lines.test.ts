import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { logIdPrefix, rewriteChunk, rewriteString, rewriteText } from './lines';

const P = logIdPrefix('req', 'act');

describe('logIdPrefix', () => {
  it('follows LOG_ID_OPEN reqId activationId LOG_ID_CLOSE', () => {
    expect(P).toBe('[prov req act] ');
  });
});

const cases: Array<[string, string, boolean, string | null, string, boolean]> = [
  // name, input, atLineStart, prefix, expected output, expected atLineStart after
  ['one line', 'hi\n', true, P, `${P}hi\n`, true],
  ['two lines', 'a\nb\n', true, P, `${P}a\n${P}b\n`, true],
  ['a partial line', 'a', true, P, `${P}a`, false],
  ['the rest of a line', 'b\n', false, P, 'b\n', true],
  ['rest then a new line', 'b\nc', false, P, `b\n${P}c`, false],
  ['an empty line', '\n', true, P, `${P}\n`, true],
  ['a record-shaped line inside an activation', '@prov/1 {"t":"end"}\n', true, P, `${P}@prov/1 {"t":"end"}\n`, true],
  ['a record-shaped line outside', '@prov/1 {"t":"end"}\n', true, null, '\\@prov/1 {"t":"end"}\n', true],
  ['an unknown-version record outside', '@prov/9 x\n', true, null, '\\@prov/9 x\n', true],
  ['a record-shaped second line outside', 'ok\n@prov/1 x\n', true, null, 'ok\n\\@prov/1 x\n', true],
  ['a record-shaped text mid-line outside', 'say @prov/1 x\n', true, null, 'say @prov/1 x\n', true],
  ['a chunk that could become a record outside', '@pro', true, null, '\\@pro', false],
  ['a complete short "@" line outside', '@\n', true, null, '@\n', true],
  ['plain text outside', 'hello\n', true, null, 'hello\n', true],
  ['an empty chunk', '', false, P, '', false],
  ['utf-8 text', 'é😀\nü', true, P, `${P}é😀\n${P}ü`, false],
];
describe('rewriteChunk', () => {
  it.each(cases)('%s', (_name, input, atLineStart, prefix, expected, after) => {
    const r = rewriteChunk(Buffer.from(input, 'utf8'), atLineStart, prefix === null ? null : Buffer.from(prefix));
    expect(r.out.toString('utf8')).toBe(expected);
    expect(r.atLineStart).toBe(after);
  });
});

describe('rewriteString (rewriteChunk on text, no Buffer)', () => {
  it.each(cases)('%s', (_name, input, atLineStart, prefix, expected, after) => {
    const r = rewriteString(input, atLineStart, prefix);
    expect(r.out).toBe(expected);
    expect(r.atLineStart).toBe(after);
  });
  it('writes the same bytes as rewriteChunk for any text', () => {
    const text = fc.array(fc.oneof(fc.constantFrom('\n', '@', '@prov/', '@prov/1 ', 'x', 'é'), fc.string()), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.boolean(), fc.option(fc.constant(P)), (input, atLineStart, prefix) => {
        const bytes = rewriteChunk(Buffer.from(input, 'utf8'), atLineStart, prefix === null ? null : Buffer.from(prefix));
        const r = rewriteString(input, atLineStart, prefix);
        expect(Buffer.from(r.out, 'utf8').equals(bytes.out)).toBe(true);
        expect(r.atLineStart).toBe(bytes.atLineStart);
      }),
    );
  });
});

describe('rewriteText', () => {
  it.each([
    ['a\nb', P, `${P}a\n${P}b`],
    ['', P, P],
    ['@prov/1 x', null, '\\@prov/1 x'],
    ['fine', null, 'fine'],
  ] as Array<[string, string | null, string]>)('%j', (text, prefix, expected) => {
    expect(rewriteText(text, prefix)).toBe(expected);
  });
});
