// The wrapper's application-level records: the versioned, one-line-each schema that the
// wrapper writes to stdout and the correlator parses.
//
// A record line is RECORD_PREFIX, then one JSON object, then "\n". Keys are short because
// every byte is paid for in every activation (and, with kernel capture, in every write(2)).
//
// Authenticity: the `begin` record of an activation carries a fresh random key `k` (written
// before any user code of that activation runs). Every later record of the same activation
// carries `m`, a truncated HMAC-SHA256 of the line's JSON (without `m`) under that key. A
// handler that prints something shaped like a record cannot know `k`, so the correlator
// rejects the forgery with a counted reason instead of believing it.

export const RECORD_PREFIX = '@prov/';
export const RECORD_VERSION = 1;
/** The exact start of every v1 record line. */
export const RECORD_LINE_START = `${RECORD_PREFIX}${RECORD_VERSION} `;
/** Hex characters of the HMAC kept in `m`. */
export const MAC_HEX_LENGTH = 16;
/** Longest record line the wrapper writes and the correlator accepts (bytes of JSON). */
export const MAX_RECORD_BYTES = 8192;

/** Fields every record has. */
export interface RecordBase {
  /** record type */
  t: RecordType;
  /** activation id (__OW_ACTIVATION_ID at entry) */
  a: string;
  /** request id (__OW_TRANSACTION_ID at entry) */
  r: string;
  /** wall-clock time, ms since the epoch (fractional allowed) */
  ts: number;
  /** sequence number within the activation, starting at 0 with `begin` */
  s: number;
  /** MAC (absent only on `begin`) */
  m?: string;
}

export type RecordType = 'begin' | 'end' | 'invoke' | 'fs' | 'net' | 'http' | 'proc' | 'ddb' | 'dep';

export interface BeginRecord extends RecordBase {
  t: 'begin';
  /** fully qualified action name, e.g. "/_/purchase" (__OW_ACTION_NAME) */
  act: string;
  /** namespace (__OW_NAMESPACE) */
  ns: string;
  /** process id of the action process */
  pid: number;
  /** hostname of the container */
  host: string;
  /** first activation of this process */
  cold: boolean;
  /** per-activation MAC key, hex */
  k: string;
  /**
   * parent activation id when known: the activation whose output is this one's input (for a
   * platform-started activation, the run message's parent_activation_id)
   */
  pa?: string;
  /**
   * what the parent is, when the platform started this activation (protocol/action-runtime.ts
   * ParentKind): a `sequence` or `trigger` activation runs in no container and writes no records,
   * so its begin-less node is known only from here; `action` is a previous sequence component
   */
  pk?: 'sequence' | 'trigger' | 'action';
  /** the parent's fully qualified name (the sequence or trigger), with `pk` */
  pn?: string;
  /** the HTTP request of a web action (from its __ow_* parameters): the request's entry */
  web?: WebEntry;
  /** content hash of the action's LMS profile, given by the plugin at package time */
  lp?: string;
  /**
   * content hash of the deployment the action carries (protocol/deployment.ts: the service's
   * analysis settings and the LMS profile), given by the plugin at package time; the process sends
   * that deployment's `dep` records once, right after the begin of its first activation
   */
  dh?: string;
}

/** A web action's HTTP request as the action received it, credentials redacted. */
export interface WebEntry {
  /** method, lower case (as in __ow_method) */
  m: string;
  /** the path after the action's name (__ow_path) */
  p: string;
  /** request headers, lower-case names; credentials replaced by REDACTED */
  h?: Record<string, string>;
}

/** Header values a web entry never carries: credentials, cookies, API keys. */
export const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-require-whisk-auth', 'x-auth-token', 'x-ibm-client-secret'];
export const REDACTED = '[redacted]';

export interface EndRecord extends RecordBase {
  t: 'end';
  /** handler resolved (true) or threw/rejected or returned {error} (false) */
  ok: boolean;
  /** error message when !ok, truncated */
  err?: string;
  /** handler duration, ms */
  dur: number;
  /** provenance hooks that failed during this activation (counted, never thrown into user code) */
  hf?: number;
  /** the first hook failure's message, truncated */
  hfm?: string;
}

/** An outbound invocation through the `openwhisk` client. */
export interface InvokeRecord extends RecordBase {
  t: 'invoke';
  /** invoked action (as named by the caller) */
  to: string;
  /** child activation id, when the platform returned one */
  child?: string;
  blocking: boolean;
  /** the invocation failed before an activation id was known */
  err?: string;
  /**
   * when the call was made, ms since the epoch: the record itself is written when the platform
   * answers (for a blocking call, after the child ended), so `ts` is too late for the message
   */
  st?: number;
}

export type FsOp = 'open' | 'read' | 'write' | 'unlink' | 'rename' | 'mkdir' | 'rmdir' | 'chmod' | 'stat' | 'readdir' | 'copy' | 'symlink' | 'link' | 'truncate' | 'load';

/** A file-system operation seen by the wrapper's fs hooks. */
export interface FsRecord extends RecordBase {
  t: 'fs';
  op: FsOp;
  path: string;
  /** second path (rename/copy/link/symlink destination) */
  path2?: string;
  /** bytes read or written, when known */
  n?: number;
  /** open flags as given ("r", "w", "a+", or a number) */
  flags?: string;
}

export type NetOp = 'connect' | 'listen' | 'accept' | 'send' | 'recv' | 'close';

export interface NetRecord extends RecordBase {
  t: 'net';
  op: NetOp;
  /** remote address (or local address for listen) */
  addr: string;
  port: number;
  proto: 'tcp' | 'udp' | 'unix';
  /** bytes, when known */
  n?: number;
}

export interface HttpRecord extends RecordBase {
  t: 'http';
  method: string;
  url: string;
  host: string;
  port: number;
  /** response status, when a response arrived */
  status?: number;
  err?: string;
}

export type ProcOp = 'spawn' | 'exit';

export interface ProcRecord extends RecordBase {
  t: 'proc';
  op: ProcOp;
  /** command (file) */
  cmd: string;
  args?: string[];
  /** child pid */
  pid?: number;
  /** exit code or signal on exit */
  code?: number | string;
}

export interface DdbRecord extends RecordBase {
  t: 'ddb';
  /** DynamoDB operation name, e.g. "GetItem", "PutItem", "Query" */
  op: string;
  table: string;
  /** item key, unmarshalled (plain JSON), when the operation names one item */
  key?: Record<string, unknown>;
  /** keys of items returned or written by multi-item operations (Query/Scan/Batch*), capped */
  keys?: Record<string, unknown>[];
  /** the operation failed */
  err?: string;
}

/**
 * One part of the deployment the action was packaged with (protocol/deployment.ts): the parts of
 * deployment `h`, in order, are the deployment document, gzipped and base64-encoded. Signed like
 * every non-begin record, so only the wrapper of a begun activation can deliver settings.
 */
export interface DeployRecord extends RecordBase {
  t: 'dep';
  /** the deployment's content hash (the begin record's `dh`) */
  h: string;
  /** this part's index, from 0 */
  i: number;
  /** how many parts there are */
  n: number;
  /** this part's data (base64 text, at most DEPLOYMENT_PART_CHARS characters) */
  d: string;
}

export type ProvRecord = BeginRecord | EndRecord | InvokeRecord | FsRecord | NetRecord | HttpRecord | ProcRecord | DdbRecord | DeployRecord;

/**
 * User log lines are not records: the wrapper prefixes every console line with the ids,
 * LOG_ID_OPEN + reqId + " " + activationId + LOG_ID_CLOSE + " " + original text,
 * and adds `reqId` and `activationId` fields to every winston info object.
 */
export const LOG_ID_OPEN = '[prov ';
export const LOG_ID_CLOSE = ']';
