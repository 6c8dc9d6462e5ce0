// Batches the correlator cannot take whole. A deployed correlator action receives its batch as the
// invocation's parameters, and OpenWhisk refuses parameters over 1 MB (413): the agent cuts batches
// by bytes as well as by count (Agent's maxBatchBytes), and a batch a sink still refuses as too
// large is split in two and each half sent (split again if need be), never retried whole forever.
import type { Batch, KernelEventLite, StreamLine } from '../../protocol/batch';

/** Default byte budget of a batch's JSON: half OpenWhisk's default 1 MB parameter limit, leaving room for the envelope. */
export const DEFAULT_MAX_BATCH_BYTES = 512 * 1024;

/** Thrown by a sink whose receiver refused the batch for its size (HTTP 413): split it, do not retry it. */
export class BatchTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchTooLargeError';
  }
}

/** Bytes an item adds to a batch's JSON (its text and the comma before it). */
export function jsonBytes(item: StreamLine | KernelEventLite): number {
  return Buffer.byteLength(JSON.stringify(item)) + 1;
}

/**
 * Pure: the batch in two, in order, each half with a number from `nextNumber` (numbers are never
 * reused: the correlator takes a batch number as the batch's identity). Lines are never split: the
 * first half takes the first half of the lines and of the kernel events, the second the rest.
 * Containers go with both halves (each half's lines need them); counts of lost events and lost
 * batches with the first, so they are counted once; the kernel delivery watermark with the second,
 * since it says the kernel events before it are all delivered. Undefined when the batch holds fewer
 * than two lines and kernel events together (nothing left to split).
 */
export function splitBatch(batch: Batch, nextNumber: () => number): [Batch, Batch] | undefined {
  const kernel = batch.kernel ?? [];
  if (batch.lines.length + kernel.length < 2) return undefined;
  const lineCut = Math.ceil(batch.lines.length / 2);
  const kernelCut = Math.floor(kernel.length / 2);
  const { kernel: _k, kernelComplete, drops, kernelDrops, lost, ...common } = batch;
  const first: Batch = { ...common, batch: nextNumber(), lines: batch.lines.slice(0, lineCut) };
  if (kernelCut > 0) first.kernel = kernel.slice(0, kernelCut);
  if (drops !== undefined) first.drops = drops;
  if (kernelDrops !== undefined) first.kernelDrops = kernelDrops;
  if (lost !== undefined) first.lost = lost;
  // an agent with kernel capture on puts the watermark on every batch (protocol/batch.ts)
  if (kernelComplete !== undefined) first.kernelComplete = [];
  const second: Batch = { ...common, batch: nextNumber(), lines: batch.lines.slice(lineCut) };
  if (kernel.length > kernelCut) second.kernel = kernel.slice(kernelCut);
  if (kernelComplete !== undefined) second.kernelComplete = kernelComplete;
  return [first, second];
}
