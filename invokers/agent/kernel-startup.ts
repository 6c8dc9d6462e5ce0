// A container's start-up, made compact before it leaves the node (pure). The runtime's start-up is
// the same in every container (its program, its own modules, its port), so what matters is which
// files and sockets it touched and how, not every read: one event per distinct (process, op,
// object), with the count, the bytes and the first and last time of what it stands for. An event
// that names no object (a socket op on an address family without an endpoint, such as netlink) says
// nothing a trace could show, and goes.
import type { KernelEventLite } from '../../protocol/batch';

const SOCKET_OPS = new Set(['connect', 'accept', 'bind', 'listen', 'send', 'recv']);
const PATH_OPS = new Set(['open', 'read', 'write', 'rename', 'unlink', 'link', 'mkdir', 'chmod', 'exec']);

function namesSomething(ev: KernelEventLite): boolean {
  if (SOCKET_OPS.has(ev.op)) return ev.addr !== undefined && ev.addr !== '';
  if (PATH_OPS.has(ev.op)) return !!ev.path && (ev.op !== 'rename' && ev.op !== 'link' ? true : !!ev.path2);
  if (ev.op === 'fork' || ev.op === 'kill') return ev.child !== undefined;
  return true;
}

export function compactStartup(events: readonly KernelEventLite[]): KernelEventLite[] {
  const byKey = new Map<string, KernelEventLite>();
  for (const ev of events) {
    if (!namesSomething(ev)) continue;
    const key = JSON.stringify([ev.pid, ev.op, ev.path, ev.path2, ev.addr, ev.port, ev.proto, ev.child, ev.signal, ev.op === 'open' ? ev.openFlags : undefined]);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...ev });
      continue;
    }
    seen.n = (seen.n ?? 1) + (ev.n ?? 1);
    if (ev.bytes !== undefined) seen.bytes = (seen.bytes ?? 0) + ev.bytes;
    const last = ev.te ?? ev.ts;
    if (last > (seen.te ?? seen.ts)) seen.te = last;
  }
  return [...byKey.values()];
}
