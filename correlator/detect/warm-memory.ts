// What a warm correlator process (the deployed correlator action, or ingestBatch called in a loop)
// remembers between the batches it ingests, so that detection after a batch reads what is new rather
// than every touched file's whole history again (remembered-source.ts, known-incidents.ts: the same
// memory the agent's sink keeps).
//
// That memory is only right for containers whose every write passed through this process. The
// deployed correlator may run in several containers side by side, each given some of the agents'
// batches. So the memory follows invokers: an invoker's batches are numbered one after another (the
// agent's spool and retries keep the numbers), and while this process has seen each of an invoker's
// batches since it started following it, it has seen every write to that invoker's containers. The
// first batch of an invoker, or one after a gap (a batch that went to another correlator, or was
// lost), starts the memory afresh; the containers of invokers not followed are read from the store
// each time. A batch ingested without detection, or a detection that failed, forgets it all too: the
// memory is kept up to date only by the graphs detection reads.
import type { Batch } from '../../protocol/batch';
import type { ProvenanceStore } from '../../store/types';
import type { AnalysisSource } from '../../upg/analyses/gather';
import { knownIncidents, type KnownIncidents } from './known-incidents';
import { rememberedSource, type RememberedSource, type RememberOptions } from './remembered-source';

/** longest invoker name followed: longer ones may be cut inside node ids (upg/ids.ts bounded) */
const INVOKER_NAME_MAX = 50;
/** invokers followed at once; past this the memory starts again */
const INVOKERS_KEPT = 1_000;

/** What detection remembers between runs: what it read (remembered-source.ts) and what it stored (known-incidents.ts). */
export interface DetectionMemory {
  source: RememberedSource;
  known: KnownIncidents;
  /** something may have been written that detection will not read: start afresh */
  forget(): void;
}

export function detectionMemory(store: AnalysisSource, options: RememberOptions = {}): DetectionMemory {
  const source = rememberedSource(store, options);
  const known = knownIncidents();
  return {
    source,
    known,
    forget() {
      source.forget();
      known.forget();
    },
  };
}

export interface WarmMemory extends DetectionMemory {
  /** a batch about to be ingested, with detection after it */
  follow(batch: Pick<Batch, 'invoker' | 'batch'>): void;
}

export function warmMemory(store: AnalysisSource): WarmMemory {
  /** the last batch number seen of each followed invoker */
  const followed = new Map<string, number>();
  const memory = detectionMemory(store, { trusted: (id) => followed.has(invokerOf(id)) });
  const forget = (): void => {
    followed.clear();
    memory.forget();
  };
  return {
    ...memory,
    forget,
    follow({ invoker, batch }) {
      const last = followed.get(invoker);
      // the same batch again (a retry) changes nothing this memory has not seen
      if (batch === last) return;
      // Not the next one: a gap, or numbers that went back (an agent whose spool was wiped numbers afresh).
      if (last === undefined || batch !== last + 1) {
        // The invoker's containers may have been written by batches this process did not see.
        const others = [...followed];
        forget();
        if (others.length < INVOKERS_KEPT) for (const [name, n] of others) if (name !== invoker) followed.set(name, n);
      }
      if (invoker.includes('/') || invoker.length > INVOKER_NAME_MAX) return;
      followed.set(invoker, batch);
    },
  };
}

/** Pure: the invoker a container or file node id names (`ctr:<invoker>/<container>`, `file:<invoker>/<container>:<path>`), '' if none. */
export function invokerOf(nodeId: string): string {
  const start = nodeId.indexOf(':') + 1;
  const end = nodeId.indexOf('/', start);
  return start > 0 && end > start ? nodeId.slice(start, end) : '';
}

const memories = new WeakMap<ProvenanceStore, WarmMemory>();

/** The memory of detection on this store, kept as long as the store is (a warm action keeps its store). */
export function warmMemoryFor(store: ProvenanceStore): WarmMemory {
  let memory = memories.get(store);
  if (!memory) memories.set(store, (memory = warmMemory(store)));
  return memory;
}

/** A batch ingested on this store without detection after it: what detection remembers may be stale. */
export function forgetWarmMemory(store: ProvenanceStore): void {
  memories.get(store)?.forget();
}
