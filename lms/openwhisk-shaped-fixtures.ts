// Small actions written the way OpenWhisk examples and ordinary Node code are (helpers in a local
// module, a callback inside `new Promise`, promise chains, emitters, fire-and-forget promises,
// dispatch tables, timers), with inputs that take each branch. Only Node's built-ins, so each runs
// anywhere: the analyser's profile of each is checked against what it really prints, by the tests
// (lms/callbacks.test.ts) and the false-deviation measurement (bench/lms-false-deviations.ts).
// Written here, inline; no third-party code is copied.

export interface ActionFixture {
  name: string;
  /** package-relative path -> source text; package.json is added */
  files: Record<string, string>;
  entry: string;
  handler: string;
  /** argument lists, one run each (the run's working directory is the package's) */
  inputs: unknown[][];
}

export const OPENWHISK_SHAPED: ActionFixture[] = [
  {
    name: 'helper with a library callback inside new Promise, then .then (the chaining example shape)',
    entry: 'handler.js',
    handler: 'locationFromAddress',
    files: {
      'handler.js': `
        'use strict';
        const dns = require('dns');
        function lookupAddress(address) {
          return new Promise((resolve, reject) => {
            dns.lookup(address, { family: 4 }, (err, ip) => {
              if (err) {
                console.log('lookup failed for', address, err.code);
                return reject(err);
              }
              console.log('lookup answered', ip);
              resolve({ ip });
            });
          });
        }
        function locationFromAddress(params) {
          if (!params.address) return Promise.reject(new Error('address missing'));
          return lookupAddress(params.address).then((loc) => {
            console.log(\`location of \${params.address}: \${loc.ip}\`);
            return { ip: loc.ip };
          });
        }
        exports.locationFromAddress = locationFromAddress;`,
    },
    inputs: [[{ address: 'localhost' }], [{ address: 'no-such-host.invalid' }], [{}]],
  },
  {
    name: 'async handler awaiting helpers of a local module, with try/catch',
    entry: 'index.js',
    handler: 'main',
    files: {
      'lib/store.js': `
        const fs = require('fs');
        const os = require('os');
        const path = require('path');
        async function save(name, body) {
          const file = path.join(os.tmpdir(), 'lms-fixture-' + process.pid + '-' + name);
          await fs.promises.writeFile(file, body);
          console.log('saved %s (%d bytes)', name, body.length);
          const back = await fs.promises.readFile(file, 'utf8');
          await fs.promises.unlink(file);
          return back.length;
        }
        module.exports = { save };`,
      'index.js': `
        const { save } = require('./lib/store');
        exports.main = async function main(params) {
          console.log('request for', params.name || 'nobody');
          try {
            if (!params.name) throw new Error('no name');
            const n = await save(params.name, JSON.stringify(params));
            console.info(\`stored \${n}\`);
            return { n };
          } catch (e) {
            console.error('could not store:', e.message);
            return { error: e.message };
          }
        };`,
    },
    inputs: [[{ name: 'a' }], [{}]],
  },
  {
    name: 'event emitter and stream: .on(data), .once(end), .on(error)',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const { Readable } = require('stream');
        const { EventEmitter } = require('events');
        function count(chunks) {
          return new Promise((resolve, reject) => {
            let n = 0;
            const s = Readable.from(chunks);
            s.on('data', (c) => { n += 1; console.log('chunk %d: %s', n, c); });
            s.once('end', () => { console.log('stream ended after', n); resolve(n); });
            s.on('error', reject);
          });
        }
        const bus = new EventEmitter();
        bus.on('audit', (what) => console.warn('audit:', what));
        exports.main = async (params) => {
          bus.emit('audit', 'start');
          const n = await count(params.chunks || []);
          bus.emit('audit', 'done ' + n);
          return { n };
        };`,
    },
    inputs: [[{ chunks: ['a', 'b', 'c'] }], [{}]],
  },
  {
    name: 'fire-and-forget async call (not awaited) logging after the handler moved on',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        async function notify(who) {
          await sleep(5);
          console.log('notified', who);
        }
        exports.main = async (params) => {
          notify(params.who || 'ops');
          console.log('handler returns');
          await sleep(20);
          console.log('handler done');
          return {};
        };`,
    },
    inputs: [[{ who: 'me' }], [{}]],
  },
  {
    name: 'promise chain with .then/.catch/.finally and util.promisify',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const util = require('util');
        const zlib = require('zlib');
        const gzip = util.promisify(zlib.gzip);
        exports.main = (params) =>
          gzip(Buffer.from(String(params.text || '')))
            .then((z) => {
              console.log('compressed to', z.length);
              if (params.fail) throw new Error('asked to fail');
              return { size: z.length };
            })
            .catch((e) => {
              console.error('failed:', e.message);
              return { error: e.message };
            })
            .finally(() => console.log('finished'));`,
    },
    inputs: [[{ text: 'hello hello hello' }], [{ text: 'x', fail: true }]],
  },
  {
    name: 'Promise.all over concurrent helpers',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const crypto = require('crypto');
        function digest(item) {
          return new Promise((resolve) => {
            crypto.randomBytes(8, (err, buf) => {
              console.log('random for %s: %s', item, buf.toString('hex').length);
              resolve(item);
            });
          });
        }
        exports.main = async ({ items = [] }) => {
          console.log('digesting', items.length);
          const out = await Promise.all([digest('first'), ...items.map((i) => digest(i))]);
          console.log('all done:', out.join(','));
          return { out };
        };`,
    },
    inputs: [[{ items: ['a', 'b', 'c'] }], [{}]],
  },
  {
    name: 'named callbacks passed by reference, and bound methods',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const fs = require('fs');
        class Reader {
          constructor(tag) { this.tag = tag; }
          onRead(err, data) {
            if (err) console.log('[%s] read error', this.tag);
            else console.log('[%s] read %d bytes', this.tag, data.length);
          }
        }
        function whenRead(resolve) {
          return function (err, data) {
            console.log('callback by reference:', err ? 'error' : 'data');
            resolve();
          };
        }
        exports.main = (params) => new Promise((resolve) => {
          const r = new Reader(params.tag || 't');
          fs.readFile(__filename, r.onRead.bind(r));
          fs.readFile(params.path || '/nonexistent', whenRead(resolve));
        });`,
    },
    inputs: [[{ tag: 'x' }], [{ path: '/etc/hostname' }]],
  },
  {
    name: 'dispatch table picked by a computed key',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        function create(p) { console.log('creating', p.id); return { created: p.id }; }
        function remove(p) { console.log('removing', p.id); return { removed: p.id }; }
        const handlers = { create, remove, list: () => { console.log('listing'); return { list: [] }; } };
        exports.main = (params) => {
          const h = handlers[params.op];
          if (!h) { console.error('unknown op', params.op); return { error: 'op' }; }
          console.log('dispatching', params.op);
          const out = h(params);
          console.log('dispatched');
          return out;
        };`,
    },
    inputs: [[{ op: 'create', id: 1 }], [{ op: 'remove', id: 2 }], [{ op: 'list' }], [{ op: 'nope' }]],
  },
  {
    name: 'timers: setTimeout, setImmediate, process.nextTick around sync logs',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        exports.main = (params) => new Promise((resolve) => {
          console.log('scheduling');
          setTimeout(() => { console.log('timeout fired'); resolve({ ok: true }); }, 5);
          setImmediate(() => console.log('immediate'));
          process.nextTick(() => console.log('tick', params.n || 0));
          console.log('scheduled');
        });`,
    },
    inputs: [[{ n: 1 }], [{}]],
  },
  {
    name: 'callback-style helper of a local module (node-style cb) wrapped by the handler',
    entry: 'index.js',
    handler: 'main',
    files: {
      'lib/fetch-config.js': `
        const fs = require('fs');
        module.exports = function fetchConfig(file, cb) {
          console.log('reading config', file);
          fs.readFile(file, 'utf8', (err, text) => {
            if (err) { console.log('config missing, using defaults'); return cb(null, {}); }
            try { cb(null, JSON.parse(text)); } catch (e) { console.log('config is not JSON'); cb(e); }
          });
        };`,
      'index.js': `
        const fetchConfig = require('./lib/fetch-config');
        function main(params) {
          return new Promise((resolve, reject) => {
            fetchConfig(params.config || '/nonexistent.json', (err, cfg) => {
              if (err) { console.error('bad config'); return reject(err); }
              console.log('config keys:', Object.keys(cfg).length);
              resolve({ keys: Object.keys(cfg) });
            });
          });
        }
        module.exports.main = main;`,
    },
    inputs: [[{}], [{ config: '/etc/hostname' }], [{ config: 'package.json' }]],
  },
  {
    name: 'async iteration over an async generator, with a unit loop',
    entry: 'index.js',
    handler: 'main',
    files: {
      'index.js': `
        const fs = require('fs');
        async function* pages(n) {
          for (let i = 0; i < n; i++) { await new Promise((r) => setTimeout(r, 1)); console.log('page %d fetched', i); yield i; }
        }
        exports.main = async (params) => {
          let total = 0;
          for await (const p of pages(params.n || 0)) {
            await fs.promises.stat('/');
            console.log('processing page', p);
            total += p;
          }
          console.log('total', total);
          return { total };
        };`,
    },
    inputs: [[{ n: 3 }], [{}]],
  },
  {
    name: 'class-based service with an async method calling a logging helper',
    entry: 'index.js',
    handler: 'main',
    files: {
      'log.js': `
        function log(level, msg, ...rest) { console.log('[' + level + '] ' + msg, ...rest); }
        module.exports = { info: (m, ...r) => log('info', m, ...r), warn: (m, ...r) => log('warn', m, ...r) };`,
      'index.js': `
        const log = require('./log');
        class Service {
          async handle(p) {
            log.info('handling %s', p.id);
            if (p.id === undefined) { log.warn('no id'); return null; }
            await new Promise((r) => setImmediate(r));
            log.info('handled');
            return p.id;
          }
        }
        const svc = new Service();
        exports.main = async (params) => ({ id: await svc.handle(params) });`,
    },
    inputs: [[{ id: 'x' }], [{}]],
  },
];
