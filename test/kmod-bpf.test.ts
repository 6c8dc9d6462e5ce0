// The eBPF probe against the real kernel: a process in a test cgroup does file, process and
// network work; its records come back through the addon, decode, and are attributed to it;
// a process outside the cgroup is not captured.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch, type KernelEvent } from '../kmod/decode';
import { reassembleChunks } from '../kmod/reassemble';
import { EVENT_TABLE, EventType } from '../kmod/schema';
import { StdioLineSplitter } from '../kmod/stdio-lines';
import { ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

const why = probeUnavailable();

// runs inside the cgroup: every kind of activity the agent must see
const WORKLOAD = `
const fs = require('fs'), net = require('net'), cp = require('child_process');
const [dir, port] = [process.argv[1], Number(process.argv[2])];
const f = dir + '/data.txt';
fs.writeFileSync(f, 'payload-123');
fs.readFileSync(f);
fs.renameSync(f, dir + '/renamed.txt');
fs.mkdirSync(dir + '/sub');
fs.unlinkSync(dir + '/renamed.txt');
process.stdout.write('@prov/1 ' + JSON.stringify({ t: 'begin', a: 'a1' }) + '\\n');
process.stdout.write('@prov/1 ' + 'L'.repeat(10000) + '\\n');
process.stdout.write('a log line, summed: only markers keep their bytes\\n');
cp.execFileSync('/bin/sh', ['-c', 'echo from-shell > ' + dir + '/shell.txt']);
// a child in a pid namespace of its own (as in a container), where it is pid 1
cp.execFileSync('unshare', ['--pid', '--fork', '/bin/true']);
const s = net.connect(port, '127.0.0.1', () => s.end('hello'));
s.on('close', () => process.exit(0));
`;

async function drain(c: Capture, quietPolls = 3): Promise<Buffer[]> {
  const out: Buffer[] = [];
  let quiet = 0;
  while (quiet < quietPolls) {
    const b = await c.pollAsync(200);
    if (b) {
      out.push(b);
      quiet = 0;
    } else quiet++;
  }
  return out;
}

describeNeeding(why)('eBPF probe on the real kernel', () => {
  let cap: Capture;
  const cg = makeCgroup('bpf');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-kmod-'));
  let events: KernelEvent[] = [];
  let decodeErrors: unknown[] = [];
  let childPid = 0;
  let outsidePid = 0;
  let port = 0;
  let stats = { events: 0, drops: 0, bytes: 0 };

  beforeAll(async () => {
    ensureBuilt('addon');
    cap = openCapture({ backend: 'bpf' });
    cap.addCgroup(cg.id);
    const server = net.createServer((s) => s.resume());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;

    // outside the cgroup: writes a file that must not show up
    const outside = spawn('/bin/sh', ['-c', `echo outside > ${dir}/outside.txt`]);
    outsidePid = outside.pid!;
    await new Promise((r) => outside.on('exit', r));

    // inside: the shell moves itself into the cgroup before exec'ing node, so node's first syscall is captured
    const child = spawn('/bin/sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec "${process.execPath}" -e "$0" "$1" "$2"`, WORKLOAD, dir, String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    childPid = child.pid!;
    child.stdout.resume();
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    server.close();
    const batches = await drain(cap);
    for (const b of batches) {
      const r = decodeBatch(b);
      events.push(...r.events);
      decodeErrors.push(...r.errors);
    }
    events = reassembleChunks(events);
    stats = cap.stats();
  });

  afterAll(() => {
    cap?.close();
    cg?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const mine = () => events.filter((e) => e.tgid === childPid);

  it('decodes every record, with the parameters of its table entry, attributed to the cgroup', () => {
    expect(decodeErrors).toEqual([]);
    expect(events.length).toBeGreaterThan(50);
    for (const e of events) {
      expect(e.cgroupId === cg.id || e.type === EventType.PROC_EXIT || e.type === EventType.PROC_FORK).toBe(true);
      expect(Object.keys(e.params)).toEqual(EVENT_TABLE[e.type].params.map((p) => p.name));
    }
    expect(stats.drops).toBe(0);
    expect(stats.events).toBeGreaterThanOrEqual(events.length);
  });

  it('sees the files: open with path, write with data, rename, mkdir, unlink', () => {
    const ev = mine();
    const open = ev.find((e) => e.type === EventType.OPEN && e.params.path === `${dir}/data.txt`);
    expect(open).toBeTruthy();
    expect(Number(open!.ret)).toBeGreaterThanOrEqual(0);
    expect(ev.some((e) => e.type === EventType.WRITE && e.fd === Number(open!.ret) && String(e.params.data) === 'payload-123')).toBe(true);
    expect(ev.some((e) => e.type === EventType.RENAME && e.params.oldpath === `${dir}/data.txt` && e.params.newpath === `${dir}/renamed.txt`)).toBe(true);
    expect(ev.some((e) => e.type === EventType.MKDIR && e.params.path === `${dir}/sub`)).toBe(true);
    expect(ev.some((e) => e.type === EventType.UNLINK && e.params.path === `${dir}/renamed.txt`)).toBe(true);
  });

  it('recovers marker lines on stdout whole, including one longer than a record, and no other line', () => {
    const s = new StdioLineSplitter();
    const lines = mine().flatMap((e) => s.push(e));
    expect(lines.map((l) => l.line)).toContain('@prov/1 {"t":"begin","a":"a1"}');
    const long = lines.find((l) => l.line.startsWith('@prov/1 LLLL'));
    expect(long?.line).toBe(`@prov/1 ${'L'.repeat(10000)}`);
    expect(long?.truncated).toBe(false);
    expect(lines.some((l) => l.line.includes('a log line'))).toBe(false);
  });

  it('sees the process tree: clone/fork, the shell execve with its argv, the shell writing its file, its exit', () => {
    const ev = mine();
    expect(ev.some((e) => e.type === EventType.CLONE && e.ret > 0n)).toBe(true);
    const fork = events.find((e) => e.type === EventType.PROC_FORK && e.tgid === childPid && e.params.child_pid === e.params.child_tgid);
    expect(fork).toBeTruthy();
    const exec = events.find((e) => e.type === EventType.EXECVE && e.params.path === '/bin/sh' && e.tgid !== childPid);
    expect(exec).toBeTruthy();
    expect(String(exec!.params.argv).split('\0')).toEqual(expect.arrayContaining(['/bin/sh', '-c', `echo from-shell > ${dir}/shell.txt`]));
    expect(events.some((e) => e.type === EventType.OPEN && e.params.path === `${dir}/shell.txt` && e.tgid === exec!.tgid)).toBe(true);
    // without durations the probe has no sys_enter program: every process end is a PROC_EXIT
    expect(events.some((e) => e.type === EventType.PROC_EXIT && e.pid === exec!.tgid && e.tgid === exec!.tgid)).toBe(true);
  });

  it("records each forked child's pid in its own pid namespace: the host's here, 1 for the child of unshare --pid", () => {
    const forks = events.filter((e) => e.type === EventType.PROC_FORK);
    const inNewNs = forks.filter((e) => e.params.child_ns_pid === 1);
    expect(inNewNs, JSON.stringify(forks.map((e) => e.params))).toHaveLength(1);
    expect(inNewNs[0].params.child_pid).not.toBe(1);
    // this test runs in the host's pid namespace, so every other child is numbered as the host does
    expect(forks.filter((e) => e !== inNewNs[0]).every((e) => e.params.child_ns_pid === e.params.child_pid)).toBe(true);
  });

  it('sees the network: socket, connect with the address, the bytes sent', () => {
    const ev = mine();
    expect(ev.some((e) => e.type === EventType.SOCKET && e.params.domain === 2)).toBe(true);
    const conn = ev.find((e) => e.type === EventType.CONNECT && (e.params.addr as any)?.port === port);
    expect(conn?.params.addr).toEqual({ family: 'inet', address: '127.0.0.1', port });
    expect(ev.some((e) => (e.type === EventType.WRITE || e.type === EventType.SENDTO) && e.fd === conn!.fd && String(e.params.data) === 'hello')).toBe(true);
  });

  it('does not capture a process outside the cgroup', () => {
    expect(events.filter((e) => e.tgid === outsidePid)).toEqual([]);
    expect(events.some((e) => e.type === EventType.OPEN && String(e.params.path).endsWith('outside.txt'))).toBe(false);
  });

  it('stops capturing a cgroup once removed', async () => {
    cap.removeCgroup(cg.id);
    const child = spawn('/bin/sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && echo after > ${dir}/after.txt`]);
    await new Promise((r) => child.on('exit', r));
    const after = (await drain(cap, 2)).flatMap((b) => decodeBatch(b).events);
    expect(after.filter((e) => e.tgid === child.pid)).toEqual([]);
  });
});
