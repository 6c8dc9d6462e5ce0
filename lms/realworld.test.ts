// The analyser on real JavaScript nobody here wrote: installed packages' own sources. It must
// parse them without crashing and find their logging calls; counts and times are printed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeAction } from './analyze';
import { createMatcher } from './matcher';

const nm = path.resolve(__dirname, '..', 'node_modules');
const trees: Array<{ entry: string; minFiles: number; minLogCalls: number }> = [
  { entry: 'winston/lib/winston.js', minFiles: 10, minLogCalls: 5 },
  { entry: 'serverless/lib/serverless.js', minFiles: 100, minLogCalls: 50 },
  { entry: 'serverless-openwhisk/index.js', minFiles: 20, minLogCalls: 3 },
  { entry: 'express/index.js', minFiles: 5, minLogCalls: 1 },
];

describe('real-world sources in node_modules', () => {
  for (const t of trees) {
    const file = path.join(nm, t.entry);
    it(`${t.entry}: parses, finds its logging calls, every template compiles and matches its own rendering`, () => {
      // every tree is a package npm ci installs (package.json): missing means a broken install, not a reason to skip
      expect(fs.existsSync(file), `${file} is missing: run \`npm ci\``).toBe(true);
      const p = analyzeAction(file);
      console.log(`lms real-world ${t.entry}: ${p.stats.files} files, ${p.stats.logCalls} logging calls, ${p.stats.templates} templates, ${p.units.length} unit loops, ${p.stats.ms} ms`);
      expect(p.stats.files).toBeGreaterThanOrEqual(t.minFiles);
      expect(p.stats.logCalls).toBeGreaterThanOrEqual(t.minLogCalls);
      const m = createMatcher(p);
      // a line made of a template's literals with sample hole values must match and render back
      for (const tpl of p.templates) {
        const values = tpl.parts.filter((x) => 'hole' in x).map((x) => ('hole' in x && (x.hole === 'number' || x.hole === 'float') ? '42' : x.hole === 'boolean' ? 'true' : 'v'));
        const line = m.render(tpl.id, values);
        const got = m.match(line);
        expect(got, line).toBeDefined();
        expect(m.render(got!.templateId, got!.values, got!.envelope)).toBe(line);
      }
    }, 120_000);
  }
});
