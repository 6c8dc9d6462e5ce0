// Where activations begin and end in one container's output: the meaning both readers of that
// output give to the wrapper's begin and end records and the runtime's end-of-activation sentinel.
// The agent splits the kernel's view of the stream with it, the correlator the lines it is shipped;
// one definition keeps the two from disagreeing about which activation a line or a syscall belongs to.
// Pure and stateful: fed one container's markers in the order the container wrote them.
//
// The rules:
// - a begin record starts an activation; it is in progress on both streams;
// - an end record ends it, but its output may still arrive on either stream until the runtime's
//   sentinel on that stream (the runtime writes one per activation on stdout and on stderr);
// - a sentinel closes, on its stream, one ended activation; when none has ended and exactly one is
//   in progress there, that one finished without an end record (killed, timed out, output cut) and
//   ends here;
// - an activation closed on a stream stays closed there: a later line naming it does not reopen it.
import type { StreamLine } from './batch';

export type StreamName = StreamLine['stream'];

export interface SentinelOutcome {
  /** the activation this sentinel closed on its stream, if any */
  closed?: string;
  /** the closed activation had written no end record: it ends here */
  withoutEnd?: boolean;
}

/** Closed and ended activations remembered (per container) so that late lines cannot reopen them. */
const REMEMBERED = 1024;

export class ActivationBoundaries {
  /** begun and not yet ended */
  private readonly running = new Set<string>();
  private readonly ended = new Set<string>();
  /** per stream, in the order they started there: the activations whose output it may still carry */
  private readonly inProgress: Record<StreamName, Set<string>> = { stdout: new Set(), stderr: new Set() };
  private readonly closedOn: Record<StreamName, Set<string>> = { stdout: new Set(), stderr: new Set() };

  /**
   * `carriedOver`: activations already running when this reader starts, per stream (the correlator
   * reading one batch of a longer stream); the agent, which sees the stream from its start, passes none.
   */
  constructor(carriedOver: Partial<Record<StreamName, Iterable<string>>> = {}) {
    for (const stream of STREAMS) {
      for (const id of carriedOver[stream] ?? []) {
        this.running.add(id);
        this.inProgress[stream].add(id);
      }
    }
  }

  /** A begin record. Returns false when the activation had already begun (a begin seen again). */
  begin(id: string): boolean {
    const fresh = !this.running.has(id) && !this.ended.has(id);
    if (fresh) this.running.add(id);
    for (const stream of STREAMS) this.mention(id, stream);
    return fresh;
  }

  /** A line of the activation on `stream` (a record, or a log line carrying its ids): its output is there. */
  mention(id: string, stream: StreamName): void {
    if (!this.closedOn[stream].has(id)) this.inProgress[stream].add(id);
  }

  /** An end record, written on `stream`. Returns whether the activation was running (had begun, not ended). */
  end(id: string, stream: StreamName): boolean {
    this.mention(id, stream);
    const wasRunning = this.running.delete(id);
    remember(this.ended, id);
    return wasRunning;
  }

  /** The runtime's end-of-activation sentinel on `stream`. */
  sentinel(stream: StreamName): SentinelOutcome {
    const open = this.inProgress[stream];
    let closed: string | undefined;
    for (const id of open) {
      if (this.ended.has(id)) {
        closed = id;
        break;
      }
    }
    let withoutEnd = false;
    if (closed === undefined) {
      if (open.size !== 1) return {};
      closed = first(open);
      withoutEnd = true;
      this.running.delete(closed);
      remember(this.ended, closed);
    }
    open.delete(closed);
    remember(this.closedOn[stream], closed);
    return { closed, withoutEnd };
  }

  /** Whether a sentinel on `stream` closed the activation's output there (while it is remembered). */
  isClosed(id: string, stream: StreamName): boolean {
    return this.closedOn[stream].has(id);
  }

  /** The one activation whose output `stream` carries now, if exactly one: where a line without ids belongs. */
  lone(stream: StreamName): string | undefined {
    return this.inProgress[stream].size === 1 ? first(this.inProgress[stream]) : undefined;
  }

  /** Activations begun and not ended, in the order they began. */
  runningIds(): string[] {
    return [...this.running];
  }
}

const STREAMS: readonly StreamName[] = ['stdout', 'stderr'];

function first(set: ReadonlySet<string>): string {
  return set.values().next().value as string;
}

function remember(set: Set<string>, id: string): void {
  set.delete(id);
  set.add(id);
  if (set.size > REMEMBERED) set.delete(first(set));
}
