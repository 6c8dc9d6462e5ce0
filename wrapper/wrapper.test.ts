// The wrapper's core in one process: activation frame (begin/end), handler resolution,
// context under concurrency, log-line injection (console, streams, winston), idempotent and
// reversible patching, and the wrapper's own I/O never recorded.

import childProcess from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { recordsOf, setActivationEnv, useInstalledWrapper } from '../test/wrapper-capture';
import { installWrapper, uninstallWrapper, wrapHandler } from './index';
import { isPatched, patchCount } from './patcher';
import type { EndRecord, FsRecord } from '../protocol/wrapper-records';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-core-'));
const out = useInstalledWrapper(path.join(tmp, 'artifact'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('activation frame', () => {
  it('writes begin then end, signed, in sequence, with the ids taken at entry', async () => {
    setActivationEnv('a-frame', 'r-frame', '/_/frame');
    const main = wrapHandler(() => ({ main: async (p: { x: number }) => ({ y: p.x + 1 }) }), 'main');
    expect(await main({ x: 1 })).toEqual({ y: 2 });
    const records = out.records();
    expect(records.map((r) => r.t)).toEqual(['begin', 'end']);
    expect(records.map((r) => r.s)).toEqual([0, 1]);
    expect(records[0]).toMatchObject({ a: 'a-frame', r: 'r-frame', act: '/_/frame', ns: '_', pid: process.pid });
    expect(records[1]).toMatchObject({ ok: true });
    expect((records[1] as EndRecord).dur).toBeGreaterThanOrEqual(0);
  });

  it('marks only the first activation of the process cold', async () => {
    setActivationEnv('a-warm', 'r-warm');
    await wrapHandler(() => ({ main: () => 1 }), 'main')({});
    expect(out.records()[0]).toMatchObject({ t: 'begin', cold: false });
  });

  const outcomes: Array<[string, () => unknown, { ok: boolean; err?: string }, { value?: unknown; rejects?: string }]> = [
    ['a sync return', () => ({ v: 1 }), { ok: true }, { value: { v: 1 } }],
    ['a resolved promise', () => Promise.resolve({ v: 2 }), { ok: true }, { value: { v: 2 } }],
    ['a returned {error}', () => ({ error: 'bad input' }), { ok: false, err: 'bad input' }, { value: { error: 'bad input' } }],
    ['a sync throw', () => { throw new Error('sync boom'); }, { ok: false, err: 'sync boom' }, { rejects: 'sync boom' }],
    ['a rejection', () => Promise.reject(new Error('async boom')), { ok: false, err: 'async boom' }, { rejects: 'async boom' }],
  ];
  it.each(outcomes)('handles %s without changing it', async (_what, handler, end, expected) => {
    setActivationEnv('a-outcome', 'r-outcome');
    const main = wrapHandler(() => ({ main: handler }), 'main');
    if (expected.rejects) await expect(main({})).rejects.toThrow(expected.rejects);
    else await expect(main({})).resolves.toEqual(expected.value);
    const endRecord = out.records().find((r) => r.t === 'end') as EndRecord;
    expect(endRecord.ok).toBe(end.ok);
    expect(endRecord.err).toBe(end.err);
  });

  it('returns {error} naming the problem when the export is missing or not a function', async () => {
    setActivationEnv('a-missing', 'r-missing');
    const missing = await wrapHandler(() => ({ other: () => 1 }), 'handlers.main')({});
    expect(missing).toEqual({ error: expect.stringMatching(/handler export "handlers\.main" not found.*available exports: other/) });
    const notFn = await wrapHandler(() => ({ main: 'text' }), 'main')({});
    expect(notFn).toEqual({ error: expect.stringMatching(/is a string, not a function/) });
    const ends = out.records().filter((r) => r.t === 'end') as EndRecord[];
    expect(ends.map((e) => e.ok)).toEqual([false, false]);
  });

  it('returns {error} when the module cannot be loaded, and retries on the next call', async () => {
    setActivationEnv('a-load', 'r-load');
    let attempts = 0;
    const main = wrapHandler(() => {
      attempts += 1;
      if (attempts === 1) throw new SyntaxError('Unexpected token');
      return { main: () => 'ok' };
    }, 'main');
    expect(await main({})).toEqual({ error: 'cannot load the handler module: Unexpected token' });
    expect(await main({})).toBe('ok');
  });

  it('loads the handler lazily, once', async () => {
    setActivationEnv('a-lazy', 'r-lazy');
    let loads = 0;
    const main = wrapHandler(() => {
      loads += 1;
      return { main: () => loads };
    }, 'main');
    expect(loads).toBe(0);
    await main({});
    await main({});
    expect(loads).toBe(1);
  });
});

describe('context under concurrency', () => {
  it('keeps each overlapping activation its own ids in records and log lines', async () => {
    const file = (id: string) => path.join(tmp, `conc-${id}.txt`);
    const main = wrapHandler(
      () => ({
        main: async (p: { id: string; delay: number }) => {
          console.log(`start ${p.id}`);
          await sleep(p.delay);
          // By now the other activation has overwritten process.env.
          fs.writeFileSync(file(p.id), p.id);
          process.stdout.write(`direct ${p.id}\n`);
          await sleep(p.delay);
          console.error(`done ${p.id}`);
          return { env: process.env.__OW_ACTIVATION_ID };
        },
      }),
      'main',
    );
    setActivationEnv('a-one', 'r-one');
    const first = main({ id: 'one', delay: 30 });
    setActivationEnv('a-two', 'r-two');
    const second = main({ id: 'two', delay: 10 });
    const results = await Promise.all([first, second]);
    // The handler itself sees the overwritten env: that is exactly why the wrapper must not use it.
    expect(results).toEqual([{ env: 'a-two' }, { env: 'a-two' }]);

    const records = out.records();
    for (const [a, id] of [['a-one', 'one'], ['a-two', 'two']] as const) {
      const mine = recordsOf(records, a);
      expect(mine.map((r) => r.t)).toEqual(['begin', 'fs', 'end']);
      expect(mine.every((r) => r.r === `r-${id}`)).toBe(true);
      expect((mine[1] as FsRecord).path).toBe(file(id));
      expect(out.console.find((c) => c.text.endsWith(`start ${id}`))?.text).toBe(`[prov r-${id} ${a}] start ${id}`);
      expect(out.console.find((c) => c.text.endsWith(`done ${id}`))).toEqual({ method: 'error', text: `[prov r-${id} ${a}] done ${id}` });
      expect(out.stdoutLines()).toContain(`[prov r-${id} ${a}] direct ${id}`);
    }
  });
});

describe('log line injection', () => {
  const inActivation = (fn: () => unknown) => {
    setActivationEnv('a-log', 'r-log');
    return wrapHandler(() => ({ main: fn }), 'main')({});
  };

  it.each(['log', 'info', 'warn', 'error', 'debug'] as const)('prefixes console.%s, every line', async (method) => {
    await inActivation(() => console[method]('hello %s', 'world', { n: 1 }, '\nsecond'));
    expect(out.console).toEqual([{ method, text: "[prov r-log a-log] hello world { n: 1 } \n[prov r-log a-log] second" }]);
  });

  it('prefixes console.trace (message and stack) on stderr', async () => {
    await inActivation(() => console.trace('where'));
    expect(out.console).toHaveLength(1);
    expect(out.console[0].method).toBe('error');
    const lines = out.console[0].text.split('\n');
    expect(lines[0]).toBe('[prov r-log a-log] Trace: where');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.startsWith('[prov r-log a-log] '))).toBe(true);
  });

  it('prefixes direct stream writes, including partial lines and Buffers', async () => {
    await inActivation(() => {
      process.stdout.write('part ');
      process.stdout.write(Buffer.from('one\ntwo\n'));
      process.stderr.write('err line\n');
    });
    const lines = out.stdoutLines().filter((l) => !l.startsWith('@prov/'));
    expect(lines).toEqual(['[prov r-log a-log] part one', '[prov r-log a-log] two']);
    expect(out.stderr.join('')).toBe('[prov r-log a-log] err line\n');
  });

  it('neither prefixes nor lets through record-shaped lines outside an activation', () => {
    console.log('@prov/1 {"t":"end","a":"x"}');
    console.log('plain %d', 5);
    process.stdout.write('@prov/1 {"t":"fs"}\n');
    process.stdout.write('outside\n');
    expect(out.console).toEqual([
      { method: 'log', text: '\\@prov/1 {"t":"end","a":"x"}' },
      { method: 'log', text: 'plain 5' },
    ]);
    expect(out.stdout.join('')).toBe('\\@prov/1 {"t":"fs"}\noutside\n');
  });

  it('user output cannot forge a record inside an activation either', async () => {
    await inActivation(() => {
      process.stdout.write('@prov/1 {"t":"fs","a":"a-log","r":"r-log","ts":1,"s":5,"op":"unlink","path":"/etc/passwd","m":"0000000000000000"}\n');
    });
    expect(out.records().map((r) => r.t)).toEqual(['begin', 'end']);
  });

  it('a record written after an unfinished user line still starts its own line', async () => {
    await inActivation(() => {
      process.stdout.write('no newline');
    });
    const lines = out.stdoutLines();
    expect(lines).toContain('[prov r-log a-log] no newline');
    expect(out.records().map((r) => r.t)).toEqual(['begin', 'end']);
  });

  it('adds reqId and activationId to winston entries, for the action\'s own copy of winston', async () => {
    // Load winston the way an action does: through the CommonJS loader, from node_modules.
    const requireFromAction = createRequire(path.join(process.cwd(), 'package.json'));
    const winston = requireFromAction('winston');
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
    const child = logger.child({ component: 'c' });
    logger.info('outside');
    await inActivation(async () => {
      logger.info('plain', { extra: 1 });
      logger.log('warn', 'via log');
      logger.log({ level: 'error', message: 'as object', reqId: 'caller-own' });
      child.info('from child');
      await sleep(1);
    });
    await sleep(5);
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries[0]).toEqual({ level: 'info', message: 'outside' });
    expect(entries.slice(1)).toEqual([
      { level: 'info', message: 'plain', extra: 1, reqId: 'r-log', activationId: 'a-log' },
      { level: 'warn', message: 'via log', reqId: 'r-log', activationId: 'a-log' },
      { level: 'error', message: 'as object', reqId: 'caller-own', activationId: 'a-log' },
      { level: 'info', message: 'from child', component: 'c', reqId: 'r-log', activationId: 'a-log' },
    ]);
  });
});

describe('the wrapper\'s own I/O', () => {
  it('records neither its record writes nor the loader reading the handler module', async () => {
    const dir = path.join(tmp, 'artifact');
    fs.mkdirSync(dir, { recursive: true });
    const handlerFile = path.join(dir, 'own-io.js');
    fs.writeFileSync(handlerFile, "exports.main = () => { console.log('x'); return 1; };\n");
    setActivationEnv('a-own', 'r-own');
    const main = wrapHandler(() => createRequire(handlerFile)(handlerFile), 'main');
    await main({});
    expect(out.records().map((r) => r.t)).toEqual(['begin', 'end']);
  });

  it('records code loaded from outside the artifact and node_modules as fs load', async () => {
    const planted = path.join(tmp, 'planted.js');
    fs.writeFileSync(planted, 'module.exports = 7;\n');
    const inArtifact = path.join(tmp, 'artifact', 'lib.js');
    fs.writeFileSync(inArtifact, 'module.exports = 8;\n');
    setActivationEnv('a-loadop', 'r-loadop');
    const main = wrapHandler(() => ({ main: () => createRequire(planted)(planted) + createRequire(inArtifact)(inArtifact) }), 'main');
    expect(await main({})).toBe(15);
    const loads = out.records().filter((r) => r.t === 'fs') as FsRecord[];
    expect(loads).toEqual([expect.objectContaining({ op: 'load', path: planted })]);
  });
});

describe('hook failures', () => {
  it('are never thrown into user code: counted and reported once, in the end record', async () => {
    let inspections = 0;
    // Formatting this value fails the first time only: that first time is the wrapper's own
    // formatting (for the prefix); the console's own formatting afterwards succeeds.
    const awkward = {
      [Symbol.for('nodejs.util.inspect.custom')]() {
        inspections += 1;
        if (inspections === 1) throw new Error('cannot inspect');
        return 'awkward';
      },
    };
    setActivationEnv('a-hf', 'r-hf');
    const value = await wrapHandler(() => ({ main: () => { console.log(awkward); return 'fine'; } }), 'main')({});
    expect(value).toBe('fine');
    expect(out.console).toEqual([{ method: 'log', text: 'awkward' }]);
    const end = out.records().find((r) => r.t === 'end') as EndRecord;
    expect(end).toMatchObject({ ok: true, hf: 1, hfm: 'console.log: cannot inspect' });
  });
});

describe('patching', () => {
  it('is idempotent', () => {
    const before = patchCount();
    installWrapper();
    installWrapper();
    expect(patchCount()).toBe(before);
    expect(before).toBeGreaterThan(10);
  });

  it('is reversible: after uninstall nothing is prefixed or recorded, and a reinstall works again', async () => {
    expect(isPatched(fs.readFileSync)).toBe(true);
    uninstallWrapper();
    expect(patchCount()).toBe(0);
    for (const fn of [fs.readFileSync, fs.promises.readFile, console.log, process.stdout.write, http.request, childProcess.spawnSync, net.Socket.prototype.connect]) {
      expect(isPatched(fn)).toBe(false);
    }
    setActivationEnv('a-off', 'r-off');
    console.log('after uninstall');
    expect(out.console).toEqual([{ method: 'log', text: 'after uninstall' }]);
    installWrapper({ artifactRoot: path.join(tmp, 'artifact') });
    expect(isPatched(fs.readFileSync)).toBe(true);
    await wrapHandler(() => ({ main: () => console.log('again') }), 'main')({});
    expect(out.console.at(-1)).toEqual({ method: 'log', text: '[prov r-off a-off] again' });
  });
});
