import { describe, expect, it } from 'vitest';
import { decodeBatch } from './decode';
import { reassembleChunks } from './reassemble';
import { StdioLineSplitter } from './stdio-lines';
import { EVENT_TABLE, EventType, HEADER_SIZE, PARAM_TRUNCATED, ParamType, RF_MORE } from './schema';

// A test-only encoder of the C record (include/sp_event.h), to build hostile inputs inline.
interface Rec {
  type: number;
  params?: Array<Buffer | { raw: Buffer; truncated: boolean }>;
  pid?: number;
  fd?: number;
  ret?: bigint;
  rflags?: number;
  version?: number;
  lenOverride?: number;
  nparamsOverride?: number;
}
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
function rec(r: Rec): Buffer {
  const params = (r.params ?? []).map((p) => (Buffer.isBuffer(p) ? { raw: p, truncated: false } : p));
  const lens = Buffer.alloc(params.length * 2);
  params.forEach((p, i) => lens.writeUInt16LE(p.raw.length | (p.truncated ? PARAM_TRUNCATED : 0), i * 2));
  const body = Buffer.concat([lens, ...params.map((p) => p.raw)]);
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32LE(r.lenOverride ?? HEADER_SIZE + body.length, 0);
  h.writeUInt16LE(r.type, 4);
  h.writeUInt8(r.version ?? 1, 6);
  h.writeUInt8(r.nparamsOverride ?? params.length, 7);
  h.writeBigUInt64LE(1000n, 8);
  h.writeBigUInt64LE(5n, 16);
  h.writeBigUInt64LE(77n, 24);
  h.writeBigInt64LE(r.ret ?? 0n, 32);
  h.writeUInt32LE(r.pid ?? 10, 48);
  h.writeUInt32LE(r.pid ?? 10, 52);
  h.writeInt32LE(1, 56);
  h.writeInt32LE(r.fd ?? -1, 60);
  h.writeUInt32LE(r.rflags ?? 0, 64);
  h.write('node', 72, 'latin1');
  return Buffer.concat([h, body]);
}
const inet = (a: number[], port: number) => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(a).copy(b, 4);
  return b;
};

describe('decodeBatch', () => {
  it('decodes every field of a well-formed open record', () => {
    const { events, errors } = decodeBatch(
      rec({ type: EventType.OPEN, ret: 3n, params: [u64(-100n), Buffer.from('/tmp/x'), u32(0o644)] }),
    );
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      name: 'open', pid: 10, tgid: 10, cgroupId: 77n, ret: 3n, tsNs: 1000n, durationNs: 5n, comm: 'node',
      params: { dirfd: -100, path: '/tmp/x', mode: 0o644 },
    });
  });

  it('decodes socket addresses', () => {
    const { events } = decodeBatch(rec({ type: EventType.CONNECT, fd: 5, params: [inet([127, 0, 0, 1], 8080)] }));
    expect(events[0].params.addr).toEqual({ family: 'inet', address: '127.0.0.1', port: 8080 });
  });

  it.each([
    ['with the child\'s namespace pid', [u32(4242), u32(4242), u32(7)], { child_pid: 4242, child_tgid: 4242, child_ns_pid: 7 }],
    ['from a capture older than it (two parameters)', [u32(4242), u32(4242)], { child_pid: 4242, child_tgid: 4242 }],
  ])('decodes a fork record %s', (_what, params, expected) => {
    const { events, errors } = decodeBatch(rec({ type: EventType.PROC_FORK, params }));
    expect(errors).toEqual([]);
    expect(events[0].name).toBe('proc_fork');
    expect(events[0].params).toEqual(expected);
  });

  it("decodes each record's own comm when consecutive records change thread names", () => {
    const named = (comm: string) => {
      const r = rec({ type: EventType.CLOSE, fd: 3 });
      r.fill(0, 72, 88);
      r.write(comm, 72, 'latin1');
      return r;
    };
    const comms = ['node', 'dd', 'node', 'nod', 'sixteen-chars-xx', 'sixteen-chars-xy', ''];
    expect(decodeBatch(Buffer.concat(comms.map(named))).events.map((e) => e.comm)).toEqual(comms);
  });

  it('keeps 64-bit values that do not fit in 32 bits, and negative ones', () => {
    const r = rec({ type: EventType.READ, fd: 3, ret: -11n, params: [u64(0x1_0000_0000n), u64(-1n), Buffer.alloc(0)] });
    r.writeBigUInt64LE(0xffff_ffff_ffff_fff0n, 24);
    const [e] = decodeBatch(r).events;
    expect(e).toMatchObject({ ret: -11n, cgroupId: 0xffff_ffff_ffff_fff0n, durationNs: 5n, flags: 0n });
    expect(e.params).toMatchObject({ count: 0x1_0000_0000n, offset: -1n });
  });

  it('walks several records back to back', () => {
    const b = Buffer.concat([rec({ type: EventType.CLOSE, fd: 3 }), rec({ type: EventType.CLONE, ret: 42n })]);
    expect(decodeBatch(b).events.map((e) => e.name)).toEqual(['close', 'clone']);
  });

  // hostile inputs: never throws, reports what is wrong, keeps what is sound
  const good = rec({ type: EventType.CLOSE, fd: 3 });
  const cases: Array<{ name: string; batch: Buffer; events: number; error: RegExp | null }> = [
    { name: 'empty batch', batch: Buffer.alloc(0), events: 0, error: null },
    { name: 'three stray bytes', batch: Buffer.from([1, 2, 3]), events: 0, error: /stray bytes/ },
    { name: 'length shorter than the header', batch: rec({ type: 5, lenOverride: 10 }), events: 0, error: /shorter than/ },
    { name: 'length zero (would loop forever)', batch: rec({ type: 5, lenOverride: 0 }), events: 0, error: /shorter than/ },
    { name: 'length past the batch end', batch: rec({ type: 5, lenOverride: 5000 }), events: 0, error: /runs past the batch/ },
    { name: 'truncated batch after a good record', batch: Buffer.concat([good, good.subarray(0, 50)]), events: 1, error: /runs past the batch/ },
    { name: 'too many parameter lengths', batch: rec({ type: 5, nparamsOverride: 255 }), events: 0, error: /do not fit/ },
    {
      name: 'a parameter longer than its record',
      batch: (() => { const b = rec({ type: EventType.OPEN, params: [u64(1n), Buffer.from('ab'), u32(1)] }); b.writeUInt16LE(0x7fff, HEADER_SIZE + 2); return b; })(),
      events: 0, error: /runs past its record/,
    },
    { name: 'a u32 of the wrong size', batch: rec({ type: EventType.SOCKET, params: [u64(1n), u32(1), u32(1)] }), events: 0, error: /u32 of 8 bytes/ },
    { name: 'a newer record version', batch: Buffer.concat([rec({ type: 5, version: 9 }), good]), events: 1, error: /version 9/ },
    { name: 'version zero', batch: rec({ type: 5, version: 0 }), events: 0, error: /version 0/ },
  ];
  it.each(cases)('hostile: $name', ({ batch, events, error }) => {
    const r = decodeBatch(batch);
    expect(r.events).toHaveLength(events);
    if (error) expect(r.errors.map((e) => e.reason).join('\n')).toMatch(error);
    else expect(r.errors).toEqual([]);
  });

  it('keeps decoding after a record with bad contents but a sound length', () => {
    const bad = rec({ type: EventType.SOCKET, params: [u64(1n), u32(1), u32(1)] });
    const r = decodeBatch(Buffer.concat([bad, good]));
    expect(r.events.map((e) => e.name)).toEqual(['close']);
    expect(r.errors).toHaveLength(1);
  });

  it('tolerates missing trailing parameters (an older producer)', () => {
    const r = decodeBatch(rec({ type: EventType.OPEN, params: [u64(-100n), Buffer.from('/a')] }));
    expect(r.errors).toEqual([]);
    expect(r.events[0].params).toEqual({ dirfd: -100, path: '/a' });
  });

  it('keeps extra trailing parameters raw (a newer producer)', () => {
    const r = decodeBatch(rec({ type: EventType.CLOSE, params: [Buffer.from('new')] }));
    expect(r.errors).toEqual([]);
    expect(r.events[0].extra.map(String)).toEqual(['new']);
  });

  it('names an unknown event type and keeps its parameters raw', () => {
    const r = decodeBatch(rec({ type: 999, params: [Buffer.from('x')] }));
    expect(r.events[0].name).toBe('unknown_999');
    expect(r.events[0].extra).toHaveLength(1);
  });

  it('flags truncated parameters', () => {
    const r = decodeBatch(rec({ type: EventType.WRITE, fd: 5, ret: 100n, params: [u64(100n), u64(-1n), { raw: Buffer.alloc(64), truncated: true }] }));
    expect(r.events[0].truncated).toEqual(['data']);
  });

  it('survives random garbage without throwing', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const b = Buffer.alloc(Math.floor(rnd() * 400));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rnd() * 256);
      // sometimes a plausible length, to get past the first check
      if (b.length >= 4 && rnd() < 0.5) b.writeUInt32LE(Math.min(b.length, HEADER_SIZE + Math.floor(rnd() * 64)), 0);
      if (b.length >= 7 && rnd() < 0.5) b[6] = 1;
      expect(() => decodeBatch(b)).not.toThrow();
    }
  });

  it('every table entry has parameters of known types', () => {
    for (const e of EVENT_TABLE) for (const p of e.params) expect(p.type).toBeGreaterThan(ParamType.NONE);
  });
});

describe('reassembleChunks + StdioLineSplitter', () => {
  const write = (pid: number, data: string, more: boolean, ret: number) =>
    rec({ type: EventType.WRITE, pid, fd: 1, ret: BigInt(ret), rflags: more ? RF_MORE : 0,
      params: [u64(BigInt(ret)), u64(-1n), { raw: Buffer.from(data), truncated: more }] });
  const chunk = (pid: number, off: number, data: string, more: boolean) =>
    rec({ type: EventType.DATA_CHUNK, pid, fd: 1, rflags: more ? RF_MORE : 0, params: [u64(BigInt(off)), Buffer.from(data)] });

  it('joins chunks interleaved with another thread, and splits lines', () => {
    const batch = Buffer.concat([
      write(1, 'aaaa', true, 10),
      write(2, 'other\n', false, 6),
      chunk(1, 4, 'bbbb', true),
      chunk(1, 8, 'c\n', false),
    ]);
    const events = reassembleChunks(decodeBatch(batch).events);
    expect(events.map((e) => e.name)).toEqual(['write', 'write']);
    expect(String(events[0].params.data)).toBe('aaaabbbbc\n');
    expect(events[0].truncated).toEqual([]);
    const s = new StdioLineSplitter();
    expect(events.flatMap((e) => s.push(e)).map((l) => l.line)).toEqual(['aaaabbbbc', 'other']);
  });

  it('marks a head whose chunks went missing as truncated', () => {
    const batch = Buffer.concat([write(1, 'aaaa', true, 12), chunk(1, 8, 'cccc', false)]);
    const [e] = reassembleChunks(decodeBatch(batch).events);
    expect(e.truncated).toContain('data');
  });

  it('keeps an orphan chunk rather than losing it', () => {
    const events = reassembleChunks(decodeBatch(chunk(1, 4096, 'x', false)).events);
    expect(events.map((e) => e.name)).toEqual(['data_chunk']);
  });

  it('joins a line written in two writes', () => {
    const s = new StdioLineSplitter();
    const ev = decodeBatch(Buffer.concat([write(1, '{"a":', false, 5), write(1, '1}\nnext', false, 7)])).events;
    expect(ev.flatMap((e) => s.push(e)).map((l) => l.line)).toEqual(['{"a":1}']);
    expect(s.flush().map((l) => l.line)).toEqual(['next']);
  });
});
