import { describe, expect, it } from 'vitest';
import { combineGraphs } from './input';
import { buildPicture } from './picture';
import { DEMO_LIKE, demoLikeInput } from './fixtures/demo-like';
import { containerReuseGraphs, containerReuseIncident, exfiltrationGraph } from './fixtures/export-graphs';

describe('buildPicture on a demo-sized report', () => {
  const input = demoLikeInput();
  const graph = combineGraphs(input.graphs);
  const picture = buildPicture(graph, input.incidents);
  const byId = new Map(picture.nodes.map((n) => [n.id, n]));

  it('draws the attack graph, not every node of every request', () => {
    expect(graph.nodes.length).toBeGreaterThan(500);
    expect(picture.nodes.length).toBeLessThan(100);
    expect(picture.scope.mode).toBe('attack');
    expect(picture.scope.total).toBe(graph.nodes.filter((v) => v.kind !== 'log').length);
    expect(picture.scope.note).toMatch(new RegExp(`^showing ${picture.scope.drawn} of ${picture.scope.total} nodes: attack paths and their context`));
  });

  it.each<[string, string, string]>([
    ['planter of the reuse', DEMO_LIKE.activation(7, 'purchase'), 'planter'],
    ['planter of the exfiltration', DEMO_LIKE.activation(9, 'purchase'), 'planter'],
    ['victim of the reuse', DEMO_LIKE.activation(8, 'purchase'), 'victim'],
    ['victim of the exfiltration', DEMO_LIKE.activation(9, 'publish'), 'victim'],
    ['planted file', DEMO_LIKE.planted, 'artifact'],
    ['card', DEMO_LIKE.card, 'artifact'],
    ['sink', DEMO_LIKE.outside, 'sink'],
    ['reused container', DEMO_LIKE.purchaseContainer, 'container'],
    ['exfiltration container', DEMO_LIKE.publishContainer, 'container'],
  ])('draws the %s as %s', (_name, id, role) => {
    expect(byId.get(id)?.role).toBe(role);
  });

  it('draws the requests of the attack activations, and no log line, invoker or process', () => {
    for (const r of [7, 8, 9]) expect(byId.has(`req:hr-demo-0${r}-purchase`)).toBe(true);
    expect(byId.has('req:hr-demo-02-purchase')).toBe(false);
    expect(picture.nodes.filter((n) => ['log', 'invoker', 'process'].includes(n.view.kind ?? ''))).toEqual([]);
  });

  it('folds the container\'s other activations and the cold start\'s files into "+N more" nodes', () => {
    const folds = picture.nodes.filter((n) => n.folded);
    const otherPurchases = folds.find((n) => n.folded!.includes(DEMO_LIKE.activation(1, 'purchase')));
    expect(otherPurchases?.label).toBe(`+${otherPurchases!.folded!.length} more activations`);
    expect(otherPurchases!.folded!.length).toBeGreaterThanOrEqual(5);
    for (const n of folds) expect(n.folded!.every((id) => !byId.has(id))).toBe(true);
    // a fold's edges join it to the node it was folded around, and only that node
    for (const e of picture.edges.filter((e) => byId.get(e.from)?.folded || byId.get(e.to)?.folded)) {
      expect(e.edges.length).toBeGreaterThan(0);
    }
  });

  it('draws benign shared state as one grey artifact node with its handoffs, not its paths', () => {
    const cache = byId.get(DEMO_LIKE.cache);
    expect(cache).toMatchObject({ role: 'shared', shared: { incidents: 5, handoffs: 8, requests: 9 } });
    expect(byId.has(DEMO_LIKE.activation(3, 'get-price'))).toBe(false);
    expect(picture.scope.note).toContain('5 benign shared-state incidents drawn as 1 grey artifact node');
    expect(picture.marks.incidents).toHaveLength(7);
  });

  it('lays the attack path out causes first: path steps rank, shared platform sockets do not', () => {
    const onPath = picture.edges.filter((e) => e.onPath);
    expect(onPath.length).toBeGreaterThanOrEqual(5);
    // the victim reading back from the sink runs against the path: it must not pull the sink left
    const readBack = onPath.find((e) => e.from === DEMO_LIKE.activation(8, 'purchase') && e.to === DEMO_LIKE.outside && e.kind === 'used');
    expect(readBack?.ranks).toBe(false);
    const planted = onPath.find((e) => e.from === DEMO_LIKE.planted && e.kind === 'wasGeneratedBy');
    expect(planted?.ranks).toBe(true);
  });

  it('draws more with more context, and everything with full', () => {
    const wider = buildPicture(graph, input.incidents, { context: 2 });
    expect(wider.scope.drawn).toBeGreaterThan(picture.scope.drawn);
    const full = buildPicture(graph, input.incidents, { full: true });
    expect(full.nodes).toHaveLength(picture.scope.total);
    expect(full.scope.note).toBe(`all ${picture.scope.total} nodes`);
    expect(full.nodes.find((n) => n.id === DEMO_LIKE.activation(7, 'purchase'))?.role).toBe('planter');
  });
});

describe('buildPicture without incidents (a trace)', () => {
  it('draws the whole request, log lines folded into their activation', () => {
    const picture = buildPicture(combineGraphs([exfiltrationGraph()]), undefined);
    expect(picture.scope).toMatchObject({ mode: 'request', hidden: 0 });
    expect(picture.nodes.map((n) => n.id)).not.toContain('log:A:stdout:0');
    expect(picture.nodes.find((n) => n.id === 'act:A')?.logs).toBe(1);
    expect(picture.nodes).toHaveLength(14);
  });

  it('folds the hundreds of files a cold start reads, and says so', () => {
    const cold = demoLikeInput().graphs[0];
    const picture = buildPicture(combineGraphs([cold]), undefined);
    expect(picture.nodes.length).toBeLessThan(40);
    const fold = picture.nodes.find((n) => n.folded);
    expect(fold).toMatchObject({ label: `+${DEMO_LIKE.coldFiles} more files` });
    expect(picture.scope.note).toMatch(/^showing \d+ of \d+ nodes; 200 similar neighbours folded into 1 "\+N more" node$/);
  });

  it('falls back to the request view when no incident names a node of the graphs', () => {
    const picture = buildPicture(combineGraphs(containerReuseGraphs()), [{ ...containerReuseIncident(), planter: undefined, victims: [], container: undefined, artifact: undefined, sink: undefined, path: ['file:elsewhere'] }]);
    expect(picture.scope.mode).toBe('request');
    expect(picture.scope.note).toMatch(/^the incidents name no node of these graphs: /);
  });
});
