// Typed access to the native capture addon (kmod/addon/sp_addon.cc). Loading never throws:
// when kernel capture cannot run here, `loadCapture()` says why and which step to take, so the
// platform can run without it and tell the user.
import * as fs from 'node:fs';
import { kmodPaths } from './paths';

export type Backend = 'bpf' | 'kmod';

export interface CaptureOptions {
  backend?: Backend;
  /** the kernel module's device (default /dev/sp_capture) */
  device?: string;
  /** bytes per batch buffer (default 1 MiB, at least 8192) */
  batchBytes?: number;
  /**
   * Measure each syscall's duration (and record exit_group as it is entered). The eBPF backend then
   * attaches a second program, on sys_enter, which every syscall of the machine pays for; off by
   * default (records carry duration 0). The kernel module always measures durations.
   */
  durations?: boolean;
}

export interface CaptureStats {
  /** records the kernel side wrote */
  events: number;
  /** records lost because the buffer was full */
  drops: number;
  bytes: number;
}

/** One open capture (one probe loaded, or the module's device open). */
export interface Capture {
  readonly backend: Backend;
  /** Capture the processes of this cgroup v2 (id = the cgroup directory's inode number). */
  addCgroup(id: bigint | number | string): void;
  removeCgroup(id: bigint | number | string): void;
  /**
   * Also capture every process whose cgroup lies under this one (id at depth `level` below the
   * cgroup v2 root, e.g. a container engine's `/docker` at level 1), so that a container's first
   * syscalls are recorded before its own cgroup is known. At most 8 subtrees.
   */
  addSubtree(id: bigint | number | string, level: number): void;
  removeSubtree(id: bigint | number | string, level: number): void;
  /** Capture this process (and, as they fork, its children) wherever it is. */
  addPid(pid: number): void;
  /** Records written since the last poll, back to back (decodeBatch), or null. Blocks up to timeoutMs. */
  poll(timeoutMs?: number): Buffer | null;
  /** Same, waiting on a worker thread. One at a time. */
  pollAsync(timeoutMs?: number): Promise<Buffer | null>;
  stats(): CaptureStats;
  close(): void;
}

interface AddonModule {
  Capture: new (opts?: CaptureOptions) => Capture;
  bootTimeOffsetNs(): bigint;
  recordVersion: number;
}

export type CaptureAvailability =
  | { ok: true; addon: AddonModule }
  | { ok: false; reason: string; step: string };

let cached: CaptureAvailability | undefined;

/** Load the addon (once). Does not load the probe: `openCapture` does. */
export function loadCapture(): CaptureAvailability {
  if (cached) return cached;
  const p = kmodPaths();
  if (!fs.existsSync(p.addon)) {
    cached = {
      ok: false,
      reason: `the kernel capture addon is not built (${p.addon} is missing)`,
      step: 'as root: scripts/install-system-deps.sh && scripts/kmod-build.sh',
    };
    return cached;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = { ok: true, addon: require(p.addon) as AddonModule };
  } catch (e) {
    cached = {
      ok: false,
      reason: `the kernel capture addon does not load: ${(e as Error).message}`,
      step: 'rebuild it on this machine: scripts/kmod-build.sh addon (libbpf1 and libelf1 must be installed)',
    };
  }
  return cached;
}

/**
 * Open a capture backend. Throws an Error with code SP_CAPTURE_UNAVAILABLE and a message that
 * says what to do when the addon is missing or the kernel refuses the probe (not root, no BTF).
 */
export function openCapture(opts: CaptureOptions = {}): Capture {
  const a = loadCapture();
  if (!a.ok) {
    const err = new Error(`kernel capture is off: ${a.reason}; to enable it: ${a.step}`) as Error & { code: string };
    err.code = 'SP_CAPTURE_UNAVAILABLE';
    throw err;
  }
  return new a.addon.Capture(opts);
}

/** CLOCK_REALTIME - CLOCK_BOOTTIME in ns: record tsNs + this = ns since the epoch. */
export function bootTimeOffsetNs(): bigint {
  const a = loadCapture();
  if (a.ok) return a.addon.bootTimeOffsetNs();
  // without the addon, estimate from /proc/uptime (ms precision is enough for display)
  const up = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(up * 1e9));
}
