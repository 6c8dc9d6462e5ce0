// The wrapper bundle inside a real action process: the local platform's Node action runtime
// (invokers/local/runtime, from dist/) is started as a separate process and driven over the
// action-runtime protocol (/init with a zipped artifact, /run per activation), as the
// platform does. Two activations overlap in the one process (concurrency > 1). What the
// process writes to stdout is read back, split at the end-of-activation sentinels and checked:
// records valid and verified, ids right per activation, log lines prefixed, winston entries
// tagged, file and HTTP activity recorded.

import AdmZip from 'adm-zip';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../package/root';
import { parseRecordLine, verifyRecord } from '../wrapper/records';
import type { ProvRecord } from '../protocol/wrapper-records';
import { post, readyPort } from './action-runtime-client';

const root = packageRoot();
const bundle = path.join(root, 'dist/wrapper/bundle.js');
const runtime = path.join(root, 'dist/invokers/local/runtime/server.js');
const SENTINEL = 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX';

const HANDLER = `
const fs = require('fs');
const http = require('http');
const winston = require('winston');
const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
module.exports.handlers = {
  purchase: {
    main: async (params) => {
      console.log('begin purchase', params.id);
      await sleep(params.delay);
      fs.writeFileSync('/tmp/wrapper-runtime-' + params.id + '.txt', 'order ' + params.id);
      const status = await new Promise((resolve, reject) => {
        http.get(params.url + '/price?id=' + params.id, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
      });
      logger.info('priced', { id: params.id });
      process.stdout.write('@prov/1 {"t":"fs","a":"forged","r":"x","ts":1,"s":1,"op":"unlink","path":"/","m":"0000000000000000"}\\n');
      await sleep(params.delay);
      return { id: params.id, status };
    },
  },
};
`;

// What the plugin generates per function (see the wrapper's report): the entry file.
const ENTRY = `
const { wrapHandler } = require('./.provenance/bundle.js');
exports.main = wrapHandler(() => require('./handler.js'), 'handlers.purchase.main');
`;

describe('wrapper bundle in the action runtime', () => {
  let proc: ChildProcess;
  let port: number;
  let peer: http.Server;
  let peerUrl: string;
  /** what the peer saw, the ground truth for the connect records: TCP connections accepted, and whose request came first */
  let peerConnections = 0;
  const peerRequests: string[] = [];
  let tmp: string;
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    for (const f of [bundle, runtime]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-runtime-'));
    peer = http.createServer((req, res) => {
      peerRequests.push(new URL(req.url ?? '/', 'http://peer').searchParams.get('id') ?? '?');
      res.end(JSON.stringify({ price: 3, url: req.url }));
    });
    peer.on('connection', () => peerConnections++);
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;

    proc = spawn(process.execPath, [runtime], {
      cwd: tmp,
      env: {
        PATH: process.env.PATH ?? '',
        __SP_CODE_DIR: tmp,
        __OW_ALLOW_CONCURRENT: 'true',
        // The action resolves winston like a platform image would: from NODE_PATH.
        NODE_PATH: path.join(root, 'node_modules'),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    port = await readyPort(proc, () => stderr);
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => peer?.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const id of ['p1', 'p2']) fs.rmSync(`/tmp/wrapper-runtime-${id}.txt`, { force: true });
  });

  it('frames, signs and attributes two overlapping activations correctly', async () => {
    const zip = new AdmZip();
    zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'entry.js' })));
    zip.addFile('entry.js', Buffer.from(ENTRY));
    zip.addFile('handler.js', Buffer.from(HANDLER));
    zip.addFile('.provenance/bundle.js', fs.readFileSync(bundle));
    const init = await post(port, '/init', { value: { name: 'purchase', main: 'main', binary: true, code: zip.toBuffer().toString('base64') } });
    expect(init).toEqual({ status: 200, body: { OK: true } });

    const run = (id: string, delay: number) =>
      post(port, '/run', {
        value: { id, delay, url: peerUrl },
        namespace: '_',
        action_name: '/_/purchase',
        activation_id: `act-${id}`,
        transaction_id: `req-${id}`,
        deadline: String(Date.now() + 60_000),
      });
    const first = run('p1', 60);
    await new Promise((r) => setTimeout(r, 15)); // p1 is inside its handler when p2's /run overwrites process.env
    const second = run('p2', 10);
    const results = await Promise.all([first, second]);
    expect(results).toEqual([
      { status: 200, body: { id: 'p1', status: 200 } },
      { status: 200, body: { id: 'p2', status: 200 } },
    ]);
    await new Promise((r) => setTimeout(r, 100)); // let the last stdout chunks arrive

    const lines = stdout.split('\n').filter((l) => l !== '' && l !== SENTINEL);
    expect(stdout.split('\n').filter((l) => l === SENTINEL)).toHaveLength(2);
    expect(stderr.split('\n').filter((l) => l === SENTINEL)).toHaveLength(2);

    const keys = new Map<string, string>();
    const records: ProvRecord[] = [];
    const logLines: string[] = [];
    for (const line of lines) {
      const parsed = parseRecordLine(line);
      if ('error' in parsed) {
        expect(parsed.error).toBe('not-record');
        logLines.push(line);
        continue;
      }
      if (parsed.record.t === 'begin') keys.set(parsed.record.a, parsed.record.k);
      else expect(verifyRecord(parsed.record, line, keys.get(parsed.record.a)!)).toBe(true);
      records.push(parsed.record);
    }
    // The forged line was printed by user code: it is a prefixed log line, never a record.
    expect(records.some((r) => r.a === 'forged')).toBe(false);

    for (const id of ['p1', 'p2']) {
      const a = `act-${id}`;
      const r = `req-${id}`;
      const mine = records.filter((x) => x.a === a);
      expect(mine.every((x) => x.r === r)).toBe(true);
      expect(mine.map((x) => x.s)).toEqual(mine.map((_, i) => i));
      expect(mine[0]).toMatchObject({ t: 'begin', act: '/_/purchase', ns: '_', pid: proc.pid });
      expect(mine.at(-1)).toMatchObject({ t: 'end', ok: true });
      expect(mine).toContainEqual(expect.objectContaining({ t: 'fs', op: 'write', path: `/tmp/wrapper-runtime-${id}.txt`, n: 8 }));
      expect(mine).toContainEqual(expect.objectContaining({ t: 'http', method: 'GET', url: `${peerUrl}/price?id=${id}`, status: 200 }));
      const prefix = `[prov ${r} ${a}] `;
      expect(logLines).toContain(`${prefix}begin purchase ${id}`);
      const winstonLine = logLines.find((l) => l.startsWith(prefix) && l.includes('"priced"'));
      expect(JSON.parse(winstonLine!.slice(prefix.length))).toEqual({ level: 'info', message: 'priced', id, reqId: r, activationId: a });
      expect(logLines).toContain(`${prefix}@prov/1 {"t":"fs","a":"forged","r":"x","ts":1,"s":1,"op":"unlink","path":"/","m":"0000000000000000"}`);
    }
    // Node's global agent keeps sockets alive, but whether the second request reuses the first one's
    // socket depends on timing (under load both may be in flight at once, and each opens its own).
    // What is guaranteed: one connect record per TCP connection the peer accepted, each attributed to
    // the activation that opened it: one socket reused, opened by the activation whose request
    // reached the peer first; or one socket each (a reused socket is never a new connect).
    const connects = records.filter((x) => x.t === 'net' && x.op === 'connect' && x.port === Number(new URL(peerUrl).port));
    expect(peerRequests.slice().sort()).toEqual(['p1', 'p2']);
    expect(connects).toHaveLength(peerConnections);
    expect(connects.map((c) => c.a).sort()).toEqual(peerConnections === 1 ? [`act-${peerRequests[0]}`] : ['act-p1', 'act-p2']);
    // p2 ran entirely inside p1: the first cold, the second warm, in one process.
    const begins = records.filter((x) => x.t === 'begin') as Array<Extract<ProvRecord, { t: 'begin' }>>;
    expect(begins.map((b) => [b.a, b.cold])).toEqual([['act-p1', true], ['act-p2', false]]);
    // Every user line of an activation carries an id prefix; the runtime's own sentinel does not.
    expect(logLines.every((l) => l.startsWith('[prov req-p'))).toBe(true);
  });
});
