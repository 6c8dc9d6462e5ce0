// The TypeScript mirror (schema.ts) must be identical to the C definition (sp_event.h +
// sp_event_table.c): compile tools/sp_dump_schema.c against it and compare everything.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as schema from './schema';
import { MARKER_COMPARED_BYTES, MARKER_STARTS } from '../protocol/stdio-markers';

const kmod = __dirname;

function dumpC(): any {
  const exe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp-schema-')), 'dump');
  execFileSync('cc', ['-Wall', '-Werror', '-I', path.join(kmod, 'include'), path.join(kmod, 'tools/sp_dump_schema.c'),
    path.join(kmod, 'src/sp_event_table.c'), '-o', exe]);
  return JSON.parse(execFileSync(exe, { encoding: 'utf8' }));
}

describe('schema.ts mirrors the C event definition', () => {
  const c = dumpC();
  it('constants', () => {
    expect(c.version).toBe(schema.EVENT_VERSION);
    expect(c.headerSize).toBe(schema.HEADER_SIZE);
    expect(c.sizeof).toBe(schema.HEADER_SIZE);
    expect(c.maxParams).toBe(schema.MAX_PARAMS);
    expect([c.rfMore, c.rfTruncated, c.paramLenMask, c.paramTruncated]).toEqual([
      schema.RF_MORE, schema.RF_TRUNCATED, schema.PARAM_LEN_MASK, schema.PARAM_TRUNCATED]);
    expect(c.limits).toEqual(schema.LIMITS);
  });
  it('the stdio markers the probe and the module keep (sp_markers.h) are the protocol\'s', () => {
    const m = c.markers;
    expect([m.record, m.sentinel]).toEqual([...MARKER_STARTS]);
    expect([m.recordLen, m.sentinelLen]).toEqual(MARKER_STARTS.map((s) => Buffer.byteLength(s)));
    expect(m.compared).toBe(MARKER_COMPARED_BYTES);
    // the kernel compares all of the record prefix, and reads the optional newline too
    expect(m.compared).toBeGreaterThanOrEqual(m.recordLen);
    expect(m.head).toBe(m.compared + 1);
  });
  it('header fields, offsets and sizes', () => {
    const size = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8, s64: 8, char16: 16 } as const;
    expect(c.fields).toEqual(schema.HEADER_FIELDS.map((f) => ({ name: f.name, offset: f.offset, size: size[f.kind] })));
  });
  it('every event type and parameter', () => {
    expect(c.events.length).toBe(schema.EVENT_TYPE_COUNT);
    expect(c.events).toEqual(schema.EVENT_TABLE.map((e, id) => ({ id, name: e.name, params: e.params.map((p) => ({ ...p })) })));
    for (const e of c.events) expect(schema.EventType[e.id]).toBe(e.name.toUpperCase());
  });
});
