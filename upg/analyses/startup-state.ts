// A container's start-up state, told apart from state one activation leaves for the next (pure).
//
// The runtime (the action runtime's own process) makes pipes for its own plumbing while it starts,
// before any activation: libuv's signal lock, for one, is a pipe holding a one-byte token that every
// signal watcher's start and stop takes (read) and gives back (write). An activation that spawns a
// program therefore reads the token the previous activation wrote and writes one the next reads. That
// is the runtime passing a token to itself, not one request leaving state for another, and reporting
// it made one "shared state" incident per activation.
//
// WHAT THE RULE ACCEPTS (and why a handler cannot hide data behind it)
//   A flow from a planting activation X to later uses is start-up plumbing, and no incident, when all hold:
//   - the artifact is a pipe the runtime process created before the container's first activation began
//     (its name says who created it and when: protocol/pipe-name.ts), so no activation's code made it;
//   - everything X did to the pipe was done by the runtime process itself (not a child it spawned,
//     not a process left running), seen by the kernel;
//   - X wrote no more bytes to the pipe than it read from it: X left the pipe holding no more than it
//     held when X began (the token it found), so X cannot have added data of its own;
//   - every use is the runtime's own plain read.
//   A handler that writes its secret into the runtime's self-pipe (same process, same fd) writes more
//   than it reads, and stays an incident, never benign: the runtime's own use of the pipe leaves nothing
//   behind, so bytes left there are not the action's normal code path. What the rule leaves open: X may swap
//   the bytes the pipe already held (read the one-byte token, write one byte of its choice), one byte
//   per activation for libuv's lock; the kernel does not show the bytes of a pipe write.
import { parsePipeName } from '../../protocol/pipe-name';
import type { FileNode, RequestGraph, UpgEdge, UpgNode } from '../types';

/** Whether a file node is a pipe that a runtime process (one of `runtimePids`) created before `firstActivationStart`. */
export function isStartupPipe(file: Pick<FileNode, 'path'>, firstActivationStart: number | undefined, runtimePids: ReadonlySet<number>): boolean {
  const pipe = parsePipeName(file.path);
  return pipe !== undefined && firstActivationStart !== undefined && pipe.createdMs < firstActivationStart && runtimePids.has(pipe.creatorPid);
}

/** One thing an activation did to a pipe, as the rule needs it. */
export interface PipeTouch {
  kind: 'write' | 'use' | 'gone';
  op: string;
  bytes?: number;
  /** done by a process other than the runtime (a child, a process left running) */
  byProcess: boolean;
  /** seen by the kernel (the wrapper never sees pipes; anything else is not the runtime's plumbing) */
  kernel: boolean;
}

/**
 * Bytes the planter left in the pipe beyond what it took (its writes less its reads), when everything it
 * did to the pipe was the runtime's own kernel-seen reads and writes; undefined otherwise.
 */
export function bytesLeft(planterTouches: readonly PipeTouch[]): number | undefined {
  let net = 0;
  for (const t of planterTouches) {
    if (t.byProcess || !t.kernel) return undefined;
    if (t.kind === 'write' && t.op === 'write') net += t.bytes ?? Infinity;
    else if (t.kind === 'use' && t.op === 'read') net -= t.bytes ?? 0;
    else return undefined;
  }
  return net;
}

/** The planter's own touches of the pipe, and the uses of what it wrote: start-up plumbing (no incident), or something to judge. */
export function isPlumbingFlow(planterTouches: readonly PipeTouch[], uses: readonly PipeTouch[]): boolean {
  const left = bytesLeft(planterTouches);
  return left !== undefined && left <= 0 && uses.every((u) => !u.byProcess && u.kernel && u.kind === 'use' && u.op === 'read');
}

/** The runtime pid an activation's edge names: its begin record's `run` edge to a process with a real pid; else undefined. */
export function runtimePidOfEdge(e: UpgEdge, nodeOf: (id: string) => UpgNode | undefined): number | undefined {
  if (e.kind !== 'wasInformedBy' || e.op !== 'run') return undefined;
  const proc = nodeOf(e.to);
  return proc?.kind === 'process' && proc.pid >= 0 ? proc.pid : undefined;
}

/** The pid of the runtime process each activation of each container ran in (the begin record's `run` edge), from request graphs. */
export function runtimePidsByContainer(graphs: Iterable<RequestGraph>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const g of graphs) {
    const nodes = new Map<string, UpgNode>(g.nodes.map((n) => [n.id, n]));
    for (const e of g.edges) {
      const pid = runtimePidOfEdge(e, (id) => nodes.get(id));
      const from = nodes.get(e.from);
      if (pid === undefined || from?.kind !== 'activation') continue;
      const container = from.container;
      const pids = out.get(container) ?? new Set<number>();
      pids.add(pid);
      out.set(container, pids);
    }
  }
  return out;
}
