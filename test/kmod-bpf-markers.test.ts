// "Markers only" stdio capture, against the real kernel (kmod/include/sp_markers.h): a write to
// stdout or stderr keeps its bytes only when it may carry an activation marker (a wrapper record,
// the runtime's sentinel) at its start or at the start of one of its buffers, or goes on with a
// marker line that a kept write left open; every other stdio write is summed (IO_REPEAT: count and
// bytes), with no record of its own. Each case runs its writes from one process whose stdout and
// stderr are pipes, as a container's are.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KernelEvent } from '../kmod/decode';
import { reassembleChunks } from '../kmod/reassemble';
import { EventType } from '../kmod/schema';
import { StdioLineSplitter } from '../kmod/stdio-lines';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { afterExec, capturedIn, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

const cg = makeCgroup('bpf-markers');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-markers-'));

/** One write(2) of one buffer, or one writev(2) of several, to fd. */
type Write = { fd: 1 | 2; bufs: string[] };
const w = (text: string, fd: 1 | 2 = 1): Write => ({ fd, bufs: [text] });
const wv = (...bufs: string[]): Write => ({ fd: 1, bufs });

/** Runs the writes, in order, from one python process in the test cgroup; its records from its exec on. */
async function runWrites(writes: Write[]): Promise<KernelEvent[]> {
  const hex = (s: string) => `bytes.fromhex('${Buffer.from(s).toString('hex')}')`;
  const body = writes.map(({ fd, bufs }) => (bufs.length === 1 ? `os.write(${fd}, ${hex(bufs[0])})` : `os.writev(${fd}, [${bufs.map(hex).join(', ')}])`));
  const script = path.join(dir, `writes-${Math.random().toString(36).slice(2)}.py`);
  fs.writeFileSync(script, ['import os', ...body, ''].join('\n'));
  const { events, pid } = await capturedIn(cg, `exec /usr/bin/python3 ${script}`);
  return reassembleChunks(afterExec(events, pid));
}

const cases: { name: string; writes: Write[]; kept: string[]; lines: string[]; summed: number }[] = [
  {
    name: 'writes with no marker are summed, with no record of their own',
    writes: [w('plain line\n'), w('another\n'), w('no newline'), w('err line\n', 2)],
    kept: [],
    lines: [],
    summed: 4,
  },
  {
    name: 'a record line is kept whole',
    writes: [w('@prov/1 {"t":"begin"}\n')],
    kept: ['@prov/1 {"t":"begin"}\n'],
    lines: ['@prov/1 {"t":"begin"}'],
    summed: 0,
  },
  {
    name: "the runtime's sentinel is kept, on stdout and on stderr",
    writes: [w(`${ACTIVATION_SENTINEL}\n`), w(`${ACTIVATION_SENTINEL}\n`, 2)],
    kept: [`${ACTIVATION_SENTINEL}\n`, `${ACTIVATION_SENTINEL}\n`],
    lines: [ACTIVATION_SENTINEL, ACTIVATION_SENTINEL],
    summed: 0,
  },
  {
    name: 'records after the one newline that ends a line user output left open are kept',
    writes: [w('user text'), w('\n@prov/1 {"t":"end"}\nXXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n')],
    kept: ['\n@prov/1 {"t":"end"}\nXXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n'],
    lines: ['', '@prov/1 {"t":"end"}', ACTIVATION_SENTINEL],
    summed: 1,
  },
  {
    name: 'a marker line split over two writes arrives whole, and the write after its newline is summed again',
    writes: [w('@prov/1 {"t":"be'), w('gin"}\n'), w('after\n')],
    kept: ['@prov/1 {"t":"be', 'gin"}\n'],
    lines: ['@prov/1 {"t":"begin"}'],
    summed: 1,
  },
  {
    name: "a write shorter than a marker's first bytes that could begin one is kept, and its line goes on",
    writes: [w('@pr'), w('ov/1 short\n'), w('XX'), w('X_THE_END_OF_A_WHISK_ACTIVATION_XXX\n')],
    kept: ['@pr', 'ov/1 short\n', 'XX', 'X_THE_END_OF_A_WHISK_ACTIVATION_XXX\n'],
    lines: ['@prov/1 short', ACTIVATION_SENTINEL],
    summed: 0,
  },
  {
    name: 'writev: kept when any of its buffers starts with a marker, summed when none does',
    writes: [wv('user line\n', '@prov/1 {"t":"end"}\n'), wv('a\n', 'b\n')],
    kept: ['user line\n@prov/1 {"t":"end"}\n'],
    lines: ['user line', '@prov/1 {"t":"end"}'],
    summed: 1,
  },
  {
    name: 'a marker later in a write than its start is not one: summed',
    writes: [w('text @prov/1 {"t":"begin"}\n'), w(`  ${ACTIVATION_SENTINEL}\n`)],
    kept: [],
    lines: [],
    summed: 2,
  },
];

describeNeeding(probeUnavailable())('eBPF probe: markers only on stdio', () => {
  afterAll(() => {
    cg.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(cases)('$name', async ({ writes, kept, lines, summed }) => {
    const events = await runWrites(writes);
    const stdio = (e: KernelEvent) => e.fd === 1 || e.fd === 2;
    const full = events.filter((e) => e.type === EventType.WRITE && stdio(e));
    const repeats = events.filter((e) => e.type === EventType.IO_REPEAT && e.params.of === EventType.WRITE && stdio(e));
    expect(full.map((e) => String(e.params.data))).toEqual(kept);
    expect(full.every((e) => e.truncated.length === 0)).toBe(true);
    const s = new StdioLineSplitter();
    expect(full.flatMap((e) => s.push(e)).map((l) => l.line)).toEqual(lines);
    // every write is accounted for, once: kept with its bytes, or counted with them
    expect(repeats.reduce((n, e) => n + Number(e.params.count), 0)).toBe(summed);
    const bytes = writes.reduce((n, x) => n + x.bufs.reduce((m, b) => m + Buffer.byteLength(b), 0), 0);
    expect(full.reduce((n, e) => n + Number(e.ret), 0) + repeats.reduce((n, e) => n + Number(e.params.bytes), 0)).toBe(bytes);
  });
});
