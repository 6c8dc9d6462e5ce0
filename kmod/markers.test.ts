// The probe's and the module's stdio marker tests (include/sp_fill.h, compiled for user space by
// tools/sp_marker_check.c) against the rule in protocol/stdio-markers.ts, on many writes: every
// write that keeps the rule and carries a marker line is kept with its bytes, and the kernel's
// test is exactly "a buffer's first bytes begin a marker, after at most one newline".
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { carriesMarker, keepsMarkerRule, MARKER_COMPARED_BYTES, MARKER_STARTS } from '../protocol/stdio-markers';
import { LIMITS } from './schema';

const kmod = __dirname;
const exe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp-markers-')), 'check');
execFileSync('cc', ['-Wall', '-Werror', '-Wno-unknown-pragmas', '-I', path.join(kmod, 'include'), path.join(kmod, 'tools/sp_marker_check.c'), '-o', exe]);

type Write = { vectored: boolean; bufs: string[] };

/** [marked, line open] for each write, as the kernel's code decides. */
function kernel(writes: Write[]): [boolean, boolean][] {
  const input = writes.map((w) => `${w.vectored ? 'v' : ''}${w.bufs.map((b) => Buffer.from(b).toString('hex')).join(',')}\n`).join('');
  const out = execFileSync(exe, { input, encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split('\n').map((l) => l.split(' ').map((x) => x === '1') as [boolean, boolean]);
}

/** The kernel's test of one buffer's start, read from the rule: a marker's first bytes (or a prefix of them), after at most one newline. */
function headMayStartMarker(buf: Buffer): boolean {
  const at = (skip: number) =>
    buf.length > skip &&
    MARKER_STARTS.some((m) => {
      const k = Math.min(buf.length - skip, MARKER_COMPARED_BYTES, m.length);
      return buf.subarray(skip, skip + k).equals(Buffer.from(m).subarray(0, k));
    });
  return at(0) || (buf[0] === 0x0a && at(1));
}

function expected(w: Write): [boolean, boolean] {
  const bufs = w.bufs.map((b) => Buffer.from(b));
  const total = Buffer.concat(bufs);
  if (total.length === 0) return [false, false];
  const looked = w.vectored ? bufs.slice(0, LIMITS.maxIov) : bufs.slice(0, 1);
  const marked = looked.some((b) => b.length > 0 && headMayStartMarker(b));
  const seen = Buffer.concat(looked);
  // a last byte beyond the buffers looked at counts as a line left open
  const open = seen.length < total.length || seen[seen.length - 1] !== 0x0a;
  return [marked, open];
}

/** Text made of pieces that are, or almost are, marker starts. */
const piece = fc.constantFrom('@prov/1 ', '@prov/', '@pr', '@', 'prov/', 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX', 'XXX_', 'XXX_THX', 'X', '\n', '\n\n', 'user', ' ', '{"t":"end"}', 'é');
const text = fc.array(piece, { maxLength: 6 }).map((p) => p.join(''));
const write: fc.Arbitrary<Write> = fc.oneof(
  text.map((t) => ({ vectored: false, bufs: [t] })),
  fc.array(text, { minLength: 1, maxLength: 10 }).map((bufs) => ({ vectored: true, bufs })),
);

describe('stdio markers: the kernel keeps what the rule promises', () => {
  it.each<[string, Write, [boolean, boolean]]>([
    ['a record', { vectored: false, bufs: ['@prov/1 {}\n'] }, [true, false]],
    ['the sentinel', { vectored: false, bufs: ['XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n'] }, [true, false]],
    ['a record after the newline that ends an open line', { vectored: false, bufs: ['\n@prov/1 {}\n'] }, [true, false]],
    ['a record after two newlines: breaks the rule, not kept', { vectored: false, bufs: ['\n\n@prov/1 {}\n'] }, [false, false]],
    ['a prefix of a marker, cut', { vectored: false, bufs: ['XXX'] }, [true, true]],
    ['plain text, a line left open', { vectored: false, bufs: ['user'] }, [false, true]],
    ['a lone newline', { vectored: false, bufs: ['\n'] }, [false, false]],
    ['an empty write', { vectored: false, bufs: [''] }, [false, false]],
    ['writev, the marker in its third buffer', { vectored: true, bufs: ['a\n', '', '@prov/1 {}\n'] }, [true, false]],
    ['writev, the marker in its ninth buffer: not looked at', { vectored: true, bufs: [...Array(8).fill('a\n'), '@prov/1 {}\n'] }, [false, true]],
  ])('%s', (_name, w, want) => {
    expect(kernel([w])).toEqual([want]);
  });

  it('decides as the rule says on many writes, and keeps every write that carries a marker line by the rule', () => {
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 40 }), (writes) => {
        const got = kernel(writes);
        expect(got).toEqual(writes.map(expected));
        writes.forEach((w, i) => {
          const carried = w.bufs.slice(0, w.vectored ? LIMITS.maxIov : 1).filter((b) => keepsMarkerRule(b) && carriesMarker(b));
          if (carried.length) expect(got[i][0]).toBe(true);
        });
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
