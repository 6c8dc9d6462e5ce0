import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFunction, describeAnalysis } from './analyze-functions';
import { parseAnalyzeFormat, renderAnalyses } from './analyze-command';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-analyze-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');
fs.mkdirSync(path.join(dir, 'h'));
fs.writeFileSync(path.join(dir, 'h', 'a.js'), "exports.handlers = { go: (p) => { console.log('go %s', p.x); } };\n");

describe('analyzeFunction', () => {
  it('analyses the export named by the last segment of a nested export path, and hashes the profile', () => {
    const a = analyzeFunction(dir, { function: 'a', handlerFile: 'h/a.js', exportPath: 'handlers.go' });
    expect(a.error).toBeUndefined();
    expect(a.profile!.templates.map((t) => t.text)).toEqual(['go {text}']);
    expect(a.hash).toMatch(/^lp[0-9a-f]{24}$/);
    expect(analyzeFunction(dir, { function: 'a', handlerFile: 'h/a.js', exportPath: 'handlers.go' }).hash).toBe(a.hash);
    expect(describeAnalysis(a)).toMatch(/^LMS analysis of "a" \(h\/a\.js\): 1 templates, \d+ sites, 0 unit loop\(s\) in \d+ ms \(profile lp/);
  });

  it('never throws: a failure is a result naming the file', () => {
    const a = analyzeFunction(dir, { function: 'b', handlerFile: 'h/missing.js', exportPath: 'main' });
    expect(a.profile).toBeUndefined();
    expect(describeAnalysis(a)).toContain('LMS analysis of "b" (h/missing.js) failed after');
    expect(describeAnalysis(a)).toContain('entry file not found');
  });
});

describe('analyze output', () => {
  const ok = analyzeFunction(dir, { function: 'a', handlerFile: 'h/a.js', exportPath: 'handlers.go' });
  const bad = analyzeFunction(dir, { function: 'b', handlerFile: 'h/missing.js', exportPath: 'main' });
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['dot', 'dot'],
    ['json', 'json'],
  ])('format %j is %s', (given, want) => expect(parseAnalyzeFormat(given)).toBe(want));
  it('refuses other formats, naming the known ones', () => {
    expect(() => parseAnalyzeFormat('svg')).toThrow('--format must be one of text, dot, json, got "svg"');
  });
  it('renders text, dot and json, failures included', () => {
    expect(renderAnalyses([ok, bad], 'text')).toMatch(/^function a \(h\/a\.js, export handlers\.go\), profile lp[0-9a-f]+, analysed in \d+ ms\n.*templates:\n {2}t[0-9a-f]+ {2}console\.log \(stdout\) {2}"go \{text\}"/s);
    expect(renderAnalyses([ok, bad], 'text')).toContain('function b (h/missing.js, export main): analysis failed: lms: entry file not found');
    expect(renderAnalyses([ok], 'dot')).toMatch(/^\/\/ function a .*\ndigraph lms \{\n/);
    const json = JSON.parse(renderAnalyses([ok, bad], 'json'));
    expect(json.functions.map((f: { function: string; hash?: string; error?: string }) => [f.function, !!f.hash, !!f.error])).toEqual([
      ['a', true, false],
      ['b', false, true],
    ]);
  });
});
