import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAction } from './analyze';
import { createMatcher } from './matcher';
import { assignUnits, checkSequence } from './sequence';
import type { LmsProfile } from './types';
import { packageWriter } from './fixtures/package-writer';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-analyze-'));
const nodeModules = path.resolve(__dirname, '..', 'node_modules');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Write a fixture package (files inline) and return the entry's path. */
const fixture = packageWriter(root);

const texts = (p: LmsProfile): string[] => p.templates.map((t) => t.text).sort();
const sinks = (p: LmsProfile): string[] => p.templates.map((t) => `${t.sink.kind}.${t.sink.method}:${t.text}`).sort();

describe('analyzeAction finds every logging construct', () => {
  const table: Array<{ name: string; files: Record<string, string>; entry?: string; expect: string[]; via?: 'sinks' }> = [
    {
      name: 'console methods, format strings, template literals, concatenation',
      files: {
        'index.js': `
          exports.main = function (params) {
            console.log('start %s with %d items (%i%%)', params.name, params.items.length * 1, 5);
            console.error(\`failed \${params.id} after \${params.ms * 2} ms\`);
            console.warn('user ' + params.user + ' denied');
            console.info('json %j and %o', params, params);
            console.debug('%cstyled', 'color: red');
            console.log('plain', 42, true, null, { a: 1 });
            return {};
          };`,
      },
      expect: ['failed {text} after {number} ms', 'json {json} and {inspect}', 'plain 42 true null {inspect}', 'start {text} with {number} items (5%)', 'styled', 'user {text} denied'],
    },
    {
      name: 'winston loggers: createLogger, child, passed as a parameter, kept on this, exported; splat or not',
      files: {
        'log.js': `
          const winston = require('winston');
          const { createLogger, format } = require('winston');
          const base = createLogger({ format: format.combine(format.splat(), format.json()) });
          const plain = winston.createLogger({ format: winston.format.json() });
          module.exports = { base, plain, child: base.child({ svc: 'x' }) };`,
        'index.js': `
          const { base, plain, child } = require('./log');
          class Service {
            constructor(logger) { this.logger = logger; }
            run(id) { this.logger.warn('service run %s', id); }
          }
          function report(logger, n) { logger.error('report %d', n); }
          exports.main = async (params) => {
            base.info('order %s placed by %s', params.order, params.user, { meta: 1 });
            plain.info('no splat %s', params.x);
            child.debug('child says %d', params.n);
            new Service(base).run(params.id);
            report(base, params.n);
            base.log('info', 'via log %s', params.a);
            base.log({ level: 'info', message: 'object form' });
          };`,
      },
      via: 'sinks',
      expect: ['winston.debug:child says {number}', 'winston.error:report {number}', 'winston.info:no splat %s', 'winston.info:order {text} placed by {text}', 'winston.info:via log {text}', 'winston.log:object form', 'winston.warn:service run {text}'],
    },
    {
      name: 'the project\u2019s own logging helpers are specialised per call site (rest args, prefixes, two levels)',
      files: {
        'util/log.js': `
          function info(msg, ...args) { console.log('[info] ' + msg, ...args); }
          function tagged(tag, msg) { info(\`<\${tag}> \${msg}\`); }
          module.exports = { info, tagged };`,
        'index.js': `
          const log = require('./util/log');
          exports.main = (p) => {
            log.info('loaded %s in %d ms', p.name, p.ms * 1);
            log.tagged('db', 'connected');
          };`,
      },
      expect: ['[info] <db> connected', '[info] <{text}> {text}', '[info] loaded {text} in {number} ms', '[info] {text}'],
    },
    {
      name: 'constants and conditional text across modules; TypeScript with ES imports',
      entry: 'handler.ts',
      files: {
        'messages.ts': `export const READY = 'ready';\nexport const PREFIX = \`[\${READY}]\`;`,
        'handler.ts': `
          import { PREFIX } from './messages';
          export async function main(params: { ok: boolean; n: number }): Promise<object> {
            console.log(PREFIX + ' ' + (params.ok ? 'accepted' : 'rejected') + ' ' + params.n);
            return {};
          }`,
      },
      expect: ['[ready] accepted {number}', '[ready] rejected {number}'],
    },
    {
      name: 'loggers recognised by name only when nothing resolves (libraries not analysed)',
      files: {
        'index.js': `
          const { log } = require('@serverless/utils/log');
          exports.main = (p) => { log.notice('deploying %s', p.stage); this.logger.info('x'); Math.log(2); };`,
      },
      via: 'sinks',
      expect: ['heuristic.info:x', 'heuristic.notice:deploying {text}'],
    },
  ];
  it.each(table)('$name', ({ files, entry, expect: want, via }) => {
    const p = analyzeAction(fixture(files, entry ?? 'index.js'));
    expect(via === 'sinks' ? sinks(p) : texts(p)).toEqual(want);
    expect(p.notes.filter((x) => x.includes('not found'))).toEqual([]);
    for (const t of p.templates) expect(() => new RegExp(t.regex)).not.toThrow();
  });

  it('rejects what is not a source file, naming it', () => {
    expect(() => analyzeAction(path.join(root, 'missing.js'))).toThrow(/entry file not found/);
    const bad = fixture({ 'x.json': '{}' }, 'x.json');
    expect(() => analyzeAction(bad)).toThrow(/not a JavaScript or TypeScript source/);
  });

  it('notes a handler that is not exported', () => {
    const p = analyzeAction(fixture({ 'index.js': 'exports.other = () => console.log("x");' }));
    expect(p.notes.join('\n')).toMatch(/handler "main" not found.*exports: other/);
  });
});

/** Ordered template texts reachable after a template text (or $entry). */
function follows(p: LmsProfile, from: string): string[] {
  const byText = new Map(p.templates.map((t) => [t.id, t.text]));
  const sitesFrom = from === '$entry' ? ['$entry'] : p.cfg.sites.filter((s) => s.template && byText.get(s.template) === from).map((s) => s.id);
  const out = new Set<string>();
  const walk = (id: string, seen: Set<string>): void => {
    for (const to of p.cfg.edges[id] ?? []) {
      if (seen.has(to)) continue;
      seen.add(to);
      if (to === '$exit') out.add('$exit');
      const s = p.cfg.sites.find((x) => x.id === to);
      if (s?.kind === 'log') out.add(byText.get(s.template!)!);
      else if (s) walk(to, seen);
    }
  };
  for (const s of sitesFrom) walk(s, new Set());
  return [...out].sort();
}

describe('LMS-CFG', () => {
  const src = `
    const fs = require('fs');
    function audit(x) { console.log('audit %s', x); }
    exports.main = async function (p) {
      console.log('begin');
      if (!p.records) { console.log('nothing to do'); return { n: 0 }; }
      for (const r of p.records) {
        console.log('record %s', r.id);
        if (r.skip) continue;
        try {
          await fs.promises.writeFile('/tmp/' + r.id, 'x');
          audit(r.id);
        } catch (e) {
          console.error('write failed');
          throw e;
        }
      }
      let i = 0;
      while (i < 3) { i++; }
      p.records.forEach((r) => console.log('sync cb %s', r.id));
      console.log('done');
      return {};
    };`;
  const p = analyzeAction(fixture({ 'index.js': src }));
  const table: Array<[string, string[]]> = [
    ['$entry', ['begin']],
    ['begin', ['nothing to do', 'record {text}', 'sync cb {text}', 'done'].sort()],
    ['nothing to do', ['$exit']],
    ['record {text}', ['audit {text}', 'record {text}', 'sync cb {text}', 'done', 'write failed'].sort()],
    ['audit {text}', ['record {text}', 'sync cb {text}', 'done', 'write failed'].sort()],
    ['write failed', ['$exit']],
    ['sync cb {text}', ['sync cb {text}', 'done'].sort()],
    ['done', ['$exit']],
  ];
  it.each(table)('after %s', (from, want) => {
    expect(follows(p, from)).toEqual(want);
  });
  it('marks the loop doing I/O (not the counting loop) as a unit loop', () => {
    expect(p.units).toHaveLength(1);
    expect(p.units[0]).toMatchObject({ form: 'for-of', io: expect.arrayContaining(['await']) });
  });
});

describe('static profile against the real program: every printed line matches, renders back, and is a valid sequence', () => {
  const files = {
    'helpers.js': `
      const winston = require('winston');
      const logger = winston.createLogger({ format: winston.format.combine(winston.format.splat(), winston.format.json()), transports: [new winston.transports.Console()] });
      function step(name, ...rest) { console.log('[step] ' + name, ...rest); }
      module.exports = { logger, step };`,
    'index.js': `
      const { logger, step } = require('./helpers');
      const fs = require('fs');
      exports.main = async function main(params) {
        step('start', params.records.length);
        for (const rec of params.records) {
          logger.info('processing record %s of kind %d', rec.id, rec.kind);
          if (rec.kind > 1) console.warn(\`big record \${rec.id}: \${rec.kind * 10}%\`);
          await fs.promises.writeFile(require('os').tmpdir() + '/lms-' + rec.id, 'x');
          step('stored', rec.id, { size: rec.kind });
        }
        console.log('done with %d records, ratio %f', params.records.length, 1 / 3);
        return {};
      };`,
  };
  const entry = fixture(files);
  const profile = analyzeAction(entry);
  fs.writeFileSync(path.join(path.dirname(entry), 'run.js'), `require('./index.js').main({ records: [{ id: 'a', kind: 1 }, { id: 'b%s', kind: 2 }, { id: '-0', kind: -0 }] });`);
  // stdout and stderr in one stream, in the order the process wrote them, as a container's output
  const run = execFileSync('sh', ['-c', `"${process.execPath}" run.js 2>&1`], { cwd: path.dirname(entry), env: { ...process.env, NODE_PATH: nodeModules }, encoding: 'utf8' });
  const lines = run.split('\n').filter((l) => l !== '');

  it('matches each line and reconstructs it exactly', () => {
    expect(lines.length).toBe(9);
    const m = createMatcher(profile);
    let prev: string | undefined;
    const ids: string[] = [];
    for (const line of lines) {
      const r = m.match(line, prev);
      expect(r, line).toBeDefined();
      expect(m.render(r!.templateId, r!.values, r!.envelope)).toBe(line);
      expect(r!.expected, line).toBe(true);
      prev = r!.templateId;
      ids.push(prev);
    }
    expect(checkSequence(profile, ids)).toEqual([]);
    expect(assignUnits(profile, ids)).toEqual([undefined, 0, 0, 1, 1, 1, 2, 2, undefined]);
  });
});
