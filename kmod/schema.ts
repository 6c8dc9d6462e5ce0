// The kernel event record, mirrored from include/sp_event.h and src/sp_event_table.c.
// schema.test.ts compiles tools/sp_dump_schema.c against the C definition and checks that
// every constant, header field and event parameter here is identical; test/kmod-layout.test.ts checks
// the header against the compiled probe's BTF. Change the C first, then this mirror.

export const EVENT_VERSION = 1;
export const HEADER_SIZE = 88;
export const MAX_PARAMS = 8;

export const RF_MORE = 0x1;
export const RF_TRUNCATED = 0x2;
export const PARAM_LEN_MASK = 0x7fff;
export const PARAM_TRUNCATED = 0x8000;

export const LIMITS = {
  pathMax: 512,
  sockaddrMax: 128,
  snaplen: 64,
  chunk: 4096,
  stdioMax: 65536,
  maxIov: 8,
  argvMax: 256,
} as const;

export type FieldKind = 'u8' | 'u16' | 'u32' | 's32' | 'u64' | 's64' | 'char16';

export interface HeaderField {
  name: string;
  offset: number;
  kind: FieldKind;
}

/** struct sp_event_hdr, in order. */
export const HEADER_FIELDS: readonly HeaderField[] = [
  { name: 'len', offset: 0, kind: 'u32' },
  { name: 'type', offset: 4, kind: 'u16' },
  { name: 'version', offset: 6, kind: 'u8' },
  { name: 'nparams', offset: 7, kind: 'u8' },
  { name: 'ts_ns', offset: 8, kind: 'u64' },
  { name: 'duration_ns', offset: 16, kind: 'u64' },
  { name: 'cgroup_id', offset: 24, kind: 'u64' },
  { name: 'ret', offset: 32, kind: 's64' },
  { name: 'flags', offset: 40, kind: 'u64' },
  { name: 'pid', offset: 48, kind: 'u32' },
  { name: 'tgid', offset: 52, kind: 'u32' },
  { name: 'syscall_nr', offset: 56, kind: 's32' },
  { name: 'fd', offset: 60, kind: 's32' },
  { name: 'rflags', offset: 64, kind: 'u32' },
  { name: 'ppid', offset: 68, kind: 'u32' },
  { name: 'comm', offset: 72, kind: 'char16' },
];

export enum ParamType {
  NONE = 0,
  U32 = 1,
  U64 = 2,
  S64 = 3,
  FD = 4,
  PATH = 5,
  SOCKADDR = 6,
  BYTES = 7,
}

export enum EventType {
  NONE = 0,
  OPEN = 1,
  READ = 2,
  WRITE = 3,
  SENDFILE = 4,
  CLOSE = 5,
  DUP = 6,
  PIPE = 7,
  RENAME = 8,
  UNLINK = 9,
  LINK = 10,
  MKDIR = 11,
  CHMOD = 12,
  EXECVE = 13,
  CLONE = 14,
  EXIT_GROUP = 15,
  CONNECT = 16,
  ACCEPT = 17,
  BIND = 18,
  LISTEN = 19,
  SENDTO = 20,
  RECVFROM = 21,
  SOCKET = 22,
  KILL = 23,
  PROC_FORK = 24,
  PROC_EXIT = 25,
  DATA_CHUNK = 26,
  IO_REPEAT = 27,
}

export const EVENT_TYPE_COUNT = 28;

export interface ParamInfo {
  name: string;
  type: ParamType;
}

export interface EventInfo {
  name: string;
  params: readonly ParamInfo[];
}

const p = (name: string, type: ParamType): ParamInfo => ({ name, type });
const { U32, U64, S64, FD, PATH, SOCKADDR, BYTES } = ParamType;

/** Indexed by EventType. Parameter N of each event is params[N]. */
export const EVENT_TABLE: readonly EventInfo[] = [
  { name: 'none', params: [] },
  { name: 'open', params: [p('dirfd', FD), p('path', PATH), p('mode', U32)] },
  // count: requested bytes (read/pread) or number of iovecs (readv/preadv); offset: -1 when none
  { name: 'read', params: [p('count', U64), p('offset', S64), p('data', BYTES)] },
  { name: 'write', params: [p('count', U64), p('offset', S64), p('data', BYTES)] },
  { name: 'sendfile', params: [p('out_fd', FD), p('count', U64)] },
  { name: 'close', params: [] },
  { name: 'dup', params: [p('newfd', FD)] },
  { name: 'pipe', params: [p('fd0', FD), p('fd1', FD)] },
  { name: 'rename', params: [p('olddirfd', FD), p('oldpath', PATH), p('newdirfd', FD), p('newpath', PATH)] },
  { name: 'unlink', params: [p('dirfd', FD), p('path', PATH)] },
  { name: 'link', params: [p('olddirfd', FD), p('oldpath', PATH), p('newdirfd', FD), p('newpath', PATH)] },
  { name: 'mkdir', params: [p('dirfd', FD), p('path', PATH), p('mode', U32)] },
  { name: 'chmod', params: [p('dirfd', FD), p('path', PATH), p('mode', U32)] },
  // argv: the first arguments, each followed by a NUL
  { name: 'execve', params: [p('dirfd', FD), p('path', PATH), p('argv', BYTES)] },
  { name: 'clone', params: [] },
  { name: 'exit_group', params: [p('status', S64)] },
  { name: 'connect', params: [p('addr', SOCKADDR)] },
  { name: 'accept', params: [p('addr', SOCKADDR)] },
  { name: 'bind', params: [p('addr', SOCKADDR)] },
  { name: 'listen', params: [p('backlog', S64)] },
  { name: 'sendto', params: [p('count', U64), p('addr', SOCKADDR), p('data', BYTES)] },
  { name: 'recvfrom', params: [p('count', U64), p('addr', SOCKADDR), p('data', BYTES)] },
  { name: 'socket', params: [p('domain', U32), p('type', U32), p('protocol', U32)] },
  { name: 'kill', params: [p('target', S64), p('sig', U32)] },
  { name: 'proc_fork', params: [p('child_pid', U32), p('child_tgid', U32), p('child_ns_pid', U32)] },
  { name: 'proc_exit', params: [p('exit_code', S64)] },
  { name: 'data_chunk', params: [p('offset', U64), p('data', BYTES)] },
  // of: the EventType repeated (READ or WRITE); count and bytes of the repeats; first_ns: the first
  // repeat's time (the header's ts_ns is the last one's)
  { name: 'io_repeat', params: [p('of', U32), p('count', U64), p('bytes', U64), p('first_ns', U64)] },
];
