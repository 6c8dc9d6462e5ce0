import { describe, expect, it } from 'vitest';
import { JsonFileAssembler } from './json-file';

const entry = (stream: string, log: string, time = '2026-12-03T06:24:08.067995687Z') => JSON.stringify({ log, stream, time });

describe('JsonFileAssembler', () => {
  /** feed file lines as a reader would, each ending at the running byte offset */
  function feed(a: JsonFileAssembler, lines: string[]) {
    let offset = 0;
    return lines.map((l) => {
      offset += Buffer.byteLength(l) + 1;
      return a.push(l, offset);
    });
  }

  it('numbers lines per stream and joins pieces of a long line', () => {
    const a = new JsonFileAssembler();
    const out = feed(a, [entry('stdout', 'one\n'), entry('stderr', 'err\n'), entry('stdout', 'lo'), entry('stdout', 'ng\n')]).filter(Boolean);
    expect(out.map((l) => [l!.stream, l!.seq, l!.line])).toEqual([
      ['stdout', 0, 'one'],
      ['stderr', 0, 'err'],
      ['stdout', 1, 'long'],
    ]);
  });

  it('never offers a resume point inside an unfinished line of either stream', () => {
    const a = new JsonFileAssembler();
    const lines = [entry('stdout', 'a\n'), entry('stderr', 'pie'), entry('stdout', 'b\n'), entry('stderr', 'ce\n')];
    const out = feed(a, lines);
    const afterA = Buffer.byteLength(lines[0]) + 1;
    expect(out[0]!.resume).toEqual({ offset: afterA, seq: { stdout: 1, stderr: 0 } });
    // stderr holds a piece: resuming after "b" would lose it, so the point stays after "a"
    expect(out[2]!.resume).toEqual({ offset: afterA, seq: { stdout: 1, stderr: 0 } });
    const end = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(out[3]!.resume).toEqual({ offset: end, seq: { stdout: 2, stderr: 1 } });
  });

  it('resumes with the line numbers it was given, and keeps numbering across a truncated file', () => {
    const a = new JsonFileAssembler({ offset: 100, seq: { stdout: 7, stderr: 2 } });
    expect(a.push(entry('stdout', 'x\n'), 120)!.seq).toBe(7);
    a.restartFile();
    expect(a.resumePoint()).toEqual({ offset: 0, seq: { stdout: 8, stderr: 2 } });
    expect(a.push(entry('stderr', 'y\n'), 20)!.seq).toBe(2);
  });

  it('counts malformed file lines and gives a last unterminated piece as a line at the end', () => {
    const a = new JsonFileAssembler();
    feed(a, ['not json', entry('stdout', 'tail')]);
    expect(a.counters.malformed).toBe(1);
    expect(a.flush(999).map((l) => [l.line, l.seq, l.resume.offset])).toEqual([['tail', 0, 999]]);
  });
});
