// Kernel events wait for their activation's begin record (pure, stateful). The node agent reads
// lines from the engine's log file, a few hundred ms behind the kernel; the correlator believes an
// event's activation only once it has that activation's begin record (in the same batch or
// before), so events shipped ahead of their begin would be refused. Events of an activation whose
// begin has been read go at once; the others wait, at most maxWaitMs (then they go anyway, and the
// correlator judges them), so that a lost log line cannot hold events forever.
//
// The kernel's delivery watermark (activations whose events up to their end are all handed over)
// waits the same way: an activation is listed only once none of its events is still held here, and
// once its begin has gone (the correlator must know the activation it completes).
import type { KernelEventLite } from '../../../protocol/batch';

export interface KernelPart {
  events: KernelEventLite[];
  drops: Record<string, number>;
  unplacedDrops: number;
  /** activations whose kernel events up to their end are in this part or an earlier one */
  completed?: string[];
}

interface Waiting {
  part: KernelPart;
  since: number;
}

export class KernelAfterLines {
  private readonly begun = new Set<string>();
  private readonly order: string[] = [];
  private waiting: Waiting[] = [];
  /** events shipped because their wait ran out */
  timedOut = 0;

  constructor(
    private readonly maxWaitMs = 10_000,
    /** begun activations remembered (oldest forgotten first) */
    private readonly remember = 10_000,
  ) {}

  /** A begin record of this activation has been handed to the agent. */
  began(activationId: string): void {
    if (this.begun.has(activationId)) return;
    this.begun.add(activationId);
    this.order.push(activationId);
    if (this.order.length > this.remember) this.begun.delete(this.order.shift()!);
  }

  push(part: KernelPart, now: number): void {
    this.waiting.push({ part, since: now });
  }

  /** What may be shipped now, in the order it came. */
  take(now: number): KernelPart {
    const out: KernelPart = { events: [], drops: {}, unplacedDrops: 0, completed: [] };
    const still: Waiting[] = [];
    /** activations with events still held, in the parts looked at so far */
    const holding = new Set<string>();
    for (const w of this.waiting) {
      const expired = now - w.since >= this.maxWaitMs;
      const keep: KernelEventLite[] = [];
      for (const e of w.part.events) {
        if (expired || this.ready(e)) {
          out.events.push(e);
          if (expired && !this.ready(e)) this.timedOut++;
        } else {
          keep.push(e);
          if (e.a !== undefined) holding.add(e.a);
          for (const a of e.amb ?? []) holding.add(a);
        }
      }
      const dropsLeft: Record<string, number> = {};
      for (const [a, n] of Object.entries(w.part.drops)) {
        if (expired || this.begun.has(a)) out.drops[a] = (out.drops[a] ?? 0) + n;
        else dropsLeft[a] = n;
      }
      out.unplacedDrops += w.part.unplacedDrops;
      const completedLeft: string[] = [];
      for (const a of w.part.completed ?? []) {
        if (!holding.has(a) && (expired || this.begun.has(a))) out.completed!.push(a);
        else completedLeft.push(a);
      }
      if (keep.length || Object.keys(dropsLeft).length || completedLeft.length) {
        still.push({ part: { events: keep, drops: dropsLeft, unplacedDrops: 0, completed: completedLeft }, since: w.since });
      }
    }
    this.waiting = still;
    return out;
  }

  /** events waiting now */
  held(): number {
    return this.waiting.reduce((n, w) => n + w.part.events.length, 0);
  }

  private ready(e: KernelEventLite): boolean {
    if (e.a !== undefined) return this.begun.has(e.a);
    if (e.amb) return e.amb.every((a) => this.begun.has(a));
    return true;
  }
}
