// What one kernel event (attributed and reduced by the agent) means in the graph (pure). Ids are
// the ones the wrapper's records use (upg/ids.ts): the kernel's `/tmp/x` in container C is the
// same file node as the wrapper's fs record for `/tmp/x` in C, and the runtime process is the
// process node of the activation's begin record. What the runtime itself did is the activation's
// doing (as with the wrapper's records); what a child process did is that process's doing, and
// the process was started by the activation. What the container did before its first activation
// (`startup` events) is the doing of its start-up node, which informed that first activation.
import { nodeIds } from '../../upg/ids';
import type { EdgeKind, ProcessNode } from '../../upg/types';
import type { KernelEventLite } from '../../protocol/batch';
import { activationNode, type RecordScope } from '../assemble/record-facts';
import type { FragmentBuilder } from '../assemble/fragment-builder';

const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;

/** Adds one event's nodes and edges to its request's fragment. Returns false when it names nothing usable. */
export function addKernelFacts(b: FragmentBuilder, ev: KernelEventLite, s: RecordScope): boolean {
  const req = s.request;
  const act = nodeIds.activation(s.activationId);
  b.addNode(req, activationNode(s, ev.late || ev.startup ? {} : { firstSeen: ev.ts, lastSeen: ev.te ?? ev.ts }));
  // whose doing the runtime's own syscalls are: the activation's, or the container's start-up's
  const doer = ev.startup ? addStartup(b, ev, s) : act;
  // no label here: a forked child still runs its parent's program, only an exec names it (and the
  // store keeps the first label it gets)
  const proc = processNode(s, ev.pid, ev.ts, ev.te ?? ev.ts);
  b.addNode(req, proc);
  // the runtime's own syscalls are the activation's doing; a child's are the child's
  const subject = ev.rt ? doer : proc.id;
  // a start-up edge records no activation's behaviour
  const activationId = ev.startup ? undefined : s.activationId;
  const op = (kind: EdgeKind, from: string, to: string, name: string = ev.op) =>
    b.addOperation(req, { from, to, kind, op: name, time: ev.ts, bytes: ev.bytes, activationId, source: 'kernel', count: ev.n ?? 1 });
  const file = (path: string) => {
    const id = nodeIds.file(s.invoker, s.container, path);
    const pipe = path.startsWith('pipe:');
    b.addNode(req, { id, kind: 'file', label: pipe ? 'pipe' : path, path, container: s.containerNodeId, firstSeen: ev.ts, lastSeen: ev.te ?? ev.ts });
    return id;
  };

  switch (ev.op) {
    case 'open': {
      if (!ev.path) return false;
      const f = file(ev.path);
      const flags = ev.openFlags ?? 0;
      const access = flags & O_ACCMODE;
      if (access !== 1) op('used', subject, f);
      if (access !== 0 || flags & (O_CREAT | O_TRUNC)) op('wasGeneratedBy', f, subject);
      return true;
    }
    case 'read':
      if (!ev.path) return false;
      op('used', subject, file(ev.path));
      return true;
    case 'write':
    case 'mkdir':
    case 'chmod':
      if (!ev.path) return false;
      op('wasGeneratedBy', file(ev.path), subject);
      return true;
    case 'unlink':
      if (!ev.path) return false;
      op('wasInvalidatedBy', file(ev.path), subject);
      return true;
    case 'rename':
    case 'link': {
      if (!ev.path || !ev.path2) return false;
      const from = file(ev.path);
      const to = file(ev.path2);
      if (ev.op === 'rename') op('wasInvalidatedBy', from, subject);
      else op('used', subject, from);
      op('wasGeneratedBy', to, subject);
      op('wasDerivedFrom', to, from);
      return true;
    }
    case 'exec': {
      if (!ev.path) return false;
      const base = ev.path.split('/').pop() || ev.path;
      b.addNode(req, { ...proc, label: base, exe: ev.path, args: ev.args });
      op('used', proc.id, file(ev.path), 'execve');
      return true;
    }
    case 'fork': {
      if (ev.child === undefined) return false;
      const child = processNode(s, ev.child, ev.ts, ev.ts);
      b.addNode(req, child);
      op('wasStartedBy', child.id, proc.id, 'fork');
      // a child of the runtime is something the activation started (as the wrapper's spawn record says)
      if (ev.rt) op('wasStartedBy', child.id, doer, 'spawn');
      return true;
    }
    case 'exit':
      b.addNode(req, { ...proc, lastSeen: ev.ts });
      return true;
    case 'kill': {
      if (ev.child === undefined) return false;
      const target = processNode(s, ev.child, ev.ts, ev.ts);
      b.addNode(req, target);
      op('wasInformedBy', target.id, subject, ev.signal !== undefined ? `kill:${ev.signal}` : 'kill');
      return true;
    }
    case 'connect':
    case 'send':
    case 'bind':
    case 'listen':
    case 'accept':
    case 'recv': {
      if (ev.addr === undefined || ev.addr === '') return false;
      const port = ev.port ?? 0;
      const proto = ev.proto ?? 'unknown';
      const sock = nodeIds.socket(proto, ev.addr, port);
      b.addNode(req, { id: sock, kind: 'socket', label: proto === 'unix' ? ev.addr : `${ev.addr}:${port}`, address: ev.addr, port, proto, firstSeen: ev.ts, lastSeen: ev.te ?? ev.ts });
      // as the wrapper's net records: what goes out (or is offered) the activation generated; what comes in it used
      const outbound = ev.op === 'connect' || ev.op === 'send' || ev.op === 'bind' || ev.op === 'listen';
      if (outbound) op('wasGeneratedBy', sock, subject);
      else op('used', subject, sock);
      return true;
    }
  }
  return false;
}

/** The container's start-up node, done by the container and informing its first activation; returns its id. */
function addStartup(b: FragmentBuilder, ev: KernelEventLite, s: RecordScope): string {
  const id = nodeIds.startup(s.invoker, s.container);
  b.addNode(s.request, { id, kind: 'startup', label: 'container start-up', container: s.containerNodeId, activationId: s.activationId, firstSeen: ev.ts, lastSeen: ev.te ?? ev.ts });
  b.addNode(s.request, { id: s.containerNodeId, kind: 'container', label: s.container, containerId: s.container, invoker: s.invoker, cgroupId: s.containerInfo?.cgroupId });
  b.addEdge(s.request, { from: id, to: s.containerNodeId, kind: 'wasAssociatedWith', op: 'start', source: 'kernel' });
  b.addEdge(s.request, { from: nodeIds.activation(s.activationId), to: id, kind: 'wasInformedBy', op: 'container start-up', activationId: s.activationId, source: 'kernel' });
  return id;
}

function processNode(s: RecordScope, pid: number, first: number, last: number): ProcessNode {
  return {
    id: nodeIds.process(s.invoker, s.container, pid),
    kind: 'process',
    container: s.containerNodeId,
    pid,
    firstSeen: first,
    lastSeen: last,
  };
}
