// Which graphs an analysis of some requests needs, read through the store's indexes (never a scan):
// the requests' own graphs; for every container where they left or found state (files, processes),
// the container's activations (byContainer index) and the graphs of its most recent requests (the
// action's behaviour there); and every request that wrote those files (byEntity index), however old,
// except for a pipe the runtime made during its start-up, which nearly every activation writes: there,
// the write each loaded use follows.
import type { ActivationNode, FileNode, RequestGraph, UpgEdge } from '../types';
import type { IncidentSearchInput } from './incidents';
import { isStartupPipe, runtimePidsByContainer } from './startup-state';

/** The part of the ProvenanceStore the analyses read. */
export interface AnalysisSource {
  getRequestGraph(requestId: string): Promise<RequestGraph | undefined>;
  containerActivations(containerNodeId: string): Promise<ActivationNode[]>;
  entityHistory(entityNodeId: string): Promise<Array<UpgEdge & { request: string }>>;
}

/** request graphs read at once */
export const LOADS_AT_ONCE = 16;

export interface GatherOptions {
  /** graphs of at most this many of a container's most recent requests (default 20) */
  maxRequestsPerContainer?: number;
  /** called as graphs are loaded (done, known so far) */
  onProgress?: (done: number, total: number) => void;
}

export interface Gathered extends IncidentSearchInput {
  graphs: RequestGraph[];
  activations: ActivationNode[];
  /** containers whose history was read */
  containers: string[];
}

export async function gather(source: AnalysisSource, requests: readonly string[], options: GatherOptions = {}): Promise<Gathered> {
  const perContainer = options.maxRequestsPerContainer ?? 20;
  const graphs = new Map<string, RequestGraph>();
  let wanted = requests.length;
  const load = async (ids: Iterable<string>) => {
    const fresh = [...new Set(ids)].filter((id) => !graphs.has(id));
    wanted += fresh.length;
    // A few at a time: each is a round trip to the store.
    for (let i = 0; i < fresh.length; i += LOADS_AT_ONCE) {
      const slice = fresh.slice(i, i + LOADS_AT_ONCE);
      const got = await Promise.all(slice.map((id) => source.getRequestGraph(id)));
      slice.forEach((id, k) => {
        const g = got[k];
        if (g) graphs.set(id, g);
        options.onProgress?.(graphs.size, wanted);
      });
    }
  };
  wanted = 0;
  await load(requests);

  // Containers where the requests touched something that outlives an activation.
  const stateful = new Set<string>();
  const files = new Set<string>();
  for (const g of graphs.values()) {
    for (const n of g.nodes) {
      if (n.kind === 'file') {
        stateful.add(n.container);
        files.add(n.id);
      } else if (n.kind === 'process' && n.container) stateful.add(n.container);
    }
  }

  const activations: ActivationNode[] = [];
  for (const container of [...stateful].sort()) {
    const list = await source.containerActivations(container);
    activations.push(...list);
    const recent = [...list].sort((a, b) => (b.start ?? 0) - (a.start ?? 0)).map((a) => a.requestId);
    await load([...new Set(recent)].slice(0, perContainer));
  }
  // Files the container's history touched, too: their planters may be older than the recent window.
  const fileNodes = new Map<string, FileNode>();
  for (const g of [...graphs.values()]) {
    for (const n of g.nodes) {
      if (n.kind !== 'file') continue;
      fileNodes.set(n.id, n);
      if (stateful.has(n.container)) files.add(n.id);
    }
  }
  const firstStart = new Map<string, number>();
  for (const a of activations) {
    const known = firstStart.get(a.container);
    if (a.start !== undefined && (known === undefined || a.start < known)) firstStart.set(a.container, a.start);
  }
  const runtimePids = runtimePidsByContainer(graphs.values());
  // Every writer (a planter may be long gone from the recent window); readers only recent ones:
  // a file every activation reads (a config file) must not pull in the whole history.
  const writers = new Set<string>();
  const readers: Array<{ request: string; time: number }> = [];
  // A pipe the runtime made during its start-up is written by nearly every activation (its self-pipe):
  // only the write each loaded use follows can be that use's planter, so those are loaded, not every writer.
  const startupPipes: Array<{ file: string; history: HistoryEdge[]; writes: HistoryEdge[] }> = [];
  for (const file of [...files].sort()) {
    const history = await source.entityHistory(file);
    if (!history.some((e) => e.kind === 'wasGeneratedBy' && e.from === file)) continue;
    const node = fileNodes.get(file);
    const startup = node !== undefined && isStartupPipe(node, firstStart.get(node.container), runtimePids.get(node.container) ?? new Set());
    if (startup) startupPipes.push({ file, history, writes: history.filter((e) => isWrite(e, file)).sort((a, b) => (a.time ?? 0) - (b.time ?? 0)) });
    for (const e of history) {
      if (isWrite(e, file)) {
        if (!startup) writers.add(e.request);
      } else readers.push({ request: e.request, time: e.time ?? 0 });
    }
  }
  await load(writers);
  await load(readers.sort((a, b) => b.time - a.time).map((r) => r.request).filter((r, i, all) => all.indexOf(r) === i).slice(0, perContainer));
  const preceding = new Set<string>();
  for (const { file, history, writes } of startupPipes) {
    for (const use of history) {
      if (isWrite(use, file) || !graphs.has(use.request)) continue;
      const latest = latestBefore(writes, use.time ?? 0);
      if (latest) preceding.add(latest.request);
    }
  }
  await load(preceding);
  const writeTimes = new Map(startupPipes.map(({ file, writes }) => [file, writes.map((e) => e.time ?? 0)]));

  return { graphs: [...graphs.values()].sort((a, b) => (a.request < b.request ? -1 : 1)), activations, containers: [...stateful].sort(), writeTimes };
}

type HistoryEdge = UpgEdge & { request: string };

const isWrite = (e: UpgEdge, file: string): boolean => e.from === file && (e.kind === 'wasGeneratedBy' || e.kind === 'wasInvalidatedBy');

/** The last of `writes` (time order) strictly before `time`. */
function latestBefore(writes: readonly HistoryEdge[], time: number): HistoryEdge | undefined {
  let lo = 0;
  let hi = writes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((writes[mid]!.time ?? 0) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? writes[lo - 1] : undefined;
}
