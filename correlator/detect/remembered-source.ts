// What the agent's sink remembers between detection runs, so that a run's store reads do not grow with
// how long a container has run. Without it every run read, for every file the recent graphs touched,
// the file's whole history (for a file in a container: every activation item of the container), and
// the container's whole activation list: files every activation reads (the loader, libc, node's own
// files) made each run read O(all activations) items, and a backlog after a store outage never drained.
//
// The memory is kept up to date by the graphs the runs load: every request the sink ingests is
// detected, and detection loads its graph first, so each new edge passes through here. A file's
// history is read from the store once (at its first use); after that its new edges arrive in graphs.
// A container whose whole activation list was read once is "watched": a file of it never seen is then
// known to have no older touches (a file is per container, and only the container's activations touch
// it), so it needs no store read at all. Only this sink writes the graphs of its node's containers;
// a memory is for one sink, never shared.
import { LOADS_AT_ONCE, type AnalysisSource } from '../../upg/analyses/gather';
import type { ActivationNode, RequestGraph, UpgEdge } from '../../upg/types';

type HistoryEdge = UpgEdge & { request: string };

/** readers kept per file: more than gather's window of recent readers (20), newest first */
const READERS_KEPT = 64;
/** graphs of requests not touched since they were read, kept for the next runs */
const GRAPHS_KEPT = 512;
/** a container with more activations than this is not watched: its files' histories are read once each instead */
const WATCH_AT_MOST = 2_000;
/** files remembered; past this the memory starts again (each file read afresh once) */
const FILES_KEPT = 50_000;
/** containers remembered; past this the memory of containers starts again */
const CONTAINERS_KEPT = 10_000;

interface FileMemory {
  /** edges that write or remove the file, every one, by request and edge id */
  writers: Map<string, HistoryEdge>;
  /** every other touch, the newest per request, at most READERS_KEPT requests */
  readers: Map<string, HistoryEdge>;
}

export interface RememberedSource extends AnalysisSource {
  /** requests just ingested: their graphs changed and are read afresh */
  changed(requests: Iterable<string>): void;
  /** after a run that failed part way (a graph it ingested may not have been folded in): start afresh */
  forget(): void;
}

export interface RememberOptions {
  /**
   * Whether every write to this container (or to a file of it: the node id is given) passes through the
   * memory's owner (default: all do, the agent's sink). What is not trusted is read from the store each
   * time, and a kept graph that has an activation in such a container is read again.
   */
  trusted?: (nodeId: string) => boolean;
}

export function rememberedSource(store: AnalysisSource, options: RememberOptions = {}): RememberedSource {
  const trusted = options.trusted ?? (() => true);
  const files = new Map<string, FileMemory>();
  /** each container's activations: the store's list at its first use, then those arriving in graphs */
  const activations = new Map<string, Map<string, ActivationNode>>();
  /** containers whose every graph so far was folded in: a file of theirs not in `files` has no touches yet */
  const watched = new Set<string>();
  const graphs = new Map<string, RequestGraph>();

  const makeRoom = (): void => {
    if (files.size < FILES_KEPT) return;
    // a watched container's file missing from memory would be taken for untouched: unwatch them all
    files.clear();
    watched.clear();
  };

  const fold = (g: RequestGraph): void => {
    const fileContainer = new Map<string, string>();
    for (const n of g.nodes) {
      if (n.kind === 'file') fileContainer.set(n.id, n.container);
      else if (n.kind === 'activation') activations.get(n.container)?.set(n.activationId, n);
    }
    for (const e of g.edges) {
      for (const end of e.from === e.to ? [e.from] : [e.from, e.to]) {
        const container = fileContainer.get(end);
        if (container === undefined) continue;
        let memory = files.get(end);
        if (!memory) {
          makeRoom();
          if (!watched.has(container)) continue;
          memory = { writers: new Map(), readers: new Map() };
          files.set(end, memory);
        }
        remember(memory, end, { ...e, request: g.request });
      }
    }
  };

  const allTrusted = (g: RequestGraph): boolean => g.nodes.every((n) => n.kind !== 'activation' || trusted(n.container));

  const read = async (requestId: string): Promise<RequestGraph | undefined> => {
    const g = await store.getRequestGraph(requestId);
    if (!g) return g;
    fold(g);
    graphs.set(requestId, g);
    if (graphs.size > GRAPHS_KEPT) graphs.delete(graphs.keys().next().value!);
    return g;
  };

  return {
    forget() {
      files.clear();
      activations.clear();
      watched.clear();
      graphs.clear();
    },
    changed(requests) {
      for (const r of requests) graphs.delete(r);
    },
    async getRequestGraph(requestId) {
      const kept = graphs.get(requestId);
      if (!kept || !allTrusted(kept)) return read(requestId);
      // most recently used last
      graphs.delete(requestId);
      graphs.set(requestId, kept);
      return kept;
    },
    async containerActivations(container) {
      if (!trusted(container)) return store.containerActivations(container);
      const known = activations.get(container);
      if (known) return [...known.values()];
      const list = await store.containerActivations(container);
      if (activations.size >= CONTAINERS_KEPT) {
        activations.clear();
        watched.clear();
      }
      activations.set(container, new Map(list.map((a) => [a.activationId, a])));
      if (list.length <= WATCH_AT_MOST) {
        // Fold in every graph of the container once (all read before any is folded, so a failed read
        // leaves it unwatched); from then on each of its files is remembered from its first touch.
        const requests = [...new Set(list.map((a) => a.requestId))];
        const all: RequestGraph[] = [];
        for (let i = 0; i < requests.length; i += LOADS_AT_ONCE) {
          const got = await Promise.all(requests.slice(i, i + LOADS_AT_ONCE).map((r) => graphs.get(r) ?? store.getRequestGraph(r)));
          for (const g of got) if (g) all.push(g);
        }
        watched.add(container);
        for (const g of all) fold(g);
      }
      return list;
    },
    async entityHistory(entity) {
      if (!trusted(entity)) return store.entityHistory(entity);
      const memory = files.get(entity);
      if (memory) return [...memory.writers.values(), ...memory.readers.values()];
      const history = await store.entityHistory(entity);
      makeRoom();
      const fresh: FileMemory = { writers: new Map(), readers: new Map() };
      for (const e of history) remember(fresh, entity, e);
      files.set(entity, fresh);
      return history;
    },
  };
}

function remember(memory: FileMemory, file: string, e: HistoryEdge): void {
  if (e.from === file && (e.kind === 'wasGeneratedBy' || e.kind === 'wasInvalidatedBy')) {
    memory.writers.set(`${e.request}\u0000${e.id}`, e);
    return;
  }
  const known = memory.readers.get(e.request);
  if (known && (known.time ?? 0) >= (e.time ?? 0)) return;
  memory.readers.delete(e.request);
  memory.readers.set(e.request, e);
  if (memory.readers.size > READERS_KEPT * 2) {
    const newest = [...memory.readers.values()].sort((a, b) => (b.time ?? 0) - (a.time ?? 0)).slice(0, READERS_KEPT);
    memory.readers = new Map(newest.map((r) => [r.request, r]));
  }
}
