import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter';

function split(chunks: Array<string | Buffer>, max = 64): string[] {
  const lines: string[] = [];
  const s = new LineSplitter(max, (l) => lines.push(l));
  for (const c of chunks) s.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it.each<[string, Array<string | Buffer>, string[]]>([
    ['one chunk, many lines', ['a\nb\nc\n'], ['a', 'b', 'c']],
    ['line across chunks', ['he', 'llo\nwor', 'ld\n'], ['hello', 'world']],
    ['last line without newline', ['a\nb'], ['a', 'b']],
    ['empty lines are lines', ['\n\nx\n'], ['', '', 'x']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['utf-8 split across chunks', [Buffer.from('é\n').subarray(0, 1), Buffer.from('é\n').subarray(1)], ['é']],
  ])('%s', (_name, chunks, expected) => {
    expect(split(chunks)).toEqual(expected);
  });

  it('cuts an over-long line, says how much, and keeps the next line intact', () => {
    const lines = split(['x'.repeat(10), 'y'.repeat(10), '\nnext\n'], 8);
    expect(lines[0]).toBe('xxxxxxxx …[line cut by the provenance agent: 12 more bytes]');
    expect(lines[1]).toBe('next');
  });

  it('never cuts inside a UTF-8 character', () => {
    const lines = split(['aé\n'], 2); // 'a' + 2-byte 'é': only 'a' fits
    expect(lines[0]).toBe('a …[line cut by the provenance agent: 2 more bytes]');
  });
});
