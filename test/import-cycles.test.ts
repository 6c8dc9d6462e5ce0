// The built package has no import cycles: a module that requires another which (through others)
// requires it back sees that one half-initialised at load time, and the layers (protocol, kmod,
// wrapper, store, upg, correlator, agent, cli) stop reading from the ground up. Walks the require()
// statements of the compiled dist/ (what actually loads), one file per source file of the tree.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Relative modules a compiled file requires (tsc's CommonJS output: require("./x")). */
function requiresOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\brequire\((["'])(\.{1,2}\/[^"']+)\1\)/g)) out.push(m[2]);
  return out;
}

function resolveRequire(fromFile: string, spec: string, exists: (file: string) => boolean): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  return [base, `${base}.js`, path.join(base, 'index.js')].find(exists);
}

/** Every cycle of the graph (its strongly connected components with more than one file, or a file requiring itself). */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative so that a deep import chain cannot overflow the stack.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = graph.get(top.node) ?? [];
      if (top.edge < edges.length) {
        const to = edges[top.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== top.node);
        if (component.length > 1 || edges.includes(top.node)) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/** The compiled files of the tree's own sources (dist/ may still hold files of sources since removed). */
function builtGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js') && hasSource(file)) graph.set(file, []);
    }
  };
  walk(DIST);
  for (const file of graph.keys()) {
    const targets = requiresOf(fs.readFileSync(file, 'utf8'))
      .map((spec) => resolveRequire(file, spec, (f) => graph.has(f)))
      .filter((f): f is string => f !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

function hasSource(distFile: string): boolean {
  const source = path.join(ROOT, path.relative(DIST, distFile)).replace(/\.js$/, '');
  return fs.existsSync(`${source}.ts`) || fs.existsSync(`${source}.mts`);
}

describe('import cycles', () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ['a chain has none', { a: ['b'], b: ['c'], c: [] }, []],
    ['two files requiring each other', { a: ['b'], b: ['a'], c: ['a'] }, [['a', 'b']]],
    ['a loop through three files, beside a chain', { a: ['b'], b: ['c'], c: ['a'], d: ['a'], e: ['d'] }, [['a', 'b', 'c']]],
    ['a file requiring itself', { a: ['a'] }, [['a']]],
  ])('finds them: %s', (_name, graph, cycles) => {
    expect(importCycles(new Map(Object.entries(graph)))).toEqual(cycles);
  });

  it('the built package has none', () => {
    if (!fs.existsSync(path.join(DIST, 'correlator', 'index.js'))) {
      throw new Error('dist/ is not built: run `npm run build` first');
    }
    const graph = builtGraph();
    expect(graph.size).toBeGreaterThan(100);
    const named = importCycles(graph).map((cycle) => cycle.map((f) => path.relative(DIST, f).replace(/\.js$/, '.ts')).join(' -> '));
    expect(named, `import cycles in dist/ (each names its files): ${named.join('; ')}`).toEqual([]);
  });
});
