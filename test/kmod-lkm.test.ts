// The kernel module, for real: boot the Debian kernel the module was built for under qemu (TCG)
// with a busybox initramfs; insmod, run kmod/qemu/workload.sh in a cgroup, read the records
// from /dev/sp_capture (hex on the console), rmmod. The records are decoded here by the same
// decoder as the probe's, so both backends are held to one record format.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBatch, type KernelEvent } from '../kmod/decode';
import { reassembleChunks } from '../kmod/reassemble';
import { EVENT_TABLE, EventType } from '../kmod/schema';
import { StdioLineSplitter } from '../kmod/stdio-lines';
import * as os from 'node:os';
import * as path from 'node:path';
import { capturedIn, ensureBuilt, makeCgroup, missingCommands, paths, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

/** What the qemu run needs that scripts/install-system-deps.sh installs, or null when all is there. */
function lkmPrerequisites(): string | null {
  const missing = [
    missingCommands({ 'qemu-system-x86_64': 'qemu-system-x86', cpio: 'cpio' }),
    fs.existsSync('/bin/busybox') ? null : '/bin/busybox (Debian package busybox-static) missing',
    fs.readdirSync('/usr/src').some((d) => /^linux-headers-.*-amd64$/.test(d)) ? null : 'no /usr/src/linux-headers-*-amd64 (Debian package linux-headers-amd64)',
  ].filter((m): m is string => m !== null);
  return missing.length ? `${missing.join('; ')} (\`bash scripts/install-system-deps.sh\` as root installs them)` : null;
}

describeNeeding(lkmPrerequisites())('kernel module under qemu', () => {
  let consoleText = '';
  let events: KernelEvent[] = [];
  let errors: unknown[] = [];
  let cgroupId = 0n;
  /** a cgroup under the registered subtree, never given to the module by id */
  let subtreeChild = 0n;
  let endLine = '';

  beforeAll(async () => {
    ensureBuilt('lkm');
    const q = spawn('bash', [paths.qemuScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    q.stdout.on('data', (d) => chunks.push(d));
    q.stderr.on('data', (d) => chunks.push(d));
    const code = await new Promise((r) => q.on('exit', r));
    consoleText = Buffer.concat(chunks).toString('latin1').replace(/\r/g, '');
    if (code !== 0) throw new Error(`qemu exited with ${code}:\n${consoleText.slice(-3000)}`);
    const lines = consoleText.split('\n');
    cgroupId = BigInt(lines.find((l) => l.startsWith('SP-CGROUP '))!.split(' ')[1]);
    subtreeChild = BigInt(lines.find((l) => l.startsWith('SP-SUBTREE-CGROUP '))!.split(' ')[1]);
    endLine = lines.find((l) => l.startsWith('SP-END')) ?? '';
    const hex = lines.filter((l) => l.startsWith('SP-HEX ')).map((l) => l.slice(7).trim()).join('');
    const r = decodeBatch(Buffer.from(hex, 'hex'));
    events = reassembleChunks(r.events);
    errors = r.errors;
  }, 240_000);

  it('loads and unloads cleanly', () => {
    expect(consoleText).toContain('SP-INSMOD-OK');
    expect(consoleText).toContain('SP-RMMOD-OK');
    expect(consoleText).toContain('SP-DONE');
    expect(consoleText).not.toMatch(/BUG:|Oops|WARNING: CPU|Call Trace/);
    expect(endLine).toMatch(/drops=0/);
  });

  it('emits records the shared decoder reads, with each event table entry parameters', () => {
    expect(errors).toEqual([]);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) {
      expect([cgroupId, subtreeChild]).toContain(e.cgroupId);
      expect(Object.keys(e.params)).toEqual(EVENT_TABLE[e.type].params.map((p) => p.name));
    }
  });

  it('captures the workload: files, exec, a long write, a connect', () => {
    const open = events.find((e) => e.type === EventType.OPEN && e.params.path === '/tmp/kfile');
    expect(open).toBeTruthy();
    // echo writes it through fd 1, which the shell's redirect made the file: no marker, so summed
    const line = '{"sp":"guest-line"}\n';
    expect(events.some((e) => e.type === EventType.IO_REPEAT && e.tgid === open!.tgid && e.fd === 1 && e.params.of === EventType.WRITE && Number(e.params.bytes) === line.length)).toBe(true);
    expect(events.some((e) => e.type === EventType.MKDIR && e.params.path === '/tmp/kdir')).toBe(true);
    expect(events.some((e) => e.type === EventType.RENAME && e.params.oldpath === '/tmp/kfile' && e.params.newpath === '/tmp/kdir/kfile2')).toBe(true);
    expect(events.some((e) => e.type === EventType.UNLINK && e.params.path === '/tmp/kdir/kfile2')).toBe(true);
    // busybox runs its applets by exec'ing /proc/self/exe with the applet as argv[0]
    const exec = events.find((e) => e.type === EventType.EXECVE && String(e.params.argv).startsWith('tr\0'));
    expect(exec?.params.path).toBe('/proc/self/exe');
    expect(String(exec!.params.argv).split('\0')).toEqual(['tr', '\\0', 'x', '']);
    expect(exec!.comm).toBe('exe'); // comm after exec is the new image's file name
    expect(events.some((e) => e.type === EventType.PROC_FORK)).toBe(true);
    const conn = events.find((e) => e.type === EventType.CONNECT);
    expect(conn?.params.addr).toEqual({ family: 'inet', address: '127.0.0.1', port: 8099 });
  });

  it("records each forked child's pid in its own pid namespace, like the probe: 1 for the child of unshare -p", () => {
    const forks = events.filter((e) => e.type === EventType.PROC_FORK);
    const inNewNs = forks.filter((e) => e.params.child_ns_pid === 1);
    expect(inNewNs, JSON.stringify(forks.map((e) => e.params))).toHaveLength(1);
    expect(inNewNs[0].params.child_pid).not.toBe(1);
    expect(forks.filter((e) => e !== inNewNs[0]).every((e) => e.params.child_ns_pid === e.params.child_pid)).toBe(true);
  });

  it('carries a 9000-byte marker line on stdout whole over several records and writes', () => {
    const trPid = events.find((e) => e.type === EventType.EXECVE && String(e.params.argv).startsWith('tr\0'))!.tgid;
    const s = new StdioLineSplitter([1]);
    const writes = events.filter((e) => e.tgid === trPid && e.type === EventType.WRITE && e.fd === 1);
    for (const e of writes) expect(e.truncated).toEqual([]);
    expect(writes.map((e) => String(e.params.data)).join('')).toBe(`@prov/1 ${'x'.repeat(9000)}\n`);
    expect(writes.flatMap((e) => s.push(e)).map((l) => l.line)).toEqual([`@prov/1 ${'x'.repeat(9000)}`]);
  });

  it('keeps only marker writes on stdio, like the probe: a split marker whole, a plain line summed', () => {
    const first = events.find((e) => e.type === EventType.WRITE && e.fd === 1 && String(e.params.data) === '@prov/1 split');
    expect(first).toBeTruthy();
    const mine = events.filter((e) => e.tgid === first!.tgid && e.fd === 1);
    const kept = mine.filter((e) => e.type === EventType.WRITE).map((e) => String(e.params.data));
    expect(kept).toEqual(['@prov/1 split', ' marker\n', 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n']);
    const summed = mine.filter((e) => e.type === EventType.IO_REPEAT && e.params.of === EventType.WRITE);
    expect(summed.map((e) => [Number(e.params.count), Number(e.params.bytes)])).toEqual([[1, 'plain line\n'.length]]);
  });

  it('sums repeated reads and writes like the probe: one full record, then IO_REPEAT counts (stdio without a marker from the first)', () => {
    // busybox may run dd in a forked shell without exec: find it by its repeats of 64-byte reads of stdin
    const rep = events.find((e) => e.type === EventType.IO_REPEAT && e.params.of === EventType.READ && e.fd === 0 && e.ret === 64n);
    expect(rep).toBeTruthy();
    const mine = events.filter((e) => e.tgid === rep!.tgid);
    for (const [of, fd, first] of [[EventType.READ, 0, 1], [EventType.WRITE, 1, 0]]) {
      const full = mine.filter((e) => e.type === of && e.fd === fd && e.ret === 64n);
      const reps = mine.filter((e) => e.type === EventType.IO_REPEAT && e.params.of === of && e.fd === fd);
      expect(full).toHaveLength(first);
      expect(reps.length).toBeGreaterThan(0);
      expect(full.length + reps.reduce((n, e) => n + Number(e.params.count), 0)).toBe(500);
      expect(full.reduce((n, e) => n + Number(e.ret), 0) + reps.reduce((n, e) => n + Number(e.params.bytes), 0)).toBe(500 * 64);
    }
  });

  it('sums markers written to /dev/null like the probe: the first of the run recorded, the rest counted', () => {
    const line = '@prov/1 null\n';
    const first = events.findIndex((e) => e.type === EventType.WRITE && e.fd === 1 && String(e.params.data) === line);
    expect(first).toBeGreaterThanOrEqual(0);
    const mine = events.slice(first + 1).filter((e) => e.tgid === events[first].tgid && e.fd === 1);
    expect(mine.filter((e) => e.type === EventType.WRITE && String(e.params.data) === line)).toEqual([]);
    const rep = mine.find((e) => e.type === EventType.IO_REPEAT && e.params.of === EventType.WRITE);
    expect([Number(rep?.params.count), Number(rep?.params.bytes)]).toEqual([4, 4 * line.length]);
  });

  it.skipIf(probeUnavailable() !== null)('keeps and sums the same stdio writes as the probe does, on the same busybox commands on the host', async () => {
    const workload = fs.readFileSync(path.join(__dirname, '..', 'kmod', 'qemu', 'workload.sh'), 'utf8');
    const block = workload.slice(workload.indexOf('# >>> stdio markers'), workload.indexOf('# <<< stdio markers'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-lkm-markers-'));
    const cg = makeCgroup('lkm-markers');
    try {
      fs.writeFileSync(path.join(dir, 'markers.sh'), block);
      const host = await capturedIn(cg, `exec /bin/busybox sh ${dir}/markers.sh`);
      // each writer's stdout as the capture saw it: the bytes kept, and the writes counted
      const story = (evs: KernelEvent[], first: string) => {
        const w = evs.find((e) => e.type === EventType.WRITE && e.fd === 1 && String(e.params.data) === first);
        if (!w) return [];
        return evs
          .filter((e) => e.tgid === w.tgid && e.fd === 1 && (e.type === EventType.WRITE || e.type === EventType.IO_REPEAT))
          .map((e) => (e.type === EventType.WRITE ? `kept ${JSON.stringify(String(e.params.data))}` : `summed ${e.params.count} writes, ${e.params.bytes} bytes`));
      };
      for (const first of ['@prov/1 split', '@prov/1 null\n']) {
        const module = story(events, first);
        expect(module.length).toBeGreaterThan(1);
        expect(story(reassembleChunks(host.events), first)).toEqual(module);
      }
    } finally {
      cg.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not capture outside the cgroup', () => {
    expect(events.some((e) => String(e.params.path ?? '').includes('outside-file'))).toBe(false);
  });

  it('captures a cgroup it was never given that lies under a registered subtree, like the probe', () => {
    const open = events.find((e) => e.type === EventType.OPEN && String(e.params.path ?? '') === '/tmp/subtree-file');
    expect(open?.cgroupId).toBe(subtreeChild);
  });
});
