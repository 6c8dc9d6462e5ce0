import { describe, expect, it } from 'vitest';
import { edgeId, nodeIds } from '../ids';
import type { ActivationNode, EdgeKind, RequestGraph, UpgEdge, UpgNode } from '../types';
import { pipeName } from '../../protocol/pipe-name';
import { DEFAULT_CONFIG } from './config';
import { gather, type AnalysisSource } from './gather';
import { findIncidents } from './incidents';
import { isPlumbingFlow, isStartupPipe, type PipeTouch } from './startup-state';

// Graphs in the shapes the correlator draws from kernel events (correlator/kernel/event-facts.ts): the
// runtime's own syscalls are the activation's doing (edges on the activation node, source kernel), a
// child's are its process node's; the begin record links the activation to its runtime process (`run`).
// The runtime (pid 1) made its signal-lock pipe at start-up, before the first activation; each
// activation that spawns a program takes the one-byte token (read) and gives it back (write), 3 times.
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const ACTION = '/guest/hello';
const C = 'c1';
const ctr = nodeIds.container('inv0', C);
const LOCK = pipeName({ creatorPid: 1, seq: 9, createdMs: T0 - 150 });
const runtime = nodeIds.process('inv0', C, 1);

class Activation {
  nodes = new Map<string, UpgNode>();
  edges: UpgEdge[] = [];
  readonly act: string;
  constructor(readonly request: string, readonly activationId: string, readonly start: number) {
    this.act = nodeIds.activation(activationId);
    this.nodes.set(this.act, { id: this.act, kind: 'activation', activationId, requestId: request, action: ACTION, container: ctr, start, end: start + 20, cold: start === T0 } as ActivationNode);
    this.nodes.set(ctr, { id: ctr, kind: 'container', containerId: C, invoker: 'inv0', action: ACTION });
    this.nodes.set(runtime, { id: runtime, kind: 'process', container: ctr, pid: 1, exe: '/usr/bin/node' });
    this.edge(this.act, runtime, 'wasInformedBy', 'run', start, 'wrapper');
  }
  /** the runtime's own read or write of a pipe, `n` syscalls summed */
  pipe(kind: 'read' | 'write', path: string, at: number, bytes: number, n = 1, by = this.act): this {
    const file = nodeIds.file('inv0', C, path);
    this.nodes.set(file, { id: file, kind: 'file', label: 'pipe', path, container: ctr });
    return kind === 'read' ? this.edge(by, file, 'used', 'read', at, 'kernel', bytes, n) : this.edge(file, by, 'wasGeneratedBy', 'write', at, 'kernel', bytes, n);
  }
  /** a child the runtime spawned (a process node started by the activation) */
  child(pid: number, at: number): string {
    const id = nodeIds.process('inv0', C, pid);
    this.nodes.set(id, { id, kind: 'process', container: ctr, pid, exe: '/usr/bin/cat' });
    this.edge(id, this.act, 'wasStartedBy', 'spawn', at, 'kernel');
    return id;
  }
  /** what libuv does around one spawned program: 3 lock takes and gives of the one-byte token */
  spawnsOnce(path = LOCK): this {
    return this.pipe('read', path, this.start + 2, 3, 3).pipe('write', path, this.start + 3, 3, 3);
  }
  edge(from: string, to: string, kind: EdgeKind, op: string, time: number, source: 'kernel' | 'wrapper', bytes?: number, count?: number): this {
    this.edges.push({ id: edgeId({ from, to, kind, op, activationId: this.activationId, discriminator: time }), from, to, kind, op, time, activationId: this.activationId, source, ...(bytes !== undefined ? { bytes } : {}), ...(count !== undefined ? { count } : {}) } as UpgEdge);
    return this;
  }
  graph(): RequestGraph {
    const req = nodeIds.request(this.request);
    return { request: this.request, nodes: [{ id: req, kind: 'request', requestId: this.request } as UpgNode, ...this.nodes.values()], edges: this.edges };
  }
}

/** `n` consecutive activations of different requests in the container, 200 ms apart, each spawning a program once. */
const series = (n: number) => Array.from({ length: n }, (_, i) => new Activation(`R${i}`, `a${i}`, T0 + i * 200).spawnsOnce());
const reuse = (acts: Activation[], activations: ActivationNode[] = []) => findIncidents({ graphs: acts.map((a) => a.graph()), activations }, DEFAULT_CONFIG, T0 + 1e6).filter((i) => i.kind === 'container-reuse');

describe('start-up state: the runtime passing its own wake-up bytes through a pipe it made before the first activation', () => {
  it('is no incident, however many consecutive activations write the pipe and the next reads it', () => {
    expect(reuse(series(2))).toEqual([]);
    expect(reuse(series(12))).toEqual([]);
  });

  it('a handler that writes its data into the runtime’s self-pipe stays an incident, never benign', () => {
    const acts = series(6);
    // activation a3's handler writes 40 bytes into the lock pipe (the same process, the same fd)
    acts[3]!.pipe('write', LOCK, acts[3]!.start + 10, 40);
    const found = reuse(acts);
    expect(found.map((i) => [i.planter.activation, i.victims.map((v) => v.activation), i.artifact.path])).toEqual([['a3', ['a4'], LOCK]]);
    expect(found[0]!.verdict).not.toBe('benign-shared-state');
    expect(found[0]!.evidence).toContain('the planting activation left 40 byte(s) more than it took in a pipe the runtime made for itself during start-up');
  });

  const cases: Array<{ name: string; change: (acts: Activation[]) => void; planter: string; neverBenign?: boolean }> = [
    {
      name: 'a pipe made after the first activation began is state an activation made, judged as before',
      change: (acts) => {
        const late = pipeName({ creatorPid: 1, seq: 30, createdMs: T0 + 50 });
        acts[1]!.pipe('write', late, acts[1]!.start + 5, 1);
        acts[2]!.pipe('read', late, acts[2]!.start + 5, 1);
      },
      planter: 'a1',
    },
    {
      name: 'a start-up pipe made by a process other than the runtime is not the runtime’s plumbing',
      change: (acts) => {
        const other = pipeName({ creatorPid: 7, seq: 3, createdMs: T0 - 140 });
        acts[1]!.pipe('read', other, acts[1]!.start + 5, 1).pipe('write', other, acts[1]!.start + 6, 1);
        acts[2]!.pipe('read', other, acts[2]!.start + 5, 1);
      },
      planter: 'a1',
    },
    {
      name: 'a child process writing the runtime’s start-up pipe is not the runtime’s plumbing',
      change: (acts) => {
        const cat = acts[1]!.child(15, acts[1]!.start + 4);
        acts[1]!.pipe('write', LOCK, acts[1]!.start + 8, 1, 1, cat);
      },
      planter: 'a1',
      neverBenign: true,
    },
  ];
  it.each(cases)('$name', ({ change, planter, neverBenign }) => {
    const acts = series(4);
    change(acts);
    const found = reuse(acts);
    expect(found.map((i) => i.planter.activation)).toEqual([planter]);
    if (neverBenign) expect(found[0]!.verdict).not.toBe('benign-shared-state');
  });

  it('judges a use only against a planter with no unseen activation of the container between them', () => {
    const acts = series(6);
    acts[1]!.pipe('write', LOCK, acts[1]!.start + 10, 40);
    // a2 is known from the container's index only: its graph (and so its writes) were not loaded
    const known = acts.map((a) => a.nodes.get(a.act) as ActivationNode);
    const loaded = acts.filter((a) => a.activationId !== 'a2');
    expect(reuse(loaded, known)).toEqual([]);
    expect(reuse(acts, known).map((i) => i.planter.activation)).toEqual(['a1']);
  });

  it('with every write time the store knows, a use is not charged past an unloaded write', () => {
    const acts = series(6);
    acts[1]!.pipe('write', LOCK, acts[1]!.start + 10, 40);
    const lock = nodeIds.file('inv0', C, LOCK);
    const writes = acts.flatMap((a) => a.edges.filter((e) => e.from === lock && e.kind === 'wasGeneratedBy').map((e) => e.time!));
    const loaded = acts.filter((a) => a.activationId !== 'a2').map((a) => a.graph());
    const found = (writeTimes?: Map<string, number[]>) => findIncidents({ graphs: loaded, ...(writeTimes ? { writeTimes } : {}) }, DEFAULT_CONFIG, T0 + 1e6).filter((i) => i.kind === 'container-reuse');
    // a2's write (not loaded) came between a1's and a3's read: a3 read what a2 left, not a1's bytes
    expect(found(new Map([[lock, writes]]))).toEqual([]);
    // without that knowledge (and no container index) the loaded graphs alone charge a3's read to a1
    expect(found().map((i) => [i.planter.activation, i.victims.map((v) => v.activation)])).toEqual([['a1', ['a3']]]);
  });
});

describe('the rule’s parts', () => {
  it.each([
    { path: LOCK, first: T0, pids: [1], yes: true },
    { path: LOCK, first: T0 - 200, pids: [1], yes: false },
    { path: LOCK, first: undefined, pids: [1], yes: false },
    { path: LOCK, first: T0, pids: [2], yes: false },
    { path: '/tmp/pipe:1.9@1', first: T0, pids: [1], yes: false },
    { path: 'pipe:weird', first: T0, pids: [1], yes: false },
  ])('isStartupPipe($path, first $first, runtime $pids) = $yes', ({ path, first, pids, yes }) => {
    expect(isStartupPipe({ path }, first, new Set(pids))).toBe(yes);
  });

  const rt = (kind: PipeTouch['kind'], op: string, bytes?: number, more: Partial<PipeTouch> = {}): PipeTouch => ({ kind, op, bytes, byProcess: false, kernel: true, ...more });
  it.each([
    { name: 'took and gave back the token', own: [rt('use', 'read', 3), rt('write', 'write', 3)], uses: [rt('use', 'read', 3)], yes: true },
    { name: 'took more than it gave', own: [rt('use', 'read', 4), rt('write', 'write', 3)], uses: [rt('use', 'read', 1)], yes: true },
    { name: 'left one byte of its own', own: [rt('use', 'read', 3), rt('write', 'write', 4)], uses: [rt('use', 'read', 3)], yes: false },
    { name: 'a write of unknown size', own: [rt('write', 'write')], uses: [rt('use', 'read', 1)], yes: false },
    { name: 'a child wrote', own: [rt('write', 'write', 1, { byProcess: true })], uses: [rt('use', 'read', 1)], yes: false },
    { name: 'the wrapper reported it', own: [rt('write', 'write', 1, { kernel: false })], uses: [rt('use', 'read', 1)], yes: false },
    { name: 'a child read it', own: [rt('use', 'read', 1), rt('write', 'write', 1)], uses: [rt('use', 'read', 1, { byProcess: true })], yes: false },
    { name: 'executed', own: [rt('use', 'read', 1), rt('write', 'write', 1)], uses: [rt('use', 'execve')], yes: false },
  ])('isPlumbingFlow: $name -> $yes', ({ own, uses, yes }) => {
    expect(isPlumbingFlow(own, uses)).toBe(yes);
  });
});

describe('gather, over a start-up pipe every activation writes', () => {
  /** A store of `n` such activations (fake: pure loading logic), with every graph read counted. */
  function source(acts: Activation[]) {
    const graphs = new Map(acts.map((a) => [a.request, a.graph()]));
    const reads: string[] = [];
    const src: AnalysisSource = {
      getRequestGraph: async (r) => {
        reads.push(r);
        return graphs.get(r);
      },
      containerActivations: async () => acts.map((a) => a.nodes.get(a.act) as ActivationNode),
      entityHistory: async (entity) => acts.flatMap((a) => a.graph().edges.filter((e) => e.from === entity || e.to === entity).map((e) => ({ ...e, request: a.request }))),
    };
    return { src, reads };
  }

  it('loads the writes that loaded uses follow, not every writer: the same graphs for 40 activations as for 400', async () => {
    const counts: number[] = [];
    for (const n of [40, 400]) {
      const { src, reads } = source(series(n));
      await gather(src, [`R${n - 1}`]);
      counts.push(new Set(reads).size);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[1]).toBeLessThanOrEqual(22);
  });

  it('still loads the planter a loaded use follows, however old', async () => {
    const acts = series(400);
    acts[150]!.pipe('write', LOCK, acts[150]!.start + 10, 40);
    // nothing wrote the pipe after a150 until a399 read it (a151..a398 spawned nothing)
    for (const a of acts.slice(151, 399)) a.edges = a.edges.filter((e) => e.op === 'run');
    const { src, reads } = source(acts);
    const got = await gather(src, ['R399']);
    expect(reads).toContain('R150');
    expect(findIncidents(got, DEFAULT_CONFIG, T0 + 1e6).map((i) => [i.planter.activation, i.victims.map((v) => v.activation)])).toEqual([['a150', ['a399']]]);
  });
});
