// Attribution of kernel events to containers, activations and requests.
// Pure and stateful: fed decoded, reassembled events in the kernel's order, it follows each
// container's processes and their fds, splits the container's stream into activations from the
// wrapper's begin/end records and the runtime's sentinel AS THE KERNEL SAW THEM WRITTEN (by the
// stream format's rules, protocol/activation-boundaries.ts, which the correlator applies to the
// lines too), and turns each event into a KernelEventLite owned by one activation.
//
// Who owns an event:
// - a process forked while an activation ran belongs to that activation for its whole life (its
//   events after the activation ended are marked `late`: a child outliving its activation);
// - a process of the container itself (the runtime, the launcher) belongs to the activation in
//   progress between its begin and end records; with several in progress (concurrency > 1) the
//   kernel cannot tell which one a syscall served (Node runs every activation on one thread and
//   one libuv pool), so the event lists them all in `amb`; outside any activation the event is
//   runtime housekeeping and is only counted;
// - except before the container's first activation: what its processes did from their first
//   syscall (the runtime's exec, its own files, the bind/listen of its port) is the container's
//   start-up, held until the first activation begins and then shipped once, marked `startup` and
//   addressed to that activation (whose trace it reaches), the container's doing, not its.
import { pipeName } from '../../protocol/pipe-name';
import type { KernelEvent } from '../../kmod/decode';
import { EventType } from '../../kmod/schema';
import type { SockAddr } from '../../kmod/sockaddr';
import { StdioLineSplitter } from '../../kmod/stdio-lines';
import type { KernelEventLite, KernelOp } from '../../protocol/batch';
import { endpointOf, FdTable, socketProto, type Endpoint, type FdTarget } from './kernel-fds';
import { markerOf } from './kernel-markers';
import { ActivationBoundaries } from '../../protocol/activation-boundaries';

export interface TrackedContainer {
  container: string;
  cgroupId: bigint;
  /** the runtime's working directory, to resolve relative paths */
  cwd?: string;
}

export interface ActivationEvents {
  activationId: string;
  requestId: string;
  container: string;
  events: KernelEventLite[];
  /** false when the activation's events were shipped in parts (too many to hold) or it never ended */
  complete: boolean;
  /** the activation is closed (ended, or its container went): these are its last events */
  closed?: boolean;
}

/** A container's start-up (before its first activation), released when that activation began. */
export interface StartupEvents {
  container: string;
  /** the container's first activation, whose trace the start-up reaches */
  activationId: string;
  requestId: string;
  events: KernelEventLite[];
  /** events beyond what is held per start-up (counted, not shipped) */
  dropped: number;
}

export interface TrackerStats {
  /** syscall and process events looked at */
  seen: number;
  /** turned into KernelEventLite (before reduction) */
  kept: number;
  /** in a container process outside any activation (runtime housekeeping) */
  outsideActivations: number;
  /** I/O on an fd whose origin the agent never saw (inherited from outside the container) */
  unknownFd: number;
  /** stdio writes (the log stream; the lines themselves come from the pipe) */
  stdio: number;
  /** events that could belong to several activations */
  ambiguous: number;
  /** failed syscalls (negative return), not shipped */
  failed: number;
  /** events of processes in no registered container */
  foreign: number;
}

interface Activation {
  id: string;
  request: string;
  container: ContainerState;
  closed: boolean;
  /** events held until the activation closes (then reduced as a whole) */
  events: KernelEventLite[];
  /** some events were already shipped (too many to hold) */
  partial: boolean;
}

interface ContainerState extends TrackedContainer {
  /** activations in progress, in the order they began (between their begin and their end or sentinel) */
  open: Activation[];
  /** the latest activations' spans in kernel time (end: when the end record or sentinel was written) */
  spans: { act: Activation; begin: bigint; end?: bigint }[];
  /** where activations begin and end in this container's stdout/stderr */
  boundaries: ActivationBoundaries;
  /** the start-up's events, until the first activation begins (then undefined for good) */
  startup?: { held: { lite: KernelEventLite; proc: Proc; child?: Proc }[]; dropped: number };
}

interface Proc {
  tgid: number;
  container: ContainerState;
  graphPid: number;
  comm: string;
  fds: FdTable;
  cwd?: string;
  /** the activation this process was started in (undefined: a process of the container itself) */
  owner?: Activation;
  /** started while several activations ran: any of them */
  ambOwner?: string[];
}

type Attribution = { act: Activation } | { amb: string[] } | undefined;

/** Start-up events held per container before its first activation (the runtime's start-up is a few hundred). */
const STARTUP_HELD = 20_000;

/** Activation spans kept per container to place summed repeats that arrive late. */
const SPANS_KEPT = 64;

/** errno values that still mean "it happened": a non-blocking connect in progress. */
const EINPROGRESS = -115n;

export class KernelTracker {
  private readonly containers = new Map<string, ContainerState>();
  private readonly byCgroup = new Map<bigint, ContainerState>();
  private readonly procs = new Map<number, Proc>();
  private readonly splitter = new StdioLineSplitter([1, 2]);
  private ready: ActivationEvents[] = [];
  private loose: KernelEventLite[] = [];
  private startups: StartupEvents[] = [];
  private drops: Record<string, number> = {};
  private unplacedDrops = 0;
  private pipeSeq = 0;
  /** activations in progress at some point since the last noteDrops */
  private readonly touched = new Set<Activation>();
  readonly stats: TrackerStats = { seen: 0, kept: 0, outsideActivations: 0, unknownFd: 0, stdio: 0, ambiguous: 0, failed: 0, foreign: 0 };

  constructor(
    private readonly opts: {
      /** CLOCK_REALTIME - CLOCK_BOOTTIME, ns (kmod bootTimeOffsetNs) */
      bootOffsetNs: bigint;
      /** events held per activation before they are shipped in parts (default 50000) */
      maxPending?: number;
      /**
       * Number forked processes as their container's pid namespace does (what the wrapper's records
       * say). The fork record carries that number; this reads it while the process lives, for a
       * record from a capture that does not carry it. Without this option, or once such a process
       * is gone, the host pid stands.
       */
      nsPidOf?: (hostPid: number) => number | undefined;
    },
  ) {}

  addContainer(c: TrackedContainer): void {
    const state: ContainerState = { ...c, open: [], spans: [], boundaries: new ActivationBoundaries(), startup: { held: [], dropped: 0 } };
    this.containers.set(c.container, state);
    this.byCgroup.set(c.cgroupId, state);
  }

  /** The container is gone: whatever it still had in progress is complete as it is. */
  removeContainer(container: string): void {
    const c = this.containers.get(container);
    if (!c) return;
    for (const a of [...c.open]) this.close(a, false);
    // a start-up no activation followed reaches no trace: housekeeping after all
    if (c.startup) this.stats.outsideActivations += c.startup.held.length;
    this.containers.delete(container);
    this.byCgroup.delete(c.cgroupId);
    for (const [tgid, p] of this.procs) if (p.container === c) this.procs.delete(tgid);
  }

  /**
   * The capture lost `n` events somewhere before the events pushed since the last call: every
   * activation in progress at any point of that stretch may miss some (the kernel cannot say which).
   */
  noteDrops(n: number): void {
    const open = new Set(this.touched);
    for (const c of this.containers.values()) for (const a of c.open) open.add(a);
    this.touched.clear();
    if (n <= 0) return;
    if (open.size === 0) this.unplacedDrops += n;
    for (const a of open) this.drops[a.id] = (this.drops[a.id] ?? 0) + n;
  }

  /** Activations in progress now, per container (for diagnostics and tests). */
  inProgress(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.containers.values()) out[c.container] = c.open.map((a) => a.id);
    return out;
  }

  push(events: readonly KernelEvent[]): void {
    for (const e of events) this.track(e);
  }

  /** What is ready to ship: closed activations' events, loose events (late, ambiguous), drops. */
  take(): { activations: ActivationEvents[]; loose: KernelEventLite[]; startups: StartupEvents[]; drops: Record<string, number>; unplacedDrops: number } {
    const out = { activations: this.ready, loose: this.loose, startups: this.startups, drops: this.drops, unplacedDrops: this.unplacedDrops };
    this.ready = [];
    this.loose = [];
    this.startups = [];
    this.drops = {};
    this.unplacedDrops = 0;
    return out;
  }

  /** One event, in the kernel's order: updates processes, fds and activations, and emits what it did. */
  private track(e: KernelEvent): void {
    if (e.type === EventType.DATA_CHUNK) return; // a chunk whose head was lost: nothing to attribute
    this.stats.seen++;
    let proc = this.procs.get(e.tgid);
    const container = this.byCgroup.get(e.cgroupId) ?? proc?.container;
    if (!container) {
      this.stats.foreign++;
      return;
    }
    if (!proc) {
      proc = { tgid: e.tgid, container, graphPid: e.tgid, comm: e.comm, fds: new FdTable(), cwd: container.cwd };
      this.procs.set(e.tgid, proc);
    }
    proc.comm = e.comm || proc.comm;

    switch (e.type) {
      case EventType.PROC_FORK:
        return this.fork(proc, e);
      case EventType.PROC_EXIT:
        if (e.pid !== e.tgid) return; // a thread
        this.emit(proc, e, { op: 'exit', exitCode: num(e.params.exit_code) });
        this.procs.delete(e.tgid);
        return;
      case EventType.CLONE:
      case EventType.EXIT_GROUP:
        return; // PROC_FORK / PROC_EXIT say it better (they see the child's pid and every exit path)
    }
    const ret = e.ret;
    if (ret < 0n && !(e.type === EventType.CONNECT && ret === EINPROGRESS)) {
      this.stats.failed++;
      return;
    }
    const fds = proc.fds;
    const p = e.params;
    switch (e.type) {
      case EventType.OPEN: {
        const file = fds.resolve(num(p.dirfd), str(p.path), proc.cwd);
        fds.set(Number(ret), { kind: 'file', path: file });
        return this.emit(proc, e, { op: 'open', path: file, openFlags: Number(e.flags) });
      }
      case EventType.CLOSE:
        return fds.close(e.fd);
      case EventType.DUP:
        return fds.dup(e.fd, Number(ret));
      case EventType.PIPE: {
        const id = pipeName({ creatorPid: proc.graphPid, seq: ++this.pipeSeq, createdMs: this.ms(e) });
        fds.set(num(p.fd0), { kind: 'pipe', id });
        fds.set(num(p.fd1), { kind: 'pipe', id });
        return;
      }
      case EventType.SOCKET:
        fds.set(Number(ret), { kind: 'socket', proto: socketProto(num(p.domain), num(p.type)) });
        return;
      case EventType.READ:
      case EventType.WRITE:
      case EventType.SENDTO:
      case EventType.RECVFROM:
        return this.io(proc, e);
      case EventType.IO_REPEAT:
        return this.repeats(proc, e);
      case EventType.SENDFILE: {
        // data moves from e.fd (in) to out_fd
        const bytes = Number(ret);
        this.ioOn(proc, e, e.fd, 'in', bytes);
        this.ioOn(proc, e, num(p.out_fd), 'out', bytes);
        return;
      }
      case EventType.RENAME:
      case EventType.LINK: {
        const from = fds.resolve(num(p.olddirfd), str(p.oldpath), proc.cwd);
        const to = fds.resolve(num(p.newdirfd), str(p.newpath), proc.cwd);
        return this.emit(proc, e, { op: e.type === EventType.RENAME ? 'rename' : 'link', path: from, path2: to });
      }
      case EventType.UNLINK:
        return this.emit(proc, e, { op: 'unlink', path: fds.resolve(num(p.dirfd), str(p.path), proc.cwd) });
      case EventType.MKDIR:
        return this.emit(proc, e, { op: 'mkdir', path: fds.resolve(num(p.dirfd), str(p.path), proc.cwd), mode: num(p.mode) });
      case EventType.CHMOD: {
        const target = str(p.path) === '' && e.fd >= 0 ? fds.resolve(e.fd, '', proc.cwd) : fds.resolve(num(p.dirfd), str(p.path), proc.cwd);
        return this.emit(proc, e, { op: 'chmod', path: target, mode: num(p.mode) });
      }
      case EventType.EXECVE: {
        const exe = fds.resolve(num(p.dirfd), str(p.path), proc.cwd);
        const argv = Buffer.isBuffer(p.argv) ? p.argv.toString('utf8').split('\0') : [];
        if (argv.length && argv[argv.length - 1] === '') argv.pop();
        return this.emit(proc, e, { op: 'exec', path: exe, args: argv });
      }
      case EventType.CONNECT: {
        const peer = endpointOf(p.addr as SockAddr | undefined);
        const sock = this.socketOf(proc, e.fd);
        if (peer) sock.peer = peer;
        return this.emitSocket(proc, e, 'connect', sock, peer);
      }
      case EventType.BIND: {
        const local = endpointOf(p.addr as SockAddr | undefined);
        const sock = this.socketOf(proc, e.fd);
        if (local) sock.local = local;
        return this.emitSocket(proc, e, 'bind', sock, local);
      }
      case EventType.LISTEN: {
        const sock = this.socketOf(proc, e.fd);
        return this.emitSocket(proc, e, 'listen', sock, sock.local);
      }
      case EventType.ACCEPT: {
        const listening = this.socketOf(proc, e.fd);
        const peer = endpointOf(p.addr as SockAddr | undefined);
        const conn: FdTarget = { kind: 'socket', proto: listening.proto, peer, local: listening.local };
        fds.set(Number(ret), conn);
        return this.emitSocket(proc, e, 'accept', conn, peer);
      }
      case EventType.KILL:
        return this.emit(proc, e, { op: 'kill', child: num(p.target), signal: num(p.sig) });
    }
  }

  private fork(parent: Proc, e: KernelEvent): void {
    const childPid = num(e.params.child_pid);
    const childTgid = num(e.params.child_tgid);
    if (childPid !== childTgid) return; // a new thread of the same process
    const child: Proc = {
      tgid: childTgid,
      container: parent.container,
      graphPid: this.childGraphPid(e, childTgid),
      comm: parent.comm,
      fds: parent.fds.fork(),
      cwd: parent.cwd,
      owner: parent.owner,
      ambOwner: parent.ambOwner,
    };
    if (!parent.owner && !parent.ambOwner) {
      const who = this.attribution(parent);
      if (who && 'act' in who) child.owner = who.act;
      else if (who) child.ambOwner = who.amb;
    }
    this.procs.set(childTgid, child);
    this.emit(parent, e, { op: 'fork', child: childTgid });
  }

  /** A forked process's pid in the graph: its container's (from the fork record, else from /proc), or the host's. */
  private childGraphPid(fork: KernelEvent, childTgid: number): number {
    if (!this.opts.nsPidOf) return childTgid;
    const recorded = fork.params.child_ns_pid;
    if (typeof recorded === 'number' && recorded > 0) return recorded;
    return this.opts.nsPidOf(childTgid) ?? childTgid;
  }

  private io(proc: Proc, e: KernelEvent): void {
    const out = e.type === EventType.WRITE || e.type === EventType.SENDTO;
    const target = proc.fds.get(e.fd);
    if (!target && (e.fd === 1 || e.fd === 2) && out) {
      this.stdio(proc, e);
      return;
    }
    const addr = e.params.addr as SockAddr | undefined;
    const explicit = endpointOf(addr);
    if (explicit && (!target || target.kind === 'socket')) {
      // sendto/recvfrom on an unconnected socket names its peer itself
      const sock: FdTarget = target?.kind === 'socket' ? target : { kind: 'socket', proto: 'udp' };
      return this.emitSocket(proc, e, out ? 'send' : 'recv', sock, explicit, { bytes: Number(e.ret) });
    }
    this.ioOn(proc, e, e.fd, out ? 'out' : 'in', Number(e.ret));
  }

  /**
   * Reads or writes the kernel counted after the thread's first one on that fd (IO_REPEAT): the
   * same flow `count` times, from first_ns to the record's time. They carry no data, so a stdio
   * repeat is never a marker (the kernel sums a stdio write only when it carries none, or goes to
   * /dev/null: kmod/include/sp_markers.h); its lines come from the container's log.
   */
  private repeats(proc: Proc, e: KernelEvent): void {
    const dir = num(e.params.of) === EventType.WRITE ? 'out' : 'in';
    const first = typeof e.params.first_ns === 'bigint' ? e.params.first_ns : e.tsNs;
    this.ioOn(proc, e, e.fd, dir, num(e.params.bytes), { n: num(e.params.count), first });
  }

  private ioOn(proc: Proc, e: KernelEvent, fd: number, dir: 'in' | 'out', bytes: number, rep?: { n: number; first: bigint }): void {
    const target = proc.fds.get(fd);
    const n = rep?.n ?? 1;
    if (!target) {
      if (fd === 0 || fd === 1 || fd === 2) this.stats.stdio += n;
      else this.stats.unknownFd += n;
      return;
    }
    const span = rep ? { n: rep.n, te: this.ms(e) } : {};
    const at = rep?.first;
    if (target.kind === 'socket') return this.emitSocket(proc, e, dir === 'out' ? 'send' : 'recv', target, target.peer ?? target.local, { bytes, ...span }, at);
    const name = target.kind === 'file' ? target.path : target.id;
    this.emit(proc, e, { op: dir === 'out' ? 'write' : 'read', path: name, bytes, ...span }, at);
  }

  /** A write to the container's stdout/stderr: the log stream, and the activation markers in it. */
  private stdio(proc: Proc, e: KernelEvent): void {
    this.stats.stdio++;
    // Only the container's own processes (the runtime) can open or close activations: a child
    // printing something shaped like a record must not move the boundaries.
    if (proc.owner || proc.ambOwner) return;
    for (const line of this.splitter.push(e)) {
      const m = markerOf(line.line);
      if (!m) continue;
      const c = proc.container;
      const stream = line.fd === 2 ? 'stderr' : 'stdout';
      if (m.kind === 'begin') {
        if (!c.boundaries.begin(m.activationId)) continue;
        proc.graphPid = m.pid; // the runtime's pid as the wrapper (and the container) sees it
        const act: Activation = { id: m.activationId, request: m.requestId, container: c, closed: false, events: [], partial: false };
        c.open.push(act);
        c.spans.push({ act, begin: e.tsNs });
        if (c.spans.length > SPANS_KEPT) c.spans.shift();
        this.releaseStartup(c, act);
      } else if (m.kind === 'end') {
        // the kernel's work for the activation ends with its end record (its sentinels follow)
        c.boundaries.end(m.activationId, stream);
        const a = c.open.find((x) => x.id === m.activationId);
        if (a) this.close(a, true, e.tsNs);
      } else {
        const { closed, withoutEnd } = c.boundaries.sentinel(stream);
        const a = withoutEnd ? c.open.find((x) => x.id === closed) : undefined;
        if (a) this.close(a, true, e.tsNs); // ended without an end record
      }
    }
  }

  /** The first activation began: the start-up is over, and goes with it (pids as the container numbers them by now). */
  private releaseStartup(c: ContainerState, act: Activation): void {
    const s = c.startup;
    c.startup = undefined;
    if (!s || (s.held.length === 0 && s.dropped === 0)) return;
    this.stats.kept += s.held.length;
    const events = s.held.map(({ lite, proc, child }) => {
      const out: KernelEventLite = { ...lite, pid: proc.graphPid, a: act.id, r: act.request, startup: true };
      if (child) out.child = child.graphPid;
      return out;
    });
    this.startups.push({ container: c.container, activationId: act.id, requestId: act.request, events, dropped: s.dropped });
  }

  private close(a: Activation, complete: boolean, atNs?: bigint): void {
    if (a.closed) return;
    const span = a.container.spans.find((x) => x.act === a);
    if (span) span.end = atNs ?? span.begin;
    this.touched.add(a);
    a.closed = true;
    const c = a.container;
    c.open = c.open.filter((x) => x !== a);
    this.ready.push({ activationId: a.id, requestId: a.request, container: c.container, events: a.events, complete: complete && !a.partial, closed: true });
    a.events = [];
  }

  /**
   * Who owned a container process's work at kernel time `ns`, from the activations' spans. Summed
   * repeats reach the agent when their thread next does something else, which for a thread that
   * went idle (a libuv worker) can be after the activation they belong to has ended.
   */
  private attributionAt(proc: Proc, ns: bigint): Attribution | 'now' {
    if (proc.owner || proc.ambOwner) return 'now';
    const during = proc.container.spans.filter((x) => x.begin <= ns && (x.end === undefined || ns <= x.end)).map((x) => x.act);
    if (during.length === 1) return { act: during[0] };
    if (during.length > 1) return { amb: during.map((a) => a.id) };
    return proc.container.spans.length ? undefined : 'now';
  }

  private attribution(proc: Proc): Attribution {
    if (proc.owner) return { act: proc.owner };
    if (proc.ambOwner) return { amb: proc.ambOwner };
    const open = proc.container.open;
    if (open.length === 1) return { act: open[0] };
    if (open.length > 1) return { amb: open.map((a) => a.id) };
    return undefined;
  }

  private socketOf(proc: Proc, fd: number): Extract<FdTarget, { kind: 'socket' }> {
    const t = proc.fds.get(fd);
    if (t?.kind === 'socket') return t;
    const s: FdTarget = { kind: 'socket', proto: 'unknown' };
    proc.fds.set(fd, s);
    return s;
  }

  private emitSocket(
    proc: Proc,
    e: KernelEvent,
    op: KernelOp,
    sock: Extract<FdTarget, { kind: 'socket' }>,
    ep: Endpoint | undefined,
    flow: Pick<KernelEventLite, 'bytes' | 'n' | 'te'> = {},
    at?: bigint,
  ): void {
    this.emit(proc, e, { op, addr: ep?.addr, port: ep?.port, proto: sock.proto, ...flow }, at);
  }

  private ms(e: KernelEvent, tsNs = e.tsNs): number {
    // µs precision is plenty for ordering in a graph and keeps the number exact in a double
    return Number((tsNs + this.opts.bootOffsetNs) / 1000n) / 1000;
  }

  /** `at`: when it happened, if not at the record's time (the first of summed repeats). */
  private emit(proc: Proc, e: KernelEvent, what: Omit<KernelEventLite, 'container' | 'ts' | 'pid'>, at?: bigint): void {
    const then = at === undefined ? 'now' : this.attributionAt(proc, at);
    const who = then === 'now' ? this.attribution(proc) : then;
    const startup = who ? undefined : proc.container.startup;
    if (!who && !startup) {
      this.stats.outsideActivations++;
      return;
    }
    const lite: KernelEventLite = { container: proc.container.container, op: what.op, ts: this.ms(e, at), pid: proc.graphPid, comm: proc.comm };
    for (const [k, v] of Object.entries(what)) if (v !== undefined) (lite as unknown as Record<string, unknown>)[k] = v;
    if (!proc.owner && !proc.ambOwner) lite.rt = true;
    const child = what.op === 'fork' && what.child !== undefined ? this.procs.get(what.child) : undefined;
    if (child) lite.child = child.graphPid;
    if (startup) {
      // kept (counted) when released with the first activation
      if (startup.held.length < STARTUP_HELD) startup.held.push({ lite, proc, child });
      else {
        startup.dropped++;
        this.stats.outsideActivations++;
      }
      return;
    }
    if (!who) return;
    this.stats.kept++;
    if ('amb' in who) {
      this.stats.ambiguous++;
      lite.amb = who.amb;
      this.loose.push(lite);
      return;
    }
    const a = who.act;
    lite.a = a.id;
    lite.r = a.request;
    if (a.closed) {
      // a child outliving its activation, or the runtime's summed repeats arriving after its end
      if (then === 'now') lite.late = true;
      this.loose.push(lite);
      return;
    }
    a.events.push(lite);
    if (a.events.length >= (this.opts.maxPending ?? 50_000)) {
      // too many to hold until the end: ship this part now
      a.partial = true;
      this.ready.push({ activationId: a.id, requestId: a.request, container: a.container.container, events: a.events, complete: false });
      a.events = [];
    }
  }
}

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : -1;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
