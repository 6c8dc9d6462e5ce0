// Recovers the text lines a process wrote to (or read from) stdio from the kernel's write
// stream, in the kernel's order: the marker lines (wrapper records, the runtime's sentinel) and
// whatever else shares their writes; the kernel sums every other stdio write without its bytes
// (kmod/include/sp_markers.h), and keeps a marker line cut at a write's end whole over the writes
// that follow. Stateful per (process, fd) because a line may span several writes. Pure (no I/O).

import type { KernelEvent } from './decode';
import { EventType } from './schema';

export interface StdioLine {
  tgid: number;
  pid: number;
  cgroupId: bigint;
  fd: number;
  /** boot-time ns of the write that completed the line */
  tsNs: bigint;
  line: string;
  /** some bytes of this line were not captured */
  truncated: boolean;
}

/** Feed it reassembled events (reassembleChunks) in order; it returns completed lines. */
export class StdioLineSplitter {
  private readonly partial = new Map<string, { text: string; truncated: boolean }>();

  constructor(private readonly fds: readonly number[] = [1, 2]) {}

  push(e: KernelEvent): StdioLine[] {
    if (e.type !== EventType.WRITE || !this.fds.includes(e.fd) || e.ret <= 0n) return [];
    const data = e.params.data;
    if (!Buffer.isBuffer(data)) return [];
    const key = `${e.tgid}:${e.fd}`;
    const prev = this.partial.get(key) ?? { text: '', truncated: false };
    const cut = e.truncated.includes('data');
    const parts = (prev.text + data.toString('utf8')).split('\n');
    const rest = parts.pop() ?? '';
    const lines: StdioLine[] = parts.map((line, i) => ({
      tgid: e.tgid,
      pid: e.pid,
      cgroupId: e.cgroupId,
      fd: e.fd,
      tsNs: e.tsNs,
      line,
      truncated: i === 0 ? prev.truncated : false,
    }));
    this.partial.set(key, { text: rest, truncated: (parts.length === 0 && prev.truncated) || cut });
    if (rest === '' && !cut) this.partial.delete(key);
    return lines;
  }

  /** Lines still waiting for their newline (e.g. when the process exits). */
  flush(): StdioLine[] {
    const out: StdioLine[] = [];
    for (const [key, p] of this.partial) {
      const [tgid, fd] = key.split(':').map(Number);
      if (p.text) out.push({ tgid, pid: tgid, cgroupId: 0n, fd, tsNs: 0n, line: p.text, truncated: p.truncated });
    }
    this.partial.clear();
    return out;
  }
}
