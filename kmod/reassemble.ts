// Joins DATA_CHUNK records back onto the record they continue (long stdio reads/writes are
// split over several records by the kernel side; they come out of one probe run back to back
// per thread, but other threads' records may interleave). Pure.

import type { KernelEvent } from './decode';
import { EventType, RF_MORE, RF_TRUNCATED } from './schema';

/**
 * Returns the events with every DATA_CHUNK folded into its head record: the head's `data`
 * becomes the whole captured buffer, `truncated` lists `data` when any piece is missing or was
 * cut, and the chunks themselves are dropped. A chunk without a head (its head was in an
 * earlier batch, or dropped) is kept as it is, so nothing is silently lost.
 */
export function reassembleChunks(events: readonly KernelEvent[]): KernelEvent[] {
  const out: KernelEvent[] = [];
  /** per thread: the head record waiting for chunks, and its pieces */
  const open = new Map<number, { head: KernelEvent; pieces: Buffer[]; expected: bigint; broken: boolean }>();

  const close = (pid: number) => {
    const o = open.get(pid);
    if (!o) return;
    open.delete(pid);
    o.head.params.data = Buffer.concat(o.pieces);
    // the head's own data was flagged cut (it carried only the first chunk): whole now?
    const whole = !o.broken && o.expected >= o.head.ret;
    o.head.truncated = o.head.truncated.filter((n) => n !== 'data');
    if (!whole) {
      o.head.truncated.push('data');
      o.head.rflags |= RF_TRUNCATED;
    }
    o.head.rflags &= ~RF_MORE;
  };

  for (const e of events) {
    if (e.type === EventType.DATA_CHUNK) {
      const o = open.get(e.pid);
      const piece = e.params.data;
      const at = e.params.offset;
      if (!o || !Buffer.isBuffer(piece) || typeof at !== 'bigint') {
        out.push(e);
        continue;
      }
      if (at !== o.expected) o.broken = true; // a chunk went missing (ring buffer full)
      o.pieces.push(piece);
      o.expected = at + BigInt(piece.length);
      if (e.truncated.includes('data') || e.rflags & RF_TRUNCATED) o.broken = true;
      if (!(e.rflags & RF_MORE)) close(e.pid);
      continue;
    }
    // a new record from a thread whose chunks stopped early: the head is incomplete
    if (open.has(e.pid)) {
      open.get(e.pid)!.broken = true;
      close(e.pid);
    }
    out.push(e);
    const data = e.params.data;
    if (e.rflags & RF_MORE && Buffer.isBuffer(data)) {
      open.set(e.pid, { head: e, pieces: [data], expected: BigInt(data.length), broken: false });
    }
  }
  for (const pid of [...open.keys()]) {
    // the batch ended before the last chunk: keep the head as incomplete
    open.get(pid)!.broken = true;
    close(pid);
  }
  return out;
}
