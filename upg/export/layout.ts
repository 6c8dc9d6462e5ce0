// A deterministic layered layout (a small Sugiyama): causes on the left, effects on the right.
// 1. Cycles (a socket an activation both wrote and read) are broken by dropping the edges a
//    depth-first search, in time order, finds pointing back into its own stack.
// 2. Each node's layer is the longest chain of causes before it; a node with no causes of its own
//    (an agent, an item only read) moves right next to the first thing it affects.
// 3. Within a layer, nodes start in time order and are reordered by a few barycentre sweeps to
//    shorten crossing edges. Same input, same picture.
// 4. A layer taller than the row limit wraps into several adjacent columns (in its order), so a
//    graph with one crowded layer (twenty sockets an activation talked to) is not one tall column.
//    Given a viewport, the row limit is the one that lets the whole drawing fit it at the largest
//    scale (labels readable when the page opens "fit").

export interface LayoutNodeInput {
  id: string;
  /** first time the node was seen, for the initial order (absent: after the timed ones) */
  time?: number;
}

export interface LayoutEdgeInput {
  /** the cause (PROV `to`) */
  cause: string;
  /** the effect (PROV `from`) */
  effect: string;
}

export interface PlacedNode {
  id: string;
  layer: number;
  order: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: PlacedNode[];
  width: number;
  height: number;
  /** edges ignored to break cycles, as "cause->effect" */
  reversed: string[];
  /** the row limit used (tallest column) */
  rows: number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  gapX?: number;
  gapY?: number;
  sweeps?: number;
  /** wrap layers taller than this into several columns (default: chosen for `viewport`, else no wrapping) */
  maxRows?: number;
  /** the drawing area the picture should fit at the largest scale (chooses maxRows) */
  viewport?: { width: number; height: number };
  /** fewest rows a wrapped layer keeps (default 4): below this, wrapping only trades height for width */
  minRows?: number;
}

export function layeredLayout(nodesIn: LayoutNodeInput[], edgesIn: LayoutEdgeInput[], options: LayoutOptions = {}): Layout {
  const nodeWidth = options.nodeWidth ?? 180;
  const nodeHeight = options.nodeHeight ?? 46;
  const gapX = options.gapX ?? 90;
  const gapY = options.gapY ?? 22;
  const sweeps = options.sweeps ?? 6;

  const nodes = [...nodesIn].sort(byTimeThenId);
  const ids = new Set(nodes.map((n) => n.id));
  const rank = new Map(nodes.map((n, i) => [n.id, i]));
  const effects = new Map<string, string[]>();
  const seenPairs = new Set<string>();
  for (const e of edgesIn) {
    if (e.cause === e.effect || !ids.has(e.cause) || !ids.has(e.effect)) continue;
    const key = `${e.cause}\u0000${e.effect}`;
    if (seenPairs.has(key)) continue;
    seenPairs.add(key);
    const list = effects.get(e.cause) ?? [];
    list.push(e.effect);
    effects.set(e.cause, list);
  }
  for (const list of effects.values()) list.sort((a, b) => rank.get(a)! - rank.get(b)!);

  // 1. Break cycles: iterative DFS in time order; an edge into the current stack is dropped.
  const reversed: string[] = [];
  const state = new Map<string, 1 | 2>(); // 1: on stack, 2: done
  const acyclic = new Map<string, string[]>();
  for (const root of nodes) {
    if (state.has(root.id)) continue;
    const stack: Array<{ id: string; next: number }> = [{ id: root.id, next: 0 }];
    state.set(root.id, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const out = effects.get(top.id) ?? [];
      if (top.next >= out.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const child = out[top.next++];
      const s = state.get(child);
      if (s === 1) {
        reversed.push(`${top.id}->${child}`);
        continue;
      }
      const kept = acyclic.get(top.id) ?? [];
      kept.push(child);
      acyclic.set(top.id, kept);
      if (s === undefined) {
        state.set(child, 1);
        stack.push({ id: child, next: 0 });
      }
    }
  }

  // 2. Longest path layering over the acyclic edges (Kahn's order, ties by time).
  const causes = new Map<string, string[]>();
  for (const [c, list] of acyclic) for (const eff of list) pushTo(causes, eff, c);
  const indegree = new Map(nodes.map((n) => [n.id, causes.get(n.id)?.length ?? 0]));
  const layer = new Map<string, number>();
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const topo: string[] = [];
  while (ready.length) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const id = ready.shift()!;
    topo.push(id);
    const l = Math.max(0, ...(causes.get(id) ?? []).map((c) => layer.get(c)! + 1));
    layer.set(id, l);
    for (const eff of acyclic.get(id) ?? []) {
      indegree.set(eff, indegree.get(eff)! - 1);
      if (indegree.get(eff) === 0) ready.push(eff);
    }
  }
  // Nodes without causes sit just left of their nearest effect.
  for (const id of topo) {
    if (causes.get(id)?.length) continue;
    const after = (acyclic.get(id) ?? []).map((eff) => layer.get(eff)!);
    if (after.length) layer.set(id, Math.max(0, Math.min(...after) - 1));
  }

  // 3. Order within layers: time order, then barycentre sweeps against the neighbouring layer.
  const layerCount = Math.max(0, ...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: nodes.length ? layerCount : 0 }, () => []);
  for (const n of nodes) layers[layer.get(n.id)!].push(n.id);
  const neighbours = new Map<string, string[]>();
  for (const [c, list] of acyclic) {
    for (const eff of list) {
      pushTo(neighbours, c, eff);
      pushTo(neighbours, eff, c);
    }
  }
  const position = new Map<string, number>();
  const renumber = () => layers.forEach((l) => l.forEach((id, i) => position.set(id, i)));
  renumber();
  for (let sweep = 0; sweep < sweeps; sweep++) {
    const forward = sweep % 2 === 0;
    const order = forward ? layers.map((_, i) => i) : layers.map((_, i) => layers.length - 1 - i);
    for (const li of order) {
      const side = forward ? li - 1 : li + 1;
      if (side < 0 || side >= layers.length) continue;
      const bary = new Map<string, number>();
      for (const id of layers[li]) {
        const ps = (neighbours.get(id) ?? []).filter((n) => layer.get(n) === side).map((n) => position.get(n)!);
        bary.set(id, ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : position.get(id)!);
      }
      layers[li].sort((a, b) => bary.get(a)! - bary.get(b)! || position.get(a)! - position.get(b)! || rank.get(a)! - rank.get(b)!);
      layers[li].forEach((id, i) => position.set(id, i));
    }
  }

  // 4. Wrap tall layers, then coordinates: columns left to right, each centred vertically on the tallest.
  const tallest = Math.max(0, ...layers.map((l) => l.length));
  const pitchX = nodeWidth + gapX;
  const rowH = nodeHeight + gapY;
  const rows = options.maxRows !== undefined ? Math.max(1, Math.floor(options.maxRows)) : options.viewport ? bestRows(layers.map((l) => l.length), options.viewport, pitchX, rowH, gapX, gapY, options.minRows ?? 4) : tallest;
  const placed: PlacedNode[] = [];
  let column = 0;
  let height = 0;
  const columnsOf = (l: string[]) => Math.max(1, Math.ceil(l.length / Math.max(1, rows)));
  const shown = Math.min(tallest, rows);
  layers.forEach((l, li) => {
    const columns = columnsOf(l);
    for (let c = 0; c < columns; c++) {
      const slice = l.slice(c * rows, (c + 1) * rows);
      const offset = ((shown - slice.length) * rowH) / 2;
      slice.forEach((id, k) => placed.push({ id, layer: li, order: c * rows + k, x: (column + c) * pitchX, y: offset + k * rowH }));
      height = Math.max(height, slice.length ? slice.length * rowH - gapY : 0);
    }
    column += columns;
  });
  placed.sort((a, b) => a.layer - b.layer || a.order - b.order);
  return {
    nodes: placed,
    width: column ? column * pitchX - gapX : 0,
    height,
    reversed,
    rows: shown,
  };
}

/** The row limit at which columns of these heights fit the viewport at the largest scale (ties: more rows, fewer columns). */
export function bestRows(heights: number[], viewport: { width: number; height: number }, pitchX: number, rowH: number, gapX: number, gapY: number, minRows: number): number {
  const tallest = Math.max(0, ...heights);
  let best = tallest;
  let bestScale = -1;
  for (let rows = tallest; rows >= Math.min(tallest, Math.max(1, minRows)); rows--) {
    const columns = heights.reduce((n, h) => n + Math.max(1, Math.ceil(h / rows)), 0);
    const width = columns * pitchX - gapX;
    const height = Math.min(rows, tallest) * rowH - gapY;
    const scale = Math.min(viewport.width / Math.max(1, width), viewport.height / Math.max(1, height));
    if (scale > bestScale + 1e-9) {
      best = rows;
      bestScale = scale;
    }
  }
  return best;
}

function byTimeThenId(a: LayoutNodeInput, b: LayoutNodeInput): number {
  const ta = a.time ?? Number.POSITIVE_INFINITY;
  const tb = b.time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
