// The node agent's counters, and one snapshot of everything it can say about itself (what
// /metrics renders and tests read).
import type { AgentStats } from '../agent';
import type { KernelTapStats } from '../kernel-tap';

export interface NodeAgentStats {
  kernelCapture: boolean;
  engineConnected: boolean;
  containersFollowed: number;
  containersSeen: number;
  containersSkipped: number;
  discoveryErrors: Record<string, number>;
  linesRead: number;
  logRotations: { replaced: number; truncated: number };
  batches: AgentStats;
  kernel: {
    /** records the kernel wrote, and lost because the ring buffer was full */
    captured: number;
    dropped: number;
    /** events attributed to an activation (before reduction), shipped after it, and removed by it */
    attributed: number;
    shipped: number;
    /** the syscalls the shipped events stand for (a summed event stands for n) */
    syscallsShipped: number;
    reduced: number;
    /** events of not-yet-known cgroups: waiting, released once discovered, given up */
    pendingHeld: number;
    pendingReleased: number;
    pendingDropped: number;
    /** containers whose first exec the kernel saw, and events held for them before discovery */
    firstExecs: number;
    heldBeforeDiscovery: number;
  };
  /** with the correlator in the agent's process: batches it ingested, kernel events it drew into graphs */
  ingested?: { batches: number; kernelEvents: number };
}

export class NodeAgentCounters {
  containersSeen = 0;
  containersSkipped = 0;
  linesRead = 0;
  firstExecs = 0;
  heldBeforeDiscovery = 0;
  kernelSyscallsShipped = 0;
  readonly discoveryErrors: Record<string, number> = {};
  readonly logRotations = { replaced: 0, truncated: 0 };

  snapshot(now: { agent: AgentStats; kernel?: KernelTapStats; followed: number; kernelOn: boolean; engineConnected: boolean }): NodeAgentStats {
    const k = now.kernel;
    return {
      kernelCapture: now.kernelOn,
      engineConnected: now.engineConnected,
      containersFollowed: now.followed,
      containersSeen: this.containersSeen,
      containersSkipped: this.containersSkipped,
      discoveryErrors: { ...this.discoveryErrors },
      linesRead: this.linesRead,
      logRotations: { ...this.logRotations },
      batches: now.agent,
      kernel: {
        captured: k?.records ?? 0,
        dropped: k?.drops ?? 0,
        attributed: k?.kept ?? 0,
        shipped: k?.shipped ?? 0,
        syscallsShipped: this.kernelSyscallsShipped,
        reduced: k?.reducedAway ?? 0,
        pendingHeld: k?.pendingHeld ?? 0,
        pendingReleased: k?.pendingReleased ?? 0,
        pendingDropped: k?.pendingDropped ?? 0,
        firstExecs: this.firstExecs,
        heldBeforeDiscovery: this.heldBeforeDiscovery,
      },
    };
  }
}
