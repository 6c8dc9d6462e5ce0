import { describe, expect, it } from 'vitest';
import { combineGraphs, type ExportIncident } from './input';
import { markIncidents, primaryRole } from './marks';
import { IDS, containerReuseGraphs, containerReuseIncident, exfiltrationGraph, exfiltrationIncident } from './fixtures/export-graphs';

describe('markIncidents', () => {
  const reuse = combineGraphs(containerReuseGraphs());

  it('finds every role of a container-reuse incident by the names the report contract uses', () => {
    const [m] = markIncidents(reuse, [containerReuseIncident()]).incidents;
    expect(m.nodes).toEqual({
      planter: ['act:p1'],
      victim: ['act:v1'],
      container: [IDS.ctr1], // named "c1" in the incident: a bare container id
      artifact: [IDS.planted],
      sink: [IDS.outside],
      path: ['act:p1', IDS.planted, 'act:v1', IDS.outside],
    });
    expect(m.unresolved).toEqual([]);
    // write (file <- p1), load (v1 -> file), connect (socket <- v1): one edge per path step
    expect(m.pathEdges).toHaveLength(3);
  });

  it.each<[string, Partial<ExportIncident>, string[]]>([
    ['container by node id', { container: IDS.ctr1 }, []],
    ['unknown container', { container: 'c9' }, ['container c9']],
    ['socket on another port', { sink: { kind: 'socket', address: '127.0.0.66', port: 81 } }, ['sink socket 127.0.0.66:81']],
    ['path node the graph lacks', { path: ['act:p1', 'file:nowhere'] }, ['path node file:nowhere']],
    ['victim activation the graph lacks', { victims: [{ request: 'r', activation: 'zz' }] }, ['victim activation zz']],
  ])('%s', (_name, change, unresolved) => {
    const [m] = markIncidents(reuse, [{ ...containerReuseIncident(), ...change }]).incidents;
    expect(m.unresolved).toEqual(unresolved);
  });

  it('matches an item key whatever the order of its fields, and a table-level item only without a key', () => {
    const graph = combineGraphs([exfiltrationGraph()]);
    const keyed = markIncidents(graph, [{ ...exfiltrationIncident(), artifact: { kind: 'item', table: 'cards', key: { id: 'card-1' } } }]);
    expect(keyed.incidents[0].nodes.artifact).toEqual([IDS.card]);
    const tableOnly = markIncidents(graph, [{ ...exfiltrationIncident(), artifact: { kind: 'item', table: 'cards' } }]);
    expect(tableOnly.incidents[0].nodes.artifact).toEqual([]);
  });

  it('gives a node with several roles the first in highlight order', () => {
    const marks = markIncidents(reuse, [containerReuseIncident()]);
    expect([...marks.roles.get('act:p1')!].sort()).toEqual(['path', 'planter']);
    expect(primaryRole(marks, 'act:p1')).toBe('planter');
    expect(primaryRole(marks, 'req:req-plant')).toBeUndefined();
  });
});

describe('combineGraphs', () => {
  it('joins requests on shared node ids and declares nodes only edges name', () => {
    const g = combineGraphs(containerReuseGraphs());
    expect(g.requests).toEqual(['req-plant', 'req-victim']);
    expect(g.nodes.filter((n) => n.id === IDS.planted)).toHaveLength(1);
    const broken = combineGraphs([{ request: 'r', nodes: [], edges: [{ id: 'e1', from: 'act:X', to: 'sock:tcp:1.2.3.4:5', kind: 'used' }] }]);
    expect(broken.byId.get('act:X')).toMatchObject({ kind: 'activation', provClass: 'activity', missing: true });
    expect(broken.byId.get('sock:tcp:1.2.3.4:5')).toMatchObject({ kind: 'socket', provClass: 'entity', missing: true });
  });

  it('refuses to export nothing', () => {
    expect(() => combineGraphs([])).toThrow(/at least one request graph/);
  });
});
