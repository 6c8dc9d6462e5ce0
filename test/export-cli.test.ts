// `provenance trace <reqId> --format ... [--out FILE]` as a user runs it: the built bin (npm run
// build first; npm test does) against a real store prepared here, each format checked against the
// renderer and, for PROV-JSON, loaded by python3-prov.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, type Run } from './run-node';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../store/index';
import type { RequestGraph } from '../upg/types';
import { EXPORT_FORMATS, renderExport } from '../upg/export/index';
import { renderJson } from '../upg/render/json';
import { exfiltrationGraph } from '../upg/export/fixtures/export-graphs';
import { PYTHON, runTool } from './export-tools';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const repo = resolve(__dirname, '..');
const bin = join(repo, 'bin', 'provenance.js');
const root = mkdtempSync(join(tmpdir(), 'prov-export-cli-'));
const storeDir = join(root, 'store');
let stored: RequestGraph;

function runCli(args: string[]): Promise<Run> {
  return runNode([bin, ...args], { cwd: root });
}

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'upg', 'export', 'index.js'))) {
    throw new Error('dist/ is missing or old: run `npm run build` before this test (npm test does)');
  }
  const store = await openStore({ dir: storeDir, table: 'provenance' }, { create: true });
  try {
    const g = exfiltrationGraph();
    await store.writeFragment({ request: g.request, nodes: g.nodes, edges: g.edges });
    stored = (await store.getRequestGraph(g.request))!;
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('provenance trace --format', () => {
  it.each(EXPORT_FORMATS.map((f) => [f]))('%s prints what the renderer makes of the stored graph', async (format) => {
    const run = await runCli(['trace', 'req-exfil', '--format', format, '--store', storeDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(renderExport(format, { graphs: [stored] }));
  });

  it('json is --json', async () => {
    const viaFormat = await runCli(['trace', 'req-exfil', '--format', 'json', '--store', storeDir]);
    const viaFlag = await runCli(['trace', 'req-exfil', '--json', '--store', storeDir]);
    expect(viaFormat.stdout).toBe(renderJson(stored));
    expect(viaFlag.stdout).toBe(viaFormat.stdout);
  });

  it('--out writes the file (here PROV-JSON, which python3-prov then loads) and says where', async () => {
    const file = join(root, 'trace.prov.json');
    const run = await runCli(['trace', 'req-exfil', '--format', 'prov-json', '--out', file, '--store', storeDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`wrote prov-json to ${file}\n`);
    expect(readFileSync(file, 'utf8')).toBe(renderExport('prov-json', { graphs: [stored] }));
    const load = await runTool(PYTHON, ['-c', "import sys; from prov.model import ProvDocument; d = ProvDocument.deserialize(sys.argv[1], format='json'); print(len(list(d.get_records())))", file]);
    expect(load.stderr).toBe('');
    expect(Number(load.stdout.trim())).toBe(stored.nodes.length + stored.edges.length);
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown format', ['--format', 'svg'], /^provenance: unknown --format "svg": use one of text, json, markdown, html, dot, prov-json, prov-o\n$/],
    ['--json with another format', ['--json', '--format', 'dot'], /^provenance: --json and --format dot contradict each other: pass one of them\n$/],
  ])('%s: one line on stderr, exit 2', async (_name, args, message) => {
    const run = await runCli(['trace', 'req-exfil', ...args, '--store', storeDir]);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
  });
});
