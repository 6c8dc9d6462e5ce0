// Joins a batch's kernel events (Batch.kernel) into the request graphs (pure). The agent names
// each event's activation; the correlator believes it only for an activation whose begin record
// it has accepted (MAC-keyed), in the same container, for the same request, so a
// wrong or hostile attribution cannot put events into another request's graph.
import { nodeIds } from '../../upg/ids';
import type { GraphWarning } from '../../upg/types';
import type { ActivationMeta } from '../../store/types';
import type { Batch, ContainerInfo, IngestResult } from '../../protocol/batch';
import type { FragmentBuilder } from '../assemble/fragment-builder';
import { addKernelFacts } from './event-facts';

export const KERNEL_REJECT = {
  noBegin: 'kernel-no-begin',
  wrongContainer: 'kernel-wrong-container',
  requestMismatch: 'kernel-request-mismatch',
  unusable: 'kernel-unusable',
} as const;
/** Events several activations of one process could own (concurrency > 1): counted, not drawn. */
export const KERNEL_AMBIGUOUS = 'kernel-ambiguous';
/** The capture lost events while the activation ran: its graph is known to be incomplete. */
export const KERNEL_EVENTS_DROPPED = 'kernel-events-dropped';

export interface KernelJoinInput {
  batch: Batch;
  /** every activation known: from the store and from this batch's records */
  metas: ReadonlyMap<string, ActivationMeta>;
  infos: ReadonlyMap<string, ContainerInfo>;
  builder: FragmentBuilder;
  result: IngestResult;
  unplaced: GraphWarning[];
}

/** Activation ids the batch's kernel part names (state to load before assembling). */
export function kernelActivationIds(batch: Batch): string[] {
  const ids = new Set<string>();
  for (const ev of batch.kernel ?? []) {
    if (ev.a !== undefined) ids.add(ev.a);
    for (const a of ev.amb ?? []) ids.add(a);
  }
  for (const a of Object.keys(batch.kernelDrops ?? {})) ids.add(a);
  return [...ids];
}

export function joinKernel({ batch, metas, infos, builder, result, unplaced }: KernelJoinInput): void {
  const reject = (reason: string) => (result.rejected[reason] = (result.rejected[reason] ?? 0) + 1);
  const ambiguous = new Map<string, { container: string; count: number; others: Set<string> }>();
  let joined = 0;

  for (const ev of batch.kernel ?? []) {
    const invoker = infos.get(ev.container)?.invoker ?? batch.invoker;
    const containerNodeId = nodeIds.container(invoker, ev.container);
    if (ev.a === undefined) {
      for (const a of ev.amb ?? []) {
        const slot = ambiguous.get(a) ?? { container: containerNodeId, count: 0, others: new Set<string>() };
        slot.count += ev.n ?? 1;
        for (const o of ev.amb ?? []) if (o !== a) slot.others.add(o);
        ambiguous.set(a, slot);
      }
      continue;
    }
    const meta = metas.get(ev.a);
    if (!meta) {
      reject(KERNEL_REJECT.noBegin);
      continue;
    }
    if (meta.container !== containerNodeId) {
      reject(KERNEL_REJECT.wrongContainer);
      continue;
    }
    if (ev.r !== undefined && ev.r !== meta.requestId) {
      reject(KERNEL_REJECT.requestMismatch);
      continue;
    }
    const scope = {
      request: meta.requestId,
      activationId: meta.activationId,
      action: meta.action,
      invoker,
      container: ev.container,
      containerNodeId,
      containerInfo: infos.get(ev.container),
    };
    if (addKernelFacts(builder, ev, scope)) joined += ev.n ?? 1;
    else reject(KERNEL_REJECT.unusable);
  }

  for (const [a, slot] of ambiguous) {
    const meta = metas.get(a);
    const warning: GraphWarning = {
      code: KERNEL_AMBIGUOUS,
      message: `${slot.count} kernel event(s) in ${slot.container} ran while ${slot.others.size + 1} activations shared one process (concurrency > 1): they belong to this activation or to ${[...slot.others].sort().join(', ')}, and are not drawn`,
      activationId: a,
      count: slot.count,
    };
    if (meta) builder.addWarning(meta.requestId, warning);
    else unplaced.push(warning);
  }

  for (const [a, n] of Object.entries(batch.kernelDrops ?? {})) {
    const warning: GraphWarning = {
      code: KERNEL_EVENTS_DROPPED,
      message: `kernel capture on ${batch.invoker} lost ${n} event(s) while this activation ran: its kernel-level graph is incomplete`,
      activationId: a,
      count: n,
    };
    const meta = metas.get(a);
    if (meta) builder.addWarning(meta.requestId, warning);
    else unplaced.push(warning);
  }

  if (batch.kernel?.length) result.kernelEvents = (result.kernelEvents ?? 0) + joined;
}
