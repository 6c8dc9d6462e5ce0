// tetragon's alignchecker, for our record: the header the compiled probe really uses (its BTF)
// must have the offsets and sizes of schema.ts (which schema.test.ts ties to the C header).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEADER_FIELDS, HEADER_SIZE } from '../kmod/schema';
import { ensureBuilt, missingCommands, paths } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

describeNeeding(missingCommands({ bpftool: 'bpftool' }))('probe BTF layout', () => {
  it('struct sp_event_hdr in the compiled probe matches schema.ts', () => {
    ensureBuilt('probe');
    const btf = JSON.parse(execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', paths.probeObject], { encoding: 'utf8', maxBuffer: 64 << 20 }));
    const types = new Map<number, any>(btf.types.map((t: any) => [t.id, t]));
    const hdr = btf.types.find((t: any) => t.kind === 'STRUCT' && t.name === 'sp_event_hdr');
    expect(hdr, 'sp_event_hdr is in the probe BTF').toBeTruthy();
    expect(hdr.size).toBe(HEADER_SIZE);
    const sizeOf = (id: number): number => {
      const t = types.get(id);
      if (t.kind === 'TYPEDEF' || t.kind === 'CONST' || t.kind === 'VOLATILE') return sizeOf(t.type_id);
      if (t.kind === 'ARRAY') return t.nr_elems * sizeOf(t.type_id);
      return t.size;
    };
    const size = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, s64: 8, char16: 16 } as const;
    expect(hdr.members.map((m: any) => ({ name: m.name, offset: m.bits_offset / 8, size: sizeOf(m.type_id) }))).toEqual(
      HEADER_FIELDS.map((f) => ({ name: f.name, offset: f.offset, size: size[f.kind] })),
    );
  });
});
