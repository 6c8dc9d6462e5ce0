// Decoder of kernel capture batches: records back to back as defined in include/sp_event.h.
// Pure and defensive: every length is checked against the record and the batch, a damaged
// record becomes a DecodeError (never an exception), and events of a newer schema with more
// parameters, or an older one with fewer, decode with what is there.

import {
  EVENT_TABLE,
  EVENT_VERSION,
  EventType,
  HEADER_SIZE,
  PARAM_LEN_MASK,
  PARAM_TRUNCATED,
  ParamType,
} from './schema';
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
  /** names of parameters whose value was cut by the capture limits */
  truncated: string[];
  /** parameters beyond what this decoder's table knows (a newer schema), raw */
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

function readComm(buf: Buffer, off: number): string {
  const raw = buf.subarray(off, off + 16);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul >= 0 ? nul : 16).toString('latin1');
}

function decodeParam(type: ParamType | undefined, raw: Buffer): ParamValue | DecodeError['reason'] {
  switch (type) {
    case ParamType.U32:
      return raw.length === 4 ? raw.readUInt32LE(0) : `u32 of ${raw.length} bytes`;
    case ParamType.FD:
      return raw.length === 8 ? Number(raw.readBigInt64LE(0)) : `fd of ${raw.length} bytes`;
    case ParamType.U64:
      return raw.length === 8 ? raw.readBigUInt64LE(0) : `u64 of ${raw.length} bytes`;
    case ParamType.S64:
      return raw.length === 8 ? raw.readBigInt64LE(0) : `s64 of ${raw.length} bytes`;
    case ParamType.PATH:
      return raw.toString('utf8');
    case ParamType.SOCKADDR:
      return decodeSockaddr(raw);
    default:
      // BYTES: a view into the batch, no copy
      return raw;
  }
}

/**
 * Decode one record at `offset`. Returns the event, or an error; `len` is the record's length
 * when it can still be trusted to reach the next record, null when it cannot.
 */
export function decodeRecord(
  buf: Buffer,
  offset: number,
): { event: KernelEvent; len: number } | { error: DecodeError; len: number | null } {
  const avail = buf.length - offset;
  if (avail < 4) return { error: { offset, reason: `${avail} stray bytes at the end of the batch` }, len: null };
  const len = buf.readUInt32LE(offset);
  if (len < HEADER_SIZE) {
    return { error: { offset, reason: `record length ${len} is shorter than the ${HEADER_SIZE}-byte header` }, len: null };
  }
  if (len > avail) {
    return { error: { offset, reason: `record length ${len} runs past the batch end (${avail} bytes left)` }, len: null };
  }
  const type = buf.readUInt16LE(offset + 4);
  const version = buf.readUInt8(offset + 6);
  const nparams = buf.readUInt8(offset + 7);
  if (version === 0 || version > EVENT_VERSION) {
    // a newer header could move fields: only the length is known to be where it is
    return { error: { offset, reason: `record version ${version}, this decoder reads version ${EVENT_VERSION}` }, len };
  }
  const lensEnd = HEADER_SIZE + nparams * 2;
  if (lensEnd > len) {
    return { error: { offset, reason: `${nparams} parameter lengths do not fit in a ${len}-byte record` }, len };
  }
  const info = EVENT_TABLE[type];
  const event: KernelEvent = {
    offset,
    type,
    name: info ? info.name : `unknown_${type}`,
    version,
    tsNs: buf.readBigUInt64LE(offset + 8),
    durationNs: buf.readBigUInt64LE(offset + 16),
    cgroupId: buf.readBigUInt64LE(offset + 24),
    ret: buf.readBigInt64LE(offset + 32),
    flags: buf.readBigUInt64LE(offset + 40),
    pid: buf.readUInt32LE(offset + 48),
    tgid: buf.readUInt32LE(offset + 52),
    syscallNr: buf.readInt32LE(offset + 56),
    fd: buf.readInt32LE(offset + 60),
    rflags: buf.readUInt32LE(offset + 64),
    ppid: buf.readUInt32LE(offset + 68),
    comm: readComm(buf, offset + 72),
    params: {},
    truncated: [],
    extra: [],
  };
  let data = offset + lensEnd;
  const end = offset + len;
  for (let i = 0; i < nparams; i++) {
    const word = buf.readUInt16LE(offset + HEADER_SIZE + i * 2);
    const plen = word & PARAM_LEN_MASK;
    if (data + plen > end) {
      return {
        error: { offset, reason: `parameter ${i} of ${event.name} (${plen} bytes) runs past its record` },
        len,
      };
    }
    const raw = buf.subarray(data, data + plen);
    data += plen;
    const pinfo = info?.params[i];
    if (!pinfo) {
      event.extra.push(raw);
      continue;
    }
    const value = decodeParam(pinfo.type, raw);
    if (typeof value === 'string' && pinfo.type !== ParamType.PATH) {
      return { error: { offset, reason: `parameter ${i} (${pinfo.name}) of ${event.name}: ${value}` }, len };
    }
    event.params[pinfo.name] = value;
    if (word & PARAM_TRUNCATED) event.truncated.push(pinfo.name);
  }
  return { event, len };
}

/**
 * Decode a whole batch. A record with a bad length stops the walk (the next record cannot be
 * found); a record whose contents are bad is skipped by its length and reported.
 */
export function decodeBatch(batch: Uint8Array): DecodeResult {
  const buf = Buffer.isBuffer(batch) ? batch : Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  const events: KernelEvent[] = [];
  const errors: DecodeError[] = [];
  let off = 0;
  while (off < buf.length) {
    const r = decodeRecord(buf, off);
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
