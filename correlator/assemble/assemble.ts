// The correlator's pure stage: from one batch of container output (read once, ingest/classify-batch.ts)
// and the activation state known so far, the per-request graph fragments, the new activation state,
// and what was refused and why. No I/O here: index.ts loads state and writes results.
//
// A short pipeline: each container's lines are walked in the order it wrote them (container-walk.ts);
// the kernel events join once the batch's begin records are known (kernel/join.ts); then the state
// each activation keeps for the next batches, with the gaps and losses this batch showed.
import type { ActivationMeta } from '../../store/types';
import type { ActivationNode, GraphFragment, GraphWarning } from '../../upg/types';
import { nodeIds } from '../../upg/ids';
import type { IngestResult } from '../../protocol/batch';
import type { LmsProfile } from '../../lms/types';
import type { ClassifiedBatch } from '../ingest/classify-batch';
import { joinKernel } from '../kernel/join';
import { startAssembly, type Assembly, type UnattributedLine } from './assembly';
import { walkContainer } from './container-walk';

export type { UnattributedLine } from './assembly';
export const SEQ_GAP = 'seq-gap';
export const EVENTS_DROPPED = 'events-dropped';
/** Output the agent captured and could not keep (protocol/batch.ts LostBatch). */
export const OUTPUT_LOST = 'output-lost';

export interface AssembleOutput {
  /** one per request the batch touched, sorted by request id */
  fragments: GraphFragment[];
  /** the state of every activation the batch touched (new or advanced), sorted by activation id */
  metas: ActivationMeta[];
  result: IngestResult;
  unattributed: UnattributedLine[];
  /** warnings that belong to no known request (e.g. an unreadable record in a busy container) */
  unplaced: GraphWarning[];
}

/** `profiles`: the LMS profiles (by hash) the batch's activations name, for template matching. */
export function assemble(input: ClassifiedBatch, known: ReadonlyMap<string, ActivationMeta>, profiles: ReadonlyMap<string, LmsProfile> = new Map()): AssembleOutput {
  const asm = startAssembly(input.batch, known, profiles);
  for (const [container, lines] of input.containers) walkContainer(asm, container, lines);
  joinKernel({ batch: asm.batch, metas: asm.metas, infos: asm.infos, builder: asm.builder, result: asm.result, unplaced: asm.unplaced });
  const touched = advancedStates(asm);
  markKernelDelivery(asm);
  warnOfDrops(asm, touched);
  warnOfLostBatches(asm);
  const metas = asm.lms.finish(touched, asm.metas);
  const fragments = asm.builder.build();
  nameParents(fragments);
  asm.result.requests = fragments.map((f) => f.request);
  return { fragments, metas, result: asm.result, unattributed: asm.unattributed, unplaced: asm.unplaced };
}

/** The state of each activation this batch had records of, advanced past them; warns of sequence gaps. */
function advancedStates(asm: Assembly): ActivationMeta[] {
  const out: ActivationMeta[] = [];
  for (const [activationId, p] of [...asm.progress.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const meta = asm.metas.get(activationId);
    if (!meta) continue;
    const closedAt = closedAfter(meta, p.closedAt);
    if (p.seqs.size === 0) {
      if (closedAt) out.push({ ...meta, closedAt });
      continue;
    }
    const seqs = [...p.seqs].sort((a, b) => a - b);
    const base = p.begunHere ? 0 : asm.known.get(activationId)?.nextSeq;
    const from = base !== undefined && base < seqs[0] ? base : seqs[0];
    const missing = seqs[seqs.length - 1] - from + 1 - seqs.length;
    if (missing > 0) {
      asm.builder.addWarning(meta.requestId, {
        code: SEQ_GAP,
        message: `${missing} record(s) of this activation are missing (sequence gaps): lost or cut output`,
        activationId,
      });
    }
    out.push({ ...meta, nextSeq: Math.max(meta.nextSeq ?? 0, seqs[seqs.length - 1] + 1), ...(closedAt ? { closedAt } : {}) });
  }
  return out;
}

/**
 * Where the activation's output is closed after this batch, when this batch closed it on a stream it
 * was not known closed on (else undefined: a batch sent again changes nothing; the first close counts).
 */
function closedAfter(meta: ActivationMeta, closedHere: ActivationMeta['closedAt']): ActivationMeta['closedAt'] {
  if (!closedHere) return undefined;
  const fresh = (['stdout', 'stderr'] as const).filter((s) => closedHere[s] !== undefined && meta.closedAt?.[s] === undefined);
  if (fresh.length === 0) return undefined;
  return { ...meta.closedAt, ...Object.fromEntries(fresh.map((s) => [s, closedHere[s]])) };
}

/**
 * Kernel capture's delivery state (protocol/batch.ts kernelComplete): an activation begun in a batch
 * of an agent capturing the kernel waits for its kernel events; one listed has them all.
 */
function markKernelDelivery(asm: Assembly): void {
  const listed = asm.batch.kernelComplete;
  if (listed === undefined) return;
  for (const [activationId, p] of asm.progress) {
    const meta = asm.metas.get(activationId);
    if (p.begunHere && meta) asm.builder.addNode(meta.requestId, activationFacts(meta, { kernelCapture: true }));
  }
  for (const activationId of listed) {
    const meta = asm.metas.get(activationId);
    if (meta) asm.builder.addNode(meta.requestId, activationFacts(meta, { kernelDelivered: true }));
  }
}

function activationFacts(meta: ActivationMeta, extra: Partial<ActivationNode>): ActivationNode {
  return {
    id: nodeIds.activation(meta.activationId),
    kind: 'activation',
    activationId: meta.activationId,
    requestId: meta.requestId,
    action: meta.action,
    container: meta.container,
    ...extra,
  };
}

/** Batches the agent lost: a warning on every request whose activation they held. */
function warnOfLostBatches(asm: Assembly): void {
  for (const lost of asm.batch.lost ?? []) {
    const message = `the agent on ${asm.batch.invoker} lost batch #${lost.batch} (${lost.lines} line(s), ${lost.kernelEvents} kernel event(s)): ${lost.reason}; this graph is missing what it held`;
    let placed = false;
    for (const activationId of lost.activations) {
      const meta = asm.metas.get(activationId);
      if (!meta) continue;
      asm.builder.addWarning(meta.requestId, { code: OUTPUT_LOST, message, activationId });
      placed = true;
    }
    if (!placed) asm.unplaced.push({ code: OUTPUT_LOST, message, count: 1 });
  }
}

/** Events the agent lost before this batch: every request it touched may be incomplete. */
function warnOfDrops(asm: Assembly, touched: readonly ActivationMeta[]): void {
  const { batch } = asm;
  if (!batch.drops || batch.drops <= 0) return;
  for (const request of new Set(touched.map((m) => m.requestId))) {
    asm.builder.addWarning(request, {
      code: EVENTS_DROPPED,
      message: `the agent on ${batch.invoker} lost ${batch.drops} event(s) before batch ${batch.batch}: this graph may be incomplete`,
      count: batch.drops,
    });
  }
}

/**
 * A child activation's node names its parent when the parent's invoke record is in the same
 * request's fragment (the child's begin rarely knows its parent; the parent learns the child's id
 * from the platform). Across batches the wasStartedBy edge still joins them.
 */
function nameParents(fragments: GraphFragment[]): void {
  for (const fragment of fragments) {
    const parentOf = new Map<string, string>();
    for (const node of fragment.nodes) {
      if (node.kind === 'message' && node.to !== undefined) parentOf.set(node.to, node.from);
    }
    for (const node of fragment.nodes) {
      if (node.kind === 'activation' && node.parent === undefined && parentOf.has(node.activationId)) {
        node.parent = parentOf.get(node.activationId);
      }
    }
  }
}
