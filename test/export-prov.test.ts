// The PROV exports read by standard PROV tooling, for real: Debian's python3-prov loads the
// PROV-JSON, python3-rdflib parses the Turtle and answers the exfiltration SPARQL query kept in
// upg/export/queries/exfiltration-path.rq.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderProvJson, toProvJson } from '../upg/export/prov-json';
import { renderProvTurtle } from '../upg/export/prov-o';
import type { ExportInput } from '../upg/export/input';
import { purchaseGraph } from '../upg/fixtures/purchase-graph';
import { IDS, containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from '../upg/export/fixtures/export-graphs';
import { PYTHON, runTool } from './export-tools';
import { NODE_NS, localName } from '../upg/export/namespaces';

const QUERY = resolve(__dirname, '..', 'upg', 'export', 'queries', 'exfiltration-path.rq');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'prov-export-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOAD_PROV_JSON = `
import json, sys
from collections import Counter
from prov.model import ProvDocument
doc = ProvDocument.deserialize(sys.argv[1], format='json')
counts = Counter(type(r).__name__ for r in doc.get_records())
provn = doc.get_provn()
print(json.dumps({"counts": counts, "provnLines": len(provn.splitlines())}))
`;

// The record classes python-prov makes of each PROV-JSON section.
const PROV_CLASS: Record<string, string> = {
  entity: 'ProvEntity', activity: 'ProvActivity', agent: 'ProvAgent', used: 'ProvUsage', wasGeneratedBy: 'ProvGeneration',
  wasInformedBy: 'ProvCommunication', wasStartedBy: 'ProvStart', wasAssociatedWith: 'ProvAssociation',
  wasDerivedFrom: 'ProvDerivation', wasInvalidatedBy: 'ProvInvalidation',
};

async function loadWithPythonProv(name: string, input: ExportInput): Promise<Record<string, number>> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, renderProvJson(input));
  const run = await runTool(PYTHON, ['-c', LOAD_PROV_JSON, file]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).counts;
}

function expectedCounts(input: ExportInput): Record<string, number> {
  const doc = toProvJson(input) as Record<string, Record<string, unknown>>;
  const out: Record<string, number> = {};
  for (const [section, cls] of Object.entries(PROV_CLASS)) if (doc[section]) out[cls] = Object.keys(doc[section]).length;
  return out;
}

describe('PROV-JSON in python3-prov', () => {
  it.each<[string, () => ExportInput]>([
    ['a purchase request with a missing activation and warnings', () => ({ graphs: [purchaseGraph()] })],
    ['a workflow exfiltration with its incident', () => ({ graphs: [exfiltrationGraph()], incidents: [exfiltrationIncident()] })],
    ['two requests joined through a reused container', () => ({ graphs: containerReuseGraphs(), incidents: [containerReuseIncident()] })],
  ])('loads %s without error, every record kept', async (name, make) => {
    const input = make();
    expect(await loadWithPythonProv(name.replace(/\W+/g, '-'), input)).toEqual(expectedCounts(input));
  });
});

const PARSE_AND_QUERY = `
import json, sys, rdflib
g = rdflib.Graph()
g.parse(sys.argv[1], format='turtle')
rows = [[None if v is None else str(v) for v in row] for row in g.query(open(sys.argv[2]).read())]
print(json.dumps({"triples": len(g), "rows": rows}))
`;

async function query(name: string, input: ExportInput): Promise<{ triples: number; rows: Array<Array<string | null>> }> {
  const file = join(dir, `${name}.ttl`);
  writeFileSync(file, renderProvTurtle(input));
  const run = await runTool(PYTHON, ['-c', PARSE_AND_QUERY, file, QUERY]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

const iri = (id: string) => NODE_NS + localName(id);

describe('PROV-O Turtle in python3-rdflib, and the exfiltration query', () => {
  it('parses a plain request graph (no incidents) and finds no exfiltration', async () => {
    const r = await query('purchase', { graphs: [purchaseGraph()] });
    expect(r.triples).toBeGreaterThan(100);
    expect(r.rows).toEqual([]);
  });

  it('finds the path card item -> purchase -> invocation message -> publish -> outside socket, in order', async () => {
    const r = await query('exfil', { graphs: [exfiltrationGraph()], incidents: [exfiltrationIncident()] });
    expect(r.rows.map((row) => [row[0], row[1]])).toEqual(Array(4).fill([iri(IDS.card), iri(IDS.outside)]));
    expect(r.rows.map((row) => row[2])).toEqual([iri(IDS.card), iri('act:A'), iri(IDS.msgAB), iri('act:B')]);
    expect(r.rows.map((row) => row[4])).toEqual(['cards id=card-1', 'purchase A', 'invoke publish', 'publish B']);
  });

  it('finds it from marks the caller gives, without any incident', async () => {
    const r = await query('exfil-marked', { graphs: [exfiltrationGraph()], sensitive: [IDS.card], outside: [IDS.outside] });
    expect(r.rows.map((row) => row[2])).toEqual([iri(IDS.card), iri('act:A'), iri(IDS.msgAB), iri('act:B')]);
  });

  it('finds nothing when the data never reaches the socket (the same graph without the card read)', async () => {
    const g = exfiltrationGraph();
    const benign = { ...g, edges: g.edges.filter((e) => !(e.kind === 'used' && e.to === IDS.card)) };
    const r = await query('benign', { graphs: [benign], sensitive: [IDS.card], outside: [IDS.outside] });
    expect(r.rows).toEqual([]);
  });

  it('follows data across requests joined in one export: the victim of a reused container sends the card out', async () => {
    const r = await query('reuse', { graphs: containerReuseGraphs(), sensitive: [IDS.card], outside: [IDS.outside] });
    expect(r.rows.map((row) => row[2])).toEqual([iri(IDS.card), iri('act:v1')]);
  });

  it('the query file reads as documented', () => {
    const text = readFileSync(QUERY, 'utf8');
    expect(text).toContain('sp:sensitive true');
    expect(text).toContain('sp:outside true');
  });
});
