// `sls provenance analyze` under the real Serverless Framework v3 CLI on examples/hello-retail, and
// `provenance analyze <file>` from the standalone bin: templates and LMS-CFG of each function.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, makeHome, ROOT, sls } from './plugin-harness';

const SERVICE = path.join(ROOT, 'examples', 'hello-retail');
const FUNCTIONS = ['product-register', 'product-lookup', 'get-price', 'authorize-cc', 'purchase', 'publish', 'restock'];
let home: string;
beforeAll(() => {
  assertBuilt();
  home = makeHome();
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('sls provenance analyze (examples/hello-retail)', () => {
  it('prints every function\u2019s templates and LMS-CFG as text, without touching the service dir', async () => {
    const r = await sls(SERVICE, ['provenance', 'analyze'], { HOME: home });
    expect(r.code, r.output).toBe(0);
    for (const fn of FUNCTIONS) expect(r.stdout, fn).toMatch(new RegExp(`^function ${fn} \\(actions/[a-z-]+\\.js, export \\w+\\), profile lp[0-9a-f]{24}`, 'm'));
    expect(r.stdout).toContain('"restocking {text} by {text}"');
    expect(r.stdout).toMatch(/unit loops:\n {2}u0 {2}examples\/hello-retail\/actions\/restock\.js:\d+ main for-of/);
    expect(r.stdout).toContain('LMS-CFG:');
    expect(fs.existsSync(path.join(SERVICE, '.serverless-provenance'))).toBe(false);
  }, 120_000);

  it('--function restock --format json: one function, its profile with one unit loop', async () => {
    const r = await sls(SERVICE, ['provenance', 'analyze', '--function', 'restock', '--format', 'json'], { HOME: home });
    expect(r.code, r.output).toBe(0);
    const out = JSON.parse(r.stdout) as { functions: Array<{ function: string; hash: string; profile: { units: unknown[]; templates: Array<{ text: string }> } }> };
    expect(out.functions.map((f) => f.function)).toEqual(['restock']);
    expect(out.functions[0]!.profile.units).toHaveLength(1);
    expect(out.functions[0]!.profile.templates.map((t) => t.text)).toContain('restocked {text}: stock now {text}');
  }, 120_000);

  it('--format dot is Graphviz', async () => {
    const r = await sls(SERVICE, ['provenance', 'analyze', '-f', 'get-price', '--format', 'dot'], { HOME: home });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^\/\/ function get-price .*\ndigraph lms \{/);
    const dot = spawnSync('dot', ['-Tsvg'], { input: r.stdout.replace(/^\/\/.*\n/, ''), encoding: 'utf8' });
    if (!dot.error) expect(dot.status, dot.stderr).toBe(0);
  }, 120_000);

  it('names the problem for an unknown function or format', async () => {
    const a = await sls(SERVICE, ['provenance', 'analyze', '--function', 'nope'], { HOME: home });
    expect(a.code).not.toBe(0);
    expect(a.output).toContain('no function "nope" in this service (functions: product-register');
    const b = await sls(SERVICE, ['provenance', 'analyze', '--format', 'svg'], { HOME: home });
    expect(b.code).not.toBe(0);
    expect(b.output).toContain('--format must be one of text, dot, json');
  }, 120_000);
});

describe('provenance analyze <file> (standalone bin)', () => {
  const bin = path.join(ROOT, 'bin', 'provenance.js');
  it('prints the same templates for one handler file', () => {
    const r = spawnSync(process.execPath, [bin, 'analyze', 'examples/hello-retail/actions/restock.js'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"delivery {text} done: {text} product(s) restocked"');
    const lookup = spawnSync(process.execPath, [bin, 'analyze', 'examples/hello-retail/actions/catalog.js', '--export', 'lookup', '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
    expect(lookup.status, lookup.stderr).toBe(0);
    expect(JSON.parse(lookup.stdout).functions[0].profile.handler).toBe('lookup');
  });
  it('exits 2 naming a missing file', () => {
    const r = spawnSync(process.execPath, [bin, 'analyze', 'nope.js'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no file nope.js');
  });
});
