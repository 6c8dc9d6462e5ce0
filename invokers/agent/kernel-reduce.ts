// ProTracer-style reduction of one activation's kernel events before they leave the node (pure):
// - a temporary file (created and deleted inside the activation, never read, run, renamed or
//   linked meanwhile) cannot have carried information anywhere: all its events go;
// - an open followed by reads or writes of the same file by the same process says nothing the
//   reads and writes do not: it goes;
// - repeated reads/writes/sends/receives of one object by one process become one event with a
//   count, a byte total and the first and last time.
import type { KernelEventLite } from '../../protocol/batch';

export interface ReduceOptions {
  /** only when the events are the whole activation: a part cannot see the file's whole life */
  dropTempFiles: boolean;
}

export interface ReduceResult {
  events: KernelEventLite[];
  /** temporary files whose events were dropped */
  tempFiles: number;
  /** events removed (temp files, folded opens, aggregation) */
  removed: number;
}

const O_CREAT = 0o100;
const O_ACCMODE = 3;
const O_RDONLY = 0;

const FLOW_OPS = new Set(['read', 'write', 'send', 'recv']);

export function reduceKernelEvents(input: readonly KernelEventLite[], opts: ReduceOptions): ReduceResult {
  let events = [...input];
  let tempFiles = 0;
  if (opts.dropTempFiles) {
    const dead = tempFileEvents(events);
    tempFiles = dead.files;
    events = events.filter((_, i) => !dead.indexes.has(i));
  }
  events = foldOpens(events);
  events = aggregate(events);
  return { events, tempFiles, removed: input.length - events.length };
}

/** Indexes of the events of files created and deleted unread within the list. */
function tempFileEvents(events: readonly KernelEventLite[]): { indexes: Set<number>; files: number } {
  const byPath = new Map<string, number[]>();
  events.forEach((e, i) => {
    for (const p of [e.path, e.path2]) {
      if (p === undefined || p.startsWith('pipe:')) continue;
      const key = `${e.container}\u0000${p}`;
      const list = byPath.get(key) ?? [];
      list.push(i);
      byPath.set(key, list);
    }
  });
  const indexes = new Set<number>();
  let files = 0;
  for (const [key, list] of byPath) {
    const p = key.split('\u0000')[1];
    let start = -1;
    for (const i of list) {
      const e = events[i];
      const creates = e.op === 'open' && e.path === p && ((e.openFlags ?? 0) & O_CREAT) !== 0 && ((e.openFlags ?? 0) & O_ACCMODE) !== O_RDONLY;
      if (start < 0) {
        if (creates) start = i;
        continue;
      }
      if (e.op === 'unlink' && e.path === p) {
        for (const j of list) if (j >= start && j <= i) indexes.add(j);
        files++;
        start = -1;
        continue;
      }
      if (!harmless(e, p)) start = -1; // the file was used: it carried something
    }
  }
  return { indexes, files };
}

/** An event on a temp-file candidate that does not let its contents out. */
function harmless(e: KernelEventLite, p: string): boolean {
  if (e.path2 === p) return false; // a rename or link onto it
  switch (e.op) {
    case 'write':
    case 'chmod':
      return true;
    case 'open':
      return ((e.openFlags ?? 0) & O_ACCMODE) !== O_RDONLY;
    default:
      return false; // read, exec, rename, link
  }
}

function foldOpens(events: KernelEventLite[]): KernelEventLite[] {
  const used = new Set<string>();
  for (const e of events) if ((e.op === 'read' || e.op === 'write') && e.path !== undefined) used.add(`${e.container}\u0000${e.pid}\u0000${e.path}`);
  return events.filter((e) => !(e.op === 'open' && e.path !== undefined && used.has(`${e.container}\u0000${e.pid}\u0000${e.path}`)));
}

function aggregate(events: KernelEventLite[]): KernelEventLite[] {
  const out: KernelEventLite[] = [];
  const groups = new Map<string, KernelEventLite>();
  for (const e of events) {
    if (!FLOW_OPS.has(e.op)) {
      out.push(e);
      continue;
    }
    const key = [e.container, e.a ?? '', (e.amb ?? []).join(','), e.late ? 'late' : '', e.pid, e.op, e.path ?? '', e.addr ?? '', e.port ?? '', e.proto ?? ''].join('\u0000');
    const g = groups.get(key);
    if (!g) {
      const first = { ...e };
      groups.set(key, first);
      out.push(first);
      continue;
    }
    g.n = (g.n ?? 1) + (e.n ?? 1);
    if (e.bytes !== undefined) g.bytes = (g.bytes ?? 0) + e.bytes;
    g.te = Math.max(g.te ?? g.ts, e.te ?? e.ts);
  }
  return out;
}
