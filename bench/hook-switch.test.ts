// Reading back the batches sp_hook_switch kept for the decoder (bench/hook-switch.ts).
import { describe, expect, it } from 'vitest';
import { readKeptBatches } from './hook-switch';

describe('readKeptBatches', () => {
  const framed = (...batches: Buffer[]) =>
    Buffer.concat(batches.flatMap((b) => {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    }));

  it.each([
    ['no batches', Buffer.alloc(0), []],
    ['one batch', framed(Buffer.from('abc')), ['abc']],
    ['batches in order, an empty one kept', framed(Buffer.from('first'), Buffer.alloc(0), Buffer.from('third')), ['first', '', 'third']],
  ])('%s', (_name, data, want) => {
    expect(readKeptBatches(data).map((b) => b.toString())).toEqual(want);
  });

  it.each([
    ['a length cut short', Buffer.concat([framed(Buffer.from('ok')), Buffer.from([1, 0])]), /2 stray bytes at 6/],
    ['a batch cut short', framed(Buffer.from('whole')).subarray(0, 7), /a batch of 5 bytes at 0 runs past the end \(7\)/],
  ])('says where the file was cut: %s', (_name, data, why) => {
    expect(() => readKeptBatches(data)).toThrow(why);
  });
});
