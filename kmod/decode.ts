// Decoder of kernel capture batches: records back to back as defined in include/sp_event.h.
// Pure and defensive: every length is checked against the record and the batch, a damaged
// record becomes a DecodeError (never an exception), and events of a newer schema with more
// parameters, or an older one with fewer, decode with what is there.

import * as schema from './schema';
import { EventType, ParamType } from './schema';
import { decodeSockaddr, type SockAddr } from './sockaddr';

export type ParamValue = number | bigint | string | SockAddr | Buffer;

export interface KernelEvent {
  /** byte offset of the record in its batch */
  offset: number;
  type: number;
  /** the table's name, or `unknown_<type>` for a type this decoder does not know */
  name: string;
  version: number;
  /** CLOCK_BOOTTIME ns at the syscall's exit; add the capture's boot-time offset for wall-clock */
  tsNs: bigint;
  durationNs: bigint;
  cgroupId: bigint;
  ret: bigint;
  flags: bigint;
  pid: number;
  tgid: number;
  ppid: number;
  /** x86_64 syscall number, -1 for process events */
  syscallNr: number;
  /** the fd the syscall is about, -1 when none */
  fd: number;
  /** SP_RF_* (RF_MORE, RF_TRUNCATED) */
  rflags: number;
  comm: string;
  /** parameters by name; a parameter the record does not carry is absent */
  params: Record<string, ParamValue>;
  /** names of parameters whose value was cut by the capture limits (a shared frozen empty array when none: replace, do not push) */
  truncated: string[];
  /** parameters beyond what this decoder's table knows (a newer schema), raw (shared frozen empty array when none) */
  extra: Buffer[];
}

export interface DecodeError {
  offset: number;
  reason: string;
}

export interface DecodeResult {
  events: KernelEvent[];
  errors: DecodeError[];
}

/**
 * The hot loop decodes about a million records a second on one core, so it allocates only what
 * it hands out: the event, its params object, and one BigInt per 64-bit field that is not zero.
 * Fields are read through one DataView per batch (Buffer's readBigUInt64LE builds each BigInt from
 * two halves), the common 64-bit values (zero) come from a constant, and a thread's comm string is
 * reused while consecutive records come from threads with the same name.
 */
const ZERO = 0n;
// copied out of the schema module once: bundlers turn imported bindings into getter calls, and
// the hot loop reads these for every record
const { EVENT_TABLE, EVENT_VERSION, HEADER_SIZE, PARAM_LEN_MASK, PARAM_TRUNCATED } = schema;
/** Shared by every event without truncated or extra parameters; a copy is made before changing one. */
const NONE: string[] = Object.freeze([]) as unknown as string[];
const NO_EXTRA: Buffer[] = Object.freeze([]) as unknown as Buffer[];

function u64(view: DataView, off: number): bigint {
  return view.getUint32(off, true) === 0 && view.getUint32(off + 4, true) === 0 ? ZERO : view.getBigUint64(off, true);
}

function s64(view: DataView, off: number): bigint {
  const lo = view.getInt32(off, true);
  const hi = view.getInt32(off + 4, true);
  // a value that fits in 32 bits (most return values): no 64-bit read
  if ((hi === 0 && lo >= 0) || (hi === -1 && lo < 0)) return lo === 0 ? ZERO : BigInt(lo);
  return view.getBigInt64(off, true);
}

/** A 64-bit signed fd as a number (fds and AT_FDCWD fit in 32 bits: no BigInt then). */
function fdValue(view: DataView, off: number): number {
  const lo = view.getInt32(off, true);
  const hi = view.getInt32(off + 4, true);
  if ((hi === 0 && lo >= 0) || (hi === -1 && lo < 0)) return lo;
  return Number(view.getBigInt64(off, true));
}

/** The last comm decoded and its bytes: consecutive records mostly come from the same thread. */
const lastComm = { bytes: Buffer.alloc(16), text: '' };

function readComm(buf: Buffer, off: number): string {
  const last = lastComm.bytes;
  // compared byte by byte up to the NUL: a comm is short, a native compare call costs more
  let same = true;
  let end = off;
  for (; end < off + 16; end++) {
    const b = buf[end];
    if (b !== last[end - off]) same = false;
    if (b === 0) break;
  }
  if (same) return lastComm.text;
  const text = buf.toString('latin1', off, end);
  last.fill(0);
  buf.copy(last, 0, off, end);
  lastComm.text = text;
  return text;
}

type ParamDecoder = (buf: Buffer, view: DataView, off: number, len: number) => ParamValue | string;
const BAD = (what: string, len: number) => `${what} of ${len} bytes`;

/** One decoder per parameter type; a string return is an error (except PATH, whose value is text). */
const PARAM_DECODERS: Record<number, ParamDecoder> = {
  [ParamType.U32]: (_b, v, off, len) => (len === 4 ? v.getUint32(off, true) : BAD('u32', len)),
  [ParamType.FD]: (_b, v, off, len) => (len === 8 ? fdValue(v, off) : BAD('fd', len)),
  [ParamType.U64]: (_b, v, off, len) => (len === 8 ? u64(v, off) : BAD('u64', len)),
  [ParamType.S64]: (_b, v, off, len) => (len === 8 ? s64(v, off) : BAD('s64', len)),
  [ParamType.PATH]: (b, _v, off, len) => b.toString('utf8', off, off + len),
  [ParamType.SOCKADDR]: (b, _v, off, len) => decodeSockaddr(b.subarray(off, off + len)),
};
// BYTES: a view into the batch, no copy
const BYTES_DECODER: ParamDecoder = (b, _v, off, len) => b.subarray(off, off + len);

/** Per event type: the parameters' names and decoders, built once from the table. */
const PARAM_PLANS: ReadonlyArray<ReadonlyArray<{ name: string; decode: ParamDecoder; isPath: boolean }>> = EVENT_TABLE.map((info) =>
  info.params.map((pi) => ({ name: pi.name, decode: PARAM_DECODERS[pi.type] ?? BYTES_DECODER, isPath: pi.type === ParamType.PATH })),
);

/**
 * Decode one record at `offset`. Returns the event, or an error; `len` is the record's length
 * when it can still be trusted to reach the next record, null when it cannot.
 */
export function decodeRecord(
  buf: Buffer,
  offset: number,
  view: DataView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
): { event: KernelEvent; len: number } | { error: DecodeError; len: number | null } {
  const avail = buf.length - offset;
  if (avail < 4) return { error: { offset, reason: `${avail} stray bytes at the end of the batch` }, len: null };
  const len = view.getUint32(offset, true);
  if (len < HEADER_SIZE) {
    return { error: { offset, reason: `record length ${len} is shorter than the ${HEADER_SIZE}-byte header` }, len: null };
  }
  if (len > avail) {
    return { error: { offset, reason: `record length ${len} runs past the batch end (${avail} bytes left)` }, len: null };
  }
  const type = view.getUint16(offset + 4, true);
  const version = buf[offset + 6];
  const nparams = buf[offset + 7];
  if (version === 0 || version > EVENT_VERSION) {
    // a newer header could move fields: only the length is known to be where it is
    return { error: { offset, reason: `record version ${version}, this decoder reads version ${EVENT_VERSION}` }, len };
  }
  const lensEnd = HEADER_SIZE + nparams * 2;
  if (lensEnd > len) {
    return { error: { offset, reason: `${nparams} parameter lengths do not fit in a ${len}-byte record` }, len };
  }
  const info = EVENT_TABLE[type];
  const plan = info ? PARAM_PLANS[type] : undefined;
  const event: KernelEvent = {
    offset,
    type,
    name: info ? info.name : `unknown_${type}`,
    version,
    tsNs: u64(view, offset + 8),
    durationNs: u64(view, offset + 16),
    cgroupId: u64(view, offset + 24),
    ret: s64(view, offset + 32),
    flags: u64(view, offset + 40),
    pid: view.getUint32(offset + 48, true),
    tgid: view.getUint32(offset + 52, true),
    syscallNr: view.getInt32(offset + 56, true),
    fd: view.getInt32(offset + 60, true),
    rflags: view.getUint32(offset + 64, true),
    ppid: view.getUint32(offset + 68, true),
    comm: readComm(buf, offset + 72),
    params: {},
    truncated: NONE,
    extra: NO_EXTRA,
  };
  let data = offset + lensEnd;
  const end = offset + len;
  for (let i = 0; i < nparams; i++) {
    const word = view.getUint16(offset + HEADER_SIZE + i * 2, true);
    const plen = word & PARAM_LEN_MASK;
    if (data + plen > end) {
      return {
        error: { offset, reason: `parameter ${i} of ${event.name} (${plen} bytes) runs past its record` },
        len,
      };
    }
    const at = data;
    data += plen;
    const step = plan?.[i];
    if (!step) {
      if (event.extra === NO_EXTRA) event.extra = [];
      event.extra.push(buf.subarray(at, at + plen));
      continue;
    }
    const value = step.decode(buf, view, at, plen);
    if (typeof value === 'string' && !step.isPath) {
      return { error: { offset, reason: `parameter ${i} (${step.name}) of ${event.name}: ${value}` }, len };
    }
    event.params[step.name] = value;
    if (word & PARAM_TRUNCATED) {
      if (event.truncated === NONE) event.truncated = [];
      event.truncated.push(step.name);
    }
  }
  return { event, len };
}

/**
 * Decode a whole batch. A record with a bad length stops the walk (the next record cannot be
 * found); a record whose contents are bad is skipped by its length and reported.
 */
export function decodeBatch(batch: Uint8Array): DecodeResult {
  const buf = Buffer.isBuffer(batch) ? batch : Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const events: KernelEvent[] = [];
  const errors: DecodeError[] = [];
  let off = 0;
  while (off < buf.length) {
    const r = decodeRecord(buf, off, view);
    if ('event' in r) events.push(r.event);
    else errors.push(r.error);
    if (r.len === null) break;
    off += r.len;
  }
  return { events, errors };
}

export function isSyscallEvent(e: KernelEvent): boolean {
  return e.syscallNr >= 0 && e.type !== EventType.DATA_CHUNK;
}
