// What one assembly of a batch accumulates while its stages run (assemble.ts): the activation state
// known so far, the fragments being built, and the counts and leftovers reported at the end.
import type { GraphWarning } from '../../upg/types';
import type { ActivationMeta } from '../../store/types';
import type { Batch, ContainerInfo, IngestResult, StreamLine } from '../../protocol/batch';
import type { LmsProfile } from '../../lms/types';
import { FragmentBuilder } from './fragment-builder';
import { LmsStage } from '../lms/stage';

/** A line no activation could be given: kept with its container, and counted. */
export interface UnattributedLine {
  container: string;
  stream: StreamLine['stream'];
  seq: number;
  time: number;
  text: string;
}

/** What the batch's records showed of one activation. */
export interface ActivationProgress {
  /** sequence numbers of its records in this batch */
  seqs: Set<number>;
  /** its begin record is in this batch */
  begunHere: boolean;
  /** the sentinel lines (seq per stream) that closed it in this batch */
  closedAt?: { stdout?: number; stderr?: number };
}

export interface Assembly {
  batch: Batch;
  /** the activation state loaded from the store before this batch */
  known: ReadonlyMap<string, ActivationMeta>;
  /** every activation known: from the store and from this batch's begin records */
  metas: Map<string, ActivationMeta>;
  infos: ReadonlyMap<string, ContainerInfo>;
  builder: FragmentBuilder;
  lms: LmsStage;
  progress: Map<string, ActivationProgress>;
  result: IngestResult;
  unattributed: UnattributedLine[];
  /** warnings that belong to no known request */
  unplaced: GraphWarning[];
}

export function startAssembly(batch: Batch, known: ReadonlyMap<string, ActivationMeta>, profiles: ReadonlyMap<string, LmsProfile>): Assembly {
  const builder = new FragmentBuilder();
  return {
    batch,
    known,
    metas: new Map(known),
    infos: new Map(batch.containers.map((c) => [c.container, c])),
    builder,
    lms: new LmsStage(builder, profiles, batch),
    progress: new Map(),
    result: { requests: [], records: 0, logLines: 0, rejected: {}, unattributed: 0 },
    unattributed: [],
    unplaced: [],
  };
}

export function progressOf(asm: Assembly, activationId: string): ActivationProgress {
  let p = asm.progress.get(activationId);
  if (!p) {
    p = { seqs: new Set(), begunHere: false };
    asm.progress.set(activationId, p);
  }
  return p;
}

export function countRejected(asm: Assembly, reason: string): void {
  asm.result.rejected[reason] = (asm.result.rejected[reason] ?? 0) + 1;
}
