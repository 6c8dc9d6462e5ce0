// Shape checks for a batch arriving from outside (the agent, or the correlator action's params).
// Each error names the offending path and what a valid batch looks like.
import { BATCH_VERSION, type Batch } from '../../protocol/batch';
import { BatchError, BatchVersionError } from './batch-error';
import { validateKernelPart } from './validate-kernel-part';

export { BatchError };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function validateBatch(value: unknown, where = 'batch'): asserts value is Batch {
  const fail = (path: string, expected: string): never => {
    throw new BatchError(`${where}${path} must be ${expected} (see protocol/batch.ts Batch: {v: ${BATCH_VERSION}, invoker, batch, containers: [...], lines: [...]})`);
  };
  if (!isObject(value)) fail('', 'an object');
  const b = value as Record<string, unknown>;
  if (b.v !== BATCH_VERSION) {
    throw new BatchVersionError(`${where}.v is ${JSON.stringify(b.v)}; this correlator reads batch version ${BATCH_VERSION} — upgrade the correlator or the agent so they match`);
  }
  if (typeof b.invoker !== 'string' || b.invoker === '') fail('.invoker', 'a non-empty string');
  if (!Number.isInteger(b.batch) || (b.batch as number) < 0) fail('.batch', 'a non-negative integer');
  if (b.drops !== undefined && (!Number.isInteger(b.drops) || (b.drops as number) < 0)) fail('.drops', 'a non-negative integer when present');
  if (!Array.isArray(b.containers)) fail('.containers', 'an array');
  (b.containers as unknown[]).forEach((c, i) => {
    const p = `.containers[${i}]`;
    if (!isObject(c)) return fail(p, 'an object');
    if (typeof c.container !== 'string' || c.container === '') fail(`${p}.container`, 'a non-empty string');
    if (typeof c.invoker !== 'string') fail(`${p}.invoker`, 'a string');
    if (typeof c.action !== 'string') fail(`${p}.action`, 'a string');
    if (!isFiniteNumber(c.started)) fail(`${p}.started`, 'a number (ms since the epoch)');
    if (c.pid !== undefined && !Number.isInteger(c.pid)) fail(`${p}.pid`, 'an integer when present');
    if (c.cgroupId !== undefined && typeof c.cgroupId !== 'string') fail(`${p}.cgroupId`, 'a decimal string when present');
    if (c.exe !== undefined && typeof c.exe !== 'string') fail(`${p}.exe`, 'a string (the runtime program) when present');
    if (c.args !== undefined && !(Array.isArray(c.args) && c.args.every((a) => typeof a === 'string'))) fail(`${p}.args`, 'an array of strings (the runtime argv) when present');
    if (c.stopped !== undefined && !isFiniteNumber(c.stopped)) fail(`${p}.stopped`, 'a number when present');
  });
  validateKernelPart(b, where);
  if (b.kernelComplete !== undefined && !(Array.isArray(b.kernelComplete) && b.kernelComplete.every((a) => typeof a === 'string' && a !== ''))) {
    fail('.kernelComplete', 'an array of activation ids when present');
  }
  if (b.lost !== undefined) {
    const ok = Array.isArray(b.lost) && b.lost.every((l) => isObject(l) && Number.isInteger(l.batch) && typeof l.reason === 'string' && Number.isInteger(l.lines) && Number.isInteger(l.kernelEvents) && Array.isArray(l.activations) && l.activations.every((a) => typeof a === 'string'));
    if (!ok) fail('.lost', 'an array of {batch, reason, lines, kernelEvents, activations: [...]} when present');
  }
  if (!Array.isArray(b.lines)) fail('.lines', 'an array');
  (b.lines as unknown[]).forEach((l, i) => {
    const p = `.lines[${i}]`;
    if (!isObject(l)) return fail(p, 'an object');
    if (typeof l.container !== 'string' || l.container === '') fail(`${p}.container`, 'a non-empty string');
    if (l.stream !== 'stdout' && l.stream !== 'stderr') fail(`${p}.stream`, '"stdout" or "stderr"');
    if (!isFiniteNumber(l.time)) fail(`${p}.time`, 'a number (ms since the epoch)');
    if (typeof l.line !== 'string') fail(`${p}.line`, 'a string');
    if (!Number.isInteger(l.seq) || (l.seq as number) < 0) fail(`${p}.seq`, 'a non-negative integer');
    if (l.cut !== undefined && (!Number.isInteger(l.cut) || (l.cut as number) < 0)) fail(`${p}.cut`, 'a non-negative integer (bytes cut) when present');
  });
}
