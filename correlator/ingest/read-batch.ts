// The correlator's entry to a batch from outside: checked once (validate-batch.ts) and read once
// (classify-batch.ts). What comes out is what every later stage takes.
import { classifyBatch, type ClassifiedBatch } from './classify-batch';
import { validateBatch } from './validate-batch';

/** Throws BatchError, naming the offending path, when `value` is not a valid batch. */
export function readBatch(value: unknown, where = 'batch'): ClassifiedBatch {
  validateBatch(value, where);
  return classifyBatch(value);
}
