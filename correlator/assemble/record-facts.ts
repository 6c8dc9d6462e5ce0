// Step 3 of assembly: what one believed record means in the graph. Each record
// adds nodes and PROV edges to its request's fragment; direction follows PROV: an activity
// `used` an entity it read, an entity `wasGeneratedBy` the activity that wrote it,
// `wasInvalidatedBy` the one that deleted it.
import type {
  BeginRecord,
  DdbRecord,
  EndRecord,
  FsRecord,
  HttpRecord,
  InvokeRecord,
  NetRecord,
  ProcRecord,
  ProvRecord,
} from '../../protocol/wrapper-records';
import type { ContainerInfo } from '../../protocol/batch';
import { nodeIds } from '../../upg/ids';
import { shortAction } from '../../upg/labels';
// one name for DynamoDB operations: the wrapper's records and the graph agree ("Get" -> "GetItem")
import { operationName } from '../../protocol/ddb-operations';
import type { ActivationNode, EdgeKind, ProcessNode, UpgNode } from '../../upg/types';
import type { EdgeInput, FragmentBuilder } from './fragment-builder';

/** Who a record belongs to, resolved by the caller from the activation's state. */
export interface RecordScope {
  request: string;
  activationId: string;
  action: string;
  invoker: string;
  /** the container's id as the agent names it */
  container: string;
  containerNodeId: string;
  containerInfo?: ContainerInfo;
}

export function addRecordFacts(b: FragmentBuilder, record: ProvRecord, scope: RecordScope): void {
  switch (record.t) {
    case 'begin':
      return addBegin(b, record, scope);
    case 'end':
      return addEnd(b, record, scope);
    case 'invoke':
      return addInvoke(b, record, scope);
    case 'fs':
      return addFs(b, record, scope);
    case 'net':
      return addNet(b, record, scope);
    case 'http':
      return addHttp(b, record, scope);
    case 'proc':
      return addProc(b, record, scope);
    case 'ddb':
      return addDdb(b, record, scope);
  }
}

/** The activation node as far as its state tells (every record's fragment names its activation). */
export function activationNode(scope: RecordScope, extra: Partial<ActivationNode> = {}): ActivationNode {
  return {
    id: nodeIds.activation(scope.activationId),
    kind: 'activation',
    label: shortAction(scope.action),
    activationId: scope.activationId,
    requestId: scope.request,
    action: scope.action,
    container: scope.containerNodeId,
    ...extra,
  };
}

function addBegin(b: FragmentBuilder, r: BeginRecord, s: RecordScope): void {
  const req = s.request;
  const act = nodeIds.activation(r.a);
  const requestId = nodeIds.request(req);
  const clientId = nodeIds.client(req);
  const actionId = nodeIds.action(r.act);
  const invokerId = nodeIds.invoker(s.invoker);
  const processId = nodeIds.process(s.invoker, s.container, r.pid);
  b.addNode(req, activationNode(s, { start: r.ts, cold: r.cold, parent: r.pa, firstSeen: r.ts, lastSeen: r.ts }));
  b.addNode(req, { id: requestId, kind: 'request', label: req, requestId: req, start: r.ts, entry: r.act, firstSeen: r.ts, lastSeen: r.ts });
  b.addNode(req, clientNode(clientId, r));
  b.addNode(req, { id: actionId, kind: 'action', label: shortAction(r.act), name: r.act, namespace: r.ns });
  b.addNode(req, { id: invokerId, kind: 'invoker', label: s.invoker, name: s.invoker });
  b.addNode(req, {
    id: s.containerNodeId,
    kind: 'container',
    label: s.container,
    containerId: s.container,
    action: s.containerInfo?.action ?? r.act,
    invoker: s.invoker,
    cgroupId: s.containerInfo?.cgroupId,
    firstSeen: r.ts,
    lastSeen: r.ts,
  });
  b.addNode(req, runtimeProcessNode(processId, r, s));

  const edge = (e: Omit<EdgeInput, 'activationId' | 'time'>) => b.addEdge(req, { ...e, activationId: r.a, time: r.ts });
  edge({ from: requestId, to: clientId, kind: 'wasAssociatedWith', op: 'request', source: 'platform' });
  edge({ from: act, to: requestId, kind: 'wasInformedBy', op: 'request', source: 'wrapper' });
  edge({ from: act, to: actionId, kind: 'wasAssociatedWith', op: 'run', source: 'wrapper' });
  edge({ from: act, to: s.containerNodeId, kind: 'wasAssociatedWith', op: 'run', source: 'platform' });
  edge({ from: act, to: invokerId, kind: 'wasAssociatedWith', op: 'run', source: 'platform' });
  edge({ from: act, to: processId, kind: 'wasInformedBy', op: 'run', source: 'wrapper' });
  if (r.pa) addInvocationLink(b, req, r.pa, r.a, r.act, r.ts, 'child');
  if (r.pa && r.pn && (r.pk === 'sequence' || r.pk === 'trigger')) addPlatformActivation(b, req, r.pa, r.pk, r.pn, s.invoker);
}

/**
 * The external caller: for a web action's HTTP request (an entry activation, no parent), the
 * method, path and headers it came with (credentials already redacted by the wrapper).
 */
function clientNode(id: string, r: BeginRecord): UpgNode {
  if (!r.web || r.pa) return { id, kind: 'client', label: 'external client', name: 'external client' };
  const method = r.web.m.toUpperCase();
  // label and name as for any client: every activation of the request writes this node
  return { id, kind: 'client', label: 'external client', name: 'external client', method, path: r.web.p, ...(r.web.h ? { headers: r.web.h } : {}) };
}

/**
 * A sequence or trigger activation: the platform's controller runs it, in no container and with no
 * wrapper, so it is known only from the begin records of the activations it started (their `pa`,
 * `pk`, `pn`). Its node makes the hop a path: parent -> message -> it -> message -> child.
 */
function addPlatformActivation(b: FragmentBuilder, req: string, activationId: string, kind: 'sequence' | 'trigger', name: string, invoker: string): void {
  const id = nodeIds.activation(activationId);
  const controller = nodeIds.container(invoker, CONTROLLER);
  const actionId = nodeIds.action(name);
  b.addNode(req, { id, kind: 'activation', label: `${kind} ${shortAction(name)}`, activationId, requestId: req, action: name, container: controller, platform: kind });
  b.addNode(req, { id: controller, kind: 'container', label: CONTROLLER, containerId: CONTROLLER, action: name, invoker });
  b.addNode(req, { id: actionId, kind: 'action', label: shortAction(name), name, namespace: name.split('/')[1] ?? '' });
  b.addEdge(req, { from: id, to: nodeIds.request(req), kind: 'wasInformedBy', op: 'request', activationId, source: 'platform' });
  b.addEdge(req, { from: id, to: actionId, kind: 'wasAssociatedWith', op: kind === 'trigger' ? 'fire' : 'run', activationId, source: 'platform' });
}

/** Where sequences and triggers run: OpenWhisk's controller, not an invoker's container. */
const CONTROLLER = 'controller';

/**
 * The process that ran the activation: the container's action runtime (the wrapper runs inside
 * it). Its program is what the platform started (ContainerInfo.exe/args), when the platform says.
 */
function runtimeProcessNode(id: string, r: BeginRecord, s: RecordScope): ProcessNode {
  const exe = s.containerInfo?.exe;
  return {
    id,
    kind: 'process',
    label: exe ? exe.split('/').pop() || exe : `pid ${r.pid}`,
    container: s.containerNodeId,
    pid: r.pid,
    ...(exe ? { exe } : {}),
    ...(exe && s.containerInfo?.args ? { args: s.containerInfo.args } : {}),
    firstSeen: r.ts,
    lastSeen: r.ts,
  };
}

function addEnd(b: FragmentBuilder, r: EndRecord, s: RecordScope): void {
  b.addNode(s.request, activationNode(s, { end: r.ts, ok: r.ok, error: r.ok ? undefined : r.err, lastSeen: r.ts }));
  b.addNode(s.request, { id: nodeIds.request(s.request), kind: 'request', label: s.request, requestId: s.request, end: r.ts, lastSeen: r.ts });
  if (r.hf !== undefined && r.hf > 0) {
    b.addWarning(s.request, {
      code: HOOK_FAILURES,
      message: `${r.hf} provenance hook failure(s) in this activation${r.hfm ? ` (first: ${r.hfm})` : ''}: what they would have recorded is missing`,
      activationId: r.a,
    });
  }
}

/** The wrapper's end record counts hooks that failed: their records are missing from the graph. */
export const HOOK_FAILURES = 'hook-failures';

function addInvoke(b: FragmentBuilder, r: InvokeRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  // The message was generated when the call was made; the record is written when the platform
  // answers (after the child ended, for a blocking call). Older wrappers sent no `st`.
  const sent = r.st ?? r.ts;
  if (r.child) {
    addInvocationLink(b, s.request, r.a, r.child, r.to, sent, 'parent');
    return;
  }
  // No child activation: the invocation failed before the platform accepted it.
  const msg = nodeIds.messageByRecord(r.a, r.s);
  b.addNode(s.request, { id: msg, kind: 'message', label: `invoke ${r.to}${r.err ? ' (failed)' : ''}`, from: r.a, action: r.to, firstSeen: sent });
  b.addEdge(s.request, { from: msg, to: nodeIds.activation(r.a), kind: 'wasGeneratedBy', op: r.err ? 'invoke:error' : 'invoke', time: sent, activationId: r.a, source: 'wrapper' });
}

/**
 * parent -> message -> child. Written identically from either end (the parent's invoke record or
 * the child's begin naming its parent): same ids, so whichever batch comes first, they join.
 * Times are left to the side that knows them (the parent knows when it invoked).
 */
function addInvocationLink(
  b: FragmentBuilder,
  req: string,
  parent: string,
  child: string,
  action: string,
  time: number,
  side: 'parent' | 'child',
): void {
  const msg = nodeIds.message(parent, child);
  const parentId = nodeIds.activation(parent);
  const childId = nodeIds.activation(child);
  b.addNode(req, { id: msg, kind: 'message', label: `invoke ${shortAction(action)}`, from: parent, to: child, action, firstSeen: side === 'parent' ? time : undefined });
  const at = side === 'parent' ? time : undefined;
  b.addEdge(req, { from: msg, to: parentId, kind: 'wasGeneratedBy', op: 'invoke', time: at, activationId: parent, source: 'wrapper' });
  b.addEdge(req, { from: childId, to: msg, kind: 'used', op: 'invoke', time: at, activationId: child, source: 'wrapper' });
  b.addEdge(req, { from: childId, to: parentId, kind: 'wasStartedBy', op: 'invoke', time: at, activationId: parent, source: 'wrapper' });
}

function addFs(b: FragmentBuilder, r: FsRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  const file = (path: string) => {
    const id = nodeIds.file(s.invoker, s.container, path);
    b.addNode(s.request, { id, kind: 'file', label: path, path, container: s.containerNodeId, firstSeen: r.ts, lastSeen: r.ts });
    return id;
  };
  const act = nodeIds.activation(r.a);
  const op = (kind: EdgeKind, from: string, to: string) =>
    b.addOperation(s.request, { from, to, kind, op: r.op, time: r.ts, bytes: r.n, activationId: r.a, source: 'wrapper' });
  const main = file(r.path);
  switch (r.op) {
    case 'read':
    case 'stat':
    case 'readdir':
    case 'load':
      return op('used', act, main);
    case 'write':
    case 'truncate':
    case 'mkdir':
    case 'chmod':
      return op('wasGeneratedBy', main, act);
    case 'unlink':
    case 'rmdir':
      return op('wasInvalidatedBy', main, act);
    case 'open': {
      const { reads, writes } = openMode(r.flags);
      if (reads) op('used', act, main);
      if (writes) op('wasGeneratedBy', main, act);
      return;
    }
    case 'rename':
    case 'copy':
    case 'symlink':
    case 'link': {
      if (r.op === 'rename') op('wasInvalidatedBy', main, act);
      else op('used', act, main);
      if (r.path2 === undefined) return;
      const dest = file(r.path2);
      op('wasGeneratedBy', dest, act);
      op('wasDerivedFrom', dest, main);
      return;
    }
  }
}

/** fs open flags as the wrapper gives them: a string ("r", "w", "a+", "rs+") or a number (O_* bits). */
export function openMode(flags: string | undefined): { reads: boolean; writes: boolean } {
  if (flags === undefined || flags === '') return { reads: true, writes: false };
  if (/^\d+$/.test(flags)) {
    const access = Number(flags) & 3; // O_RDONLY 0, O_WRONLY 1, O_RDWR 2
    return { reads: access !== 1, writes: access !== 0 };
  }
  const plus = flags.includes('+');
  if (flags.startsWith('r')) return { reads: true, writes: plus };
  return { reads: plus, writes: true };
}

function addNet(b: FragmentBuilder, r: NetRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  const sock = nodeIds.socket(r.proto, r.addr, r.port);
  b.addNode(s.request, { id: sock, kind: 'socket', label: `${r.addr}:${r.port}`, address: r.addr, port: r.port, proto: r.proto, firstSeen: r.ts, lastSeen: r.ts });
  const act = nodeIds.activation(r.a);
  // Data (or a connection) going out makes the peer something this activation affected;
  // data coming in is something it used. Close carries the connection's byte total.
  const outbound = r.op === 'connect' || r.op === 'send' || r.op === 'listen' || r.op === 'close';
  b.addOperation(s.request, {
    from: outbound ? sock : act,
    to: outbound ? act : sock,
    kind: outbound ? 'wasGeneratedBy' : 'used',
    op: r.op,
    time: r.ts,
    bytes: r.n,
    activationId: r.a,
    source: 'wrapper',
  });
}

function addHttp(b: FragmentBuilder, r: HttpRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  const sock = nodeIds.socket('tcp', r.host, r.port);
  const url = safeUrl(r.url);
  b.addNode(s.request, { id: sock, kind: 'socket', label: `${r.host}:${r.port}`, address: r.host, port: r.port, proto: 'tcp', url, firstSeen: r.ts, lastSeen: r.ts });
  b.noteUrl(s.request, sock, url);
  const act = nodeIds.activation(r.a);
  const method = r.method.toUpperCase();
  const base = { time: r.ts, activationId: r.a, source: 'wrapper' as const };
  b.addOperation(s.request, { ...base, from: sock, to: act, kind: 'wasGeneratedBy', op: r.err ? `http:${method}:error` : `http:${method}` });
  // The response names its request's method: "http:POST" then "http:POST:201".
  if (r.status !== undefined) b.addOperation(s.request, { ...base, from: act, to: sock, kind: 'used', op: `http:${method}:${r.status}` });
}

/** Origin and path only: query strings and credentials in URLs are often secrets. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.split(/[?#]/)[0].slice(0, 200);
  }
}

function addProc(b: FragmentBuilder, r: ProcRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  const id = r.pid !== undefined ? nodeIds.process(s.invoker, s.container, r.pid) : nodeIds.processBySpawn(r.a, r.s);
  const base = { id, kind: 'process' as const, container: s.containerNodeId, pid: r.pid ?? -1 };
  if (r.op === 'exit') {
    // The exit time tells whether the process outlived its activation (container reuse).
    b.addNode(s.request, { ...base, lastSeen: r.ts });
    return;
  }
  b.addNode(s.request, { ...base, label: r.cmd, exe: r.cmd, args: r.args, firstSeen: r.ts, lastSeen: r.ts });
  b.addOperation(s.request, { from: id, to: nodeIds.activation(r.a), kind: 'wasStartedBy', op: 'spawn', time: r.ts, activationId: r.a, source: 'wrapper' });
}

const DDB_READS = /^(Get|BatchGet|Query|Scan|TransactGet|Describe|List)/;
const DDB_DELETES = /^Delete/;

function addDdb(b: FragmentBuilder, r: DdbRecord, s: RecordScope): void {
  touch(b, s, r.ts);
  const opName = operationName(r.op);
  const keys = r.key ? [r.key] : (r.keys ?? []);
  const targets: UpgNode[] = keys.length
    ? keys.map((key) => ({ id: nodeIds.item(r.table, key), kind: 'item' as const, label: `${r.table} ${compactKey(key)}`, table: r.table, key, firstSeen: r.ts, lastSeen: r.ts }))
    : [{ id: nodeIds.table(r.table), kind: 'item' as const, label: r.table, table: r.table, firstSeen: r.ts, lastSeen: r.ts }];
  const act = nodeIds.activation(r.a);
  const base = { time: r.ts, activationId: r.a, source: 'wrapper' as const };
  for (const target of targets) {
    b.addNode(s.request, target);
    if (r.err) {
      // A failed operation touched nothing, but the attempt is part of the behaviour.
      b.addOperation(s.request, { ...base, from: act, to: target.id, kind: 'used', op: `${opName}:error` });
    } else if (DDB_READS.test(opName)) {
      b.addOperation(s.request, { ...base, from: act, to: target.id, kind: 'used', op: opName });
    } else if (DDB_DELETES.test(opName)) {
      b.addOperation(s.request, { ...base, from: target.id, to: act, kind: 'wasInvalidatedBy', op: opName });
    } else {
      b.addOperation(s.request, { ...base, from: target.id, to: act, kind: 'wasGeneratedBy', op: opName });
    }
  }
}

/** `{"id":"p1"}` -> `id=p1`, short enough for a label. */
export function compactKey(key: Record<string, unknown>): string {
  const text = Object.keys(key)
    .sort()
    .map((k) => `${k}=${typeof key[k] === 'string' ? key[k] : JSON.stringify(key[k])}`)
    .join(',');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Every record keeps its activation node in the fragment and widens its time span. */
function touch(b: FragmentBuilder, s: RecordScope, ts: number): void {
  b.addNode(s.request, activationNode(s, { firstSeen: ts, lastSeen: ts }));
}
