// The fs, net, http and child_process hooks, each form of each call, against the real
// modules: what a handler does inside an activation becomes the expected records, and the
// call's own result is unchanged.

import childProcess from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { setActivationEnv, useInstalledWrapper } from '../../test/wrapper-capture';
import { wrapHandler } from '../index';
import type { ProvRecord } from '../../protocol/wrapper-records';

// Made at collection time: the case tables below name files in it.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-hooks-'));
const out = useInstalledWrapper(tmp);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs fn as one activation's handler; returns its result and the records between begin and end (frame fields dropped). */
async function activation<T>(fn: () => T | Promise<T>): Promise<{ value: T; records: Array<Record<string, unknown>> }> {
  setActivationEnv('a-hook', 'r-hook');
  const value = (await wrapHandler(() => ({ main: fn }), 'main')({})) as T;
  const records = out.records();
  expect(records[0].t).toBe('begin');
  expect(records.at(-1)!.t).toBe('end');
  return { value, records: records.slice(1, -1).map(strip) };
}

function strip(r: ProvRecord): Record<string, unknown> {
  const { a: _a, r: _r, ts: _ts, s: _s, m: _m, ...rest } = r;
  return rest;
}

describe('fs', () => {
  const p = (name: string) => path.join(tmp, name);
  const seed = (name: string, text = 'seed') => fs.writeFileSync(p(name), text); // outside any activation: not recorded

  const cases: Array<[string, (() => void) | null, () => unknown, Array<Record<string, unknown>>]> = [
    ['writeFileSync', null, () => fs.writeFileSync(p('w1'), 'hello'), [{ t: 'fs', op: 'write', path: p('w1'), n: 5 }]],
    ['writeFile (callback)', null, () => promisify(fs.writeFile)(p('w2'), Buffer.from('abc')), [{ t: 'fs', op: 'write', path: p('w2'), n: 3 }]],
    ['promises.writeFile', null, () => fs.promises.writeFile(p('w3'), 'é'), [{ t: 'fs', op: 'write', path: p('w3'), n: 2 }]],
    ['appendFileSync', () => seed('ap'), () => fs.appendFileSync(p('ap'), 'xy'), [{ t: 'fs', op: 'write', path: p('ap'), n: 2, flags: 'a' }]],
    ['readFileSync', () => seed('r1', 'four'), () => fs.readFileSync(p('r1')), [{ t: 'fs', op: 'read', path: p('r1'), n: 4 }]],
    ['readFileSync utf8', () => seed('r1u', 'four'), () => fs.readFileSync(p('r1u'), 'utf8'), [{ t: 'fs', op: 'read', path: p('r1u'), n: 4 }]],
    ['readFile (callback)', () => seed('r2', 'xx'), () => promisify(fs.readFile)(p('r2')), [{ t: 'fs', op: 'read', path: p('r2'), n: 2 }]],
    ['promises.readFile', () => seed('r3', 'xyz'), () => fs.promises.readFile(p('r3'), 'utf8'), [{ t: 'fs', op: 'read', path: p('r3'), n: 3 }]],
    [
      'open/read/read/close (sync): one aggregated read',
      () => seed('agg', '0123456789'),
      () => {
        const fd = fs.openSync(p('agg'), 'r');
        const buf = Buffer.alloc(4);
        fs.readSync(fd, buf, 0, 4, 0);
        fs.readSync(fd, buf, 0, 4, 4);
        fs.readSync(fd, buf, 0, 4, 8);
        fs.closeSync(fd);
      },
      [
        { t: 'fs', op: 'open', path: p('agg'), flags: 'r' },
        { t: 'fs', op: 'read', path: p('agg'), n: 10 },
      ],
    ],
    [
      'open/write/write (callback), left open: flushed at activation end',
      null,
      async () => {
        const fd = await promisify(fs.open)(p('cbw'), 'w');
        await promisify(fs.write)(fd, 'ab');
        await promisify(fs.write)(fd, 'cde');
        return fd;
      },
      [
        { t: 'fs', op: 'open', path: p('cbw'), flags: 'w' },
        { t: 'fs', op: 'write', path: p('cbw'), n: 5 },
      ],
    ],
    [
      'promises.open FileHandle read/write/close',
      null,
      async () => {
        const h = await fs.promises.open(p('fh'), 'w+');
        await h.write('12345');
        await h.read(Buffer.alloc(5), 0, 5, 0);
        await h.close();
      },
      [
        { t: 'fs', op: 'open', path: p('fh'), flags: 'w+' },
        { t: 'fs', op: 'read', path: p('fh'), n: 5 },
        { t: 'fs', op: 'write', path: p('fh'), n: 5 },
      ],
    ],
    ['createWriteStream (uses fs.open/write/close)', null, () => new Promise<void>((res) => fs.createWriteStream(p('ws')).end('stream!', () => res())), [
      { t: 'fs', op: 'open', path: p('ws'), flags: 'w' },
      { t: 'fs', op: 'write', path: p('ws'), n: 7 },
    ]],
    ['unlinkSync', () => seed('u1'), () => fs.unlinkSync(p('u1')), [{ t: 'fs', op: 'unlink', path: p('u1') }]],
    ['promises.unlink', () => seed('u2'), () => fs.promises.unlink(p('u2')), [{ t: 'fs', op: 'unlink', path: p('u2') }]],
    ['rmSync', () => seed('rm1'), () => fs.rmSync(p('rm1')), [{ t: 'fs', op: 'unlink', path: p('rm1') }]],
    ['renameSync', () => seed('mv1'), () => fs.renameSync(p('mv1'), p('mv2')), [{ t: 'fs', op: 'rename', path: p('mv1'), path2: p('mv2') }]],
    ['rename (callback)', () => seed('mv3'), () => promisify(fs.rename)(p('mv3'), p('mv4')), [{ t: 'fs', op: 'rename', path: p('mv3'), path2: p('mv4') }]],
    ['mkdirSync recursive', null, () => fs.mkdirSync(p('d1/d2'), { recursive: true }), [{ t: 'fs', op: 'mkdir', path: p('d1/d2') }]],
    ['promises.mkdir', null, () => fs.promises.mkdir(p('d3')), [{ t: 'fs', op: 'mkdir', path: p('d3') }]],
    ['rmdirSync', () => fs.mkdirSync(p('d4')), () => fs.rmdirSync(p('d4')), [{ t: 'fs', op: 'rmdir', path: p('d4') }]],
    ['copyFileSync', () => seed('c1'), () => fs.copyFileSync(p('c1'), p('c2')), [{ t: 'fs', op: 'copy', path: p('c1'), path2: p('c2') }]],
    ['promises.copyFile', () => seed('c3'), () => fs.promises.copyFile(p('c3'), p('c4')), [{ t: 'fs', op: 'copy', path: p('c3'), path2: p('c4') }]],
    ['symlinkSync', () => seed('s1'), () => fs.symlinkSync(p('s1'), p('s2')), [{ t: 'fs', op: 'symlink', path: p('s1'), path2: p('s2') }]],
    ['chmodSync', () => seed('ch'), () => fs.chmodSync(p('ch'), 0o600), [{ t: 'fs', op: 'chmod', path: p('ch') }]],
    ['promises.chmod', () => seed('ch2'), () => fs.promises.chmod(p('ch2'), 0o600), [{ t: 'fs', op: 'chmod', path: p('ch2') }]],
    ['truncateSync', () => seed('tr'), () => fs.truncateSync(p('tr'), 1), [{ t: 'fs', op: 'truncate', path: p('tr') }]],
    ['a relative path is made absolute', null, () => fs.writeFileSync(path.relative(process.cwd(), p('rel')), 'r'), [{ t: 'fs', op: 'write', path: p('rel'), n: 1 }]],
    ['a failed call records nothing and still throws', null, () => {
      try {
        fs.readFileSync(p('does-not-exist'));
      } catch (e) {
        return (e as NodeJS.ErrnoException).code;
      }
    }, []],
  ];
  it.each(cases)('%s', async (_name, setup, action, expected) => {
    setup?.();
    const { records } = await activation(action);
    expect(records).toEqual(expected);
  });

  it('leaves results unchanged', async () => {
    seed('same', 'same text');
    const { value } = await activation(() => fs.readFileSync(p('same'), 'utf8'));
    expect(value).toBe('same text');
  });
});

describe('net and http', () => {
  it('records listen, accept, connect, HTTP method/url/status and bytes at close', async () => {
    const { records } = await activation(async () => {
      const server = http.createServer((req, res) => res.end(`you asked ${req.url}`));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get(`http://127.0.0.1:${port}/item?id=7`, { agent: false }, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      await new Promise((r) => server.close(r));
      return { port, body };
    });
    const listen = records.find((r) => r.op === 'listen')!;
    const port = listen.port as number;
    expect(listen).toEqual({ t: 'net', op: 'listen', addr: '127.0.0.1', port, proto: 'tcp' });
    expect(records).toContainEqual({ t: 'net', op: 'connect', addr: '127.0.0.1', port, proto: 'tcp' });
    expect(records).toContainEqual(expect.objectContaining({ t: 'net', op: 'accept', addr: '127.0.0.1', proto: 'tcp' }));
    expect(records).toContainEqual({ t: 'http', method: 'GET', url: `http://127.0.0.1:${port}/item?id=7`, host: '127.0.0.1', port, status: 200 });
    const sends = records.filter((r) => r.op === 'send' && r.port === port);
    expect(sends).toHaveLength(1);
    expect(sends[0].n).toBeGreaterThan(40);
    // The server side closed inside the activation: bytes then close. The client socket closes
    // after the handler returned: its bytes were reported at activation end.
    const acceptedPort = records.find((r) => r.op === 'accept')!.port;
    expect(records).toContainEqual({ t: 'net', op: 'close', addr: '127.0.0.1', port: acceptedPort, proto: 'tcp' });
    expect(records).toContainEqual({ t: 'net', op: 'recv', addr: '127.0.0.1', port, proto: 'tcp', n: expect.any(Number) });
  });

  it('records an HTTP request that fails, and the error still reaches the caller', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { value, records } = await activation(
      () =>
        new Promise<string>((resolve) => {
          http.request({ host: '127.0.0.1', port, method: 'POST', path: '/x' }).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')).end();
        }),
    );
    expect(value).toBe('ECONNREFUSED');
    expect(records).toContainEqual({ t: 'http', method: 'POST', url: `http://127.0.0.1:${port}/x`, host: '127.0.0.1', port, err: expect.stringContaining('ECONNREFUSED') });
  });

  it('does not drain or hold a response the caller reads itself (no listener added)', async () => {
    const server = http.createServer((_q, res) => res.end('x'.repeat(100)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const { value } = await activation(
      () =>
        new Promise<number>((resolve) => {
          const req = http.get({ host: '127.0.0.1', port, agent: false });
          req.on('response', (res) => {
            let n = 0;
            res.on('data', (d: Buffer) => (n += d.length));
            res.on('end', () => resolve(n + req.listenerCount('response') * 1000));
          });
        }),
    );
    await new Promise((r) => server.close(r));
    expect(value).toBe(1100);
  });
});

describe('child_process', () => {
  const cases: Array<[string, () => unknown, Array<Record<string, unknown>>]> = [
    ['spawn', () => new Promise((r) => childProcess.spawn('true', ['a', 'b']).on('exit', r)), [
      { t: 'proc', op: 'spawn', cmd: 'true', args: ['a', 'b'], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: 'true', pid: expect.any(Number), code: 0 },
    ]],
    ['exec', () => promisify(childProcess.exec)('exit 0'), [
      { t: 'proc', op: 'spawn', cmd: '/bin/sh', args: ['-c', 'exit 0'], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: '/bin/sh', pid: expect.any(Number), code: 0 },
    ]],
    ['execFile with a failing command', () => promisify(childProcess.execFile)('false').catch((e) => e.code), [
      { t: 'proc', op: 'spawn', cmd: 'false', args: [], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: 'false', pid: expect.any(Number), code: 1 },
    ]],
    ['spawnSync', () => childProcess.spawnSync('true', ['x']).status, [
      { t: 'proc', op: 'spawn', cmd: 'true', args: ['x'], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: 'true', pid: expect.any(Number), code: 0 },
    ]],
    ['execSync', () => childProcess.execSync('echo hi').toString(), [
      { t: 'proc', op: 'spawn', cmd: '/bin/sh', args: ['-c', 'echo hi'] },
      { t: 'proc', op: 'exit', cmd: '/bin/sh', code: 0 },
    ]],
    ['execFileSync that fails (throws as before)', () => {
      try {
        childProcess.execFileSync('false');
      } catch (e) {
        return (e as { status: number }).status;
      }
    }, [
      { t: 'proc', op: 'spawn', cmd: 'false', args: [], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: 'false', pid: expect.any(Number), code: 1 },
    ]],
    ['fork', () => {
      const script = path.join(tmp, 'child.js');
      fs.writeFileSync(script, 'process.exit(3)');
      return new Promise((r) => childProcess.fork(script, ['arg'], { execArgv: [] }).on('exit', r));
    }, [
      { t: 'fs', op: 'write', path: path.join(tmp, 'child.js'), n: 15 },
      { t: 'proc', op: 'spawn', cmd: process.execPath, args: [path.join(tmp, 'child.js'), 'arg'], pid: expect.any(Number) },
      { t: 'proc', op: 'exit', cmd: process.execPath, pid: expect.any(Number), code: 3 },
    ]],
    ['a command that cannot start', () => new Promise((r) => childProcess.spawn('/nonexistent/cmd').on('error', (e: NodeJS.ErrnoException) => r(e.code))), [
      { t: 'proc', op: 'spawn', cmd: '/nonexistent/cmd', args: [] },
    ]],
  ];
  it.each(cases)('%s', async (_name, action, expected) => {
    const { records } = await activation(action);
    expect(records).toEqual(expected);
  });
});
