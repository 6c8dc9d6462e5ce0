// Kernel events of cgroups the agent does not know yet (pure, stateful). With a subtree registered
// (e.g. the container engine's /docker), the kernel sends a new container's events from its very
// first syscall, while discovery learns the container's cgroup only after the engine reports it.
// Those events wait here, per cgroup and in the kernel's order, until discovery names the cgroup
// (release: they go to attribution ahead of anything later) or says it is not an action container
// (ignore). The wait is bounded in events and in kernel time; what falls out is counted.
import type { KernelEvent } from '../../kmod/decode';

export interface PendingOptions {
  /** events held over all unknown cgroups (default 200000) */
  maxEvents?: number;
  /** an unknown cgroup's events are given up this long (kernel time) after its first (default 60 s) */
  maxAgeNs?: bigint;
}

export interface PendingStats {
  /** events waiting now, and in how many cgroups */
  held: number;
  heldCgroups: number;
  /** events handed to attribution once their cgroup became known */
  released: number;
  /** events given up: the buffer was full (oldest cgroup first) or their cgroup stayed unknown too long */
  evicted: number;
  expired: number;
  /** events of cgroups said not to be action containers, or of containers already gone */
  ignored: number;
}

interface Held {
  events: KernelEvent[];
  firstNs: bigint;
}

export class PendingCgroups {
  private readonly known = new Set<bigint>();
  /** ignored or retired cgroups: their events are dropped, not held */
  private readonly dropped = new Set<bigint>();
  /** insertion order = order of first event, so the oldest is first */
  private readonly held = new Map<bigint, Held>();
  private heldCount = 0;
  private readonly s = { released: 0, evicted: 0, expired: 0, ignored: 0 };
  private readonly maxEvents: number;
  private readonly maxAgeNs: bigint;

  constructor(opts: PendingOptions = {}) {
    this.maxEvents = opts.maxEvents ?? 200_000;
    this.maxAgeNs = opts.maxAgeNs ?? 60_000_000_000n;
  }

  /**
   * Split a stretch of events (in the kernel's order): those of known cgroups, and of tasks the
   * caller already follows (`followed`, e.g. a child that moved cgroup), go on; the others wait.
   */
  admit(events: readonly KernelEvent[], followed: (tgid: number) => boolean = () => false): KernelEvent[] {
    const out: KernelEvent[] = [];
    let newest = 0n;
    for (const e of events) {
      if (e.tsNs > newest) newest = e.tsNs;
      if (this.known.has(e.cgroupId) || followed(e.tgid)) {
        out.push(e);
        continue;
      }
      if (this.dropped.has(e.cgroupId)) {
        this.s.ignored++;
        continue;
      }
      let h = this.held.get(e.cgroupId);
      if (!h) {
        h = { events: [], firstNs: e.tsNs };
        this.held.set(e.cgroupId, h);
      }
      h.events.push(e);
      this.heldCount++;
    }
    this.expire(newest);
    while (this.heldCount > this.maxEvents) this.evictOldest();
    return out;
  }

  /** Discovery named this cgroup: its waiting events, in order; later ones pass through admit. */
  release(cgroupId: bigint): KernelEvent[] {
    this.known.add(cgroupId);
    this.dropped.delete(cgroupId);
    const h = this.held.get(cgroupId);
    if (!h) return [];
    this.held.delete(cgroupId);
    this.heldCount -= h.events.length;
    this.s.released += h.events.length;
    return h.events;
  }

  /** Not an action container (or gone): drop what waits and whatever else comes from it. */
  ignore(cgroupId: bigint): void {
    this.known.delete(cgroupId);
    this.dropped.add(cgroupId);
    const h = this.held.get(cgroupId);
    if (!h) return;
    this.held.delete(cgroupId);
    this.heldCount -= h.events.length;
    this.s.ignored += h.events.length;
  }

  isKnown(cgroupId: bigint): boolean {
    return this.known.has(cgroupId);
  }

  stats(): PendingStats {
    return { held: this.heldCount, heldCgroups: this.held.size, ...this.s };
  }

  private expire(newest: bigint): void {
    for (const [id, h] of this.held) {
      if (newest - h.firstNs <= this.maxAgeNs) break; // the rest started later
      this.held.delete(id);
      this.heldCount -= h.events.length;
      this.s.expired += h.events.length;
    }
  }

  private evictOldest(): void {
    const first = this.held.entries().next();
    if (first.done) return;
    const [id, h] = first.value;
    this.held.delete(id);
    this.heldCount -= h.events.length;
    this.s.evicted += h.events.length;
  }
}
