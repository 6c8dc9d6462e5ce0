// Shape checks for a batch's kernel part (Batch.kernel, Batch.kernelDrops), called by validateBatch.
// Each error names the offending path and what is expected there.
import { BatchError } from './batch-error';

const OPS = new Set(['open', 'read', 'write', 'rename', 'unlink', 'link', 'mkdir', 'chmod', 'exec', 'fork', 'exit', 'connect', 'accept', 'bind', 'listen', 'send', 'recv', 'kill']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function validateKernelPart(b: Record<string, unknown>, where = 'batch'): void {
  const fail = (path: string, expected: string): never => {
    throw new BatchError(`${where}${path} must be ${expected} (see protocol/batch.ts KernelEventLite)`);
  };
  if (b.kernel !== undefined) {
    if (!Array.isArray(b.kernel)) fail('.kernel', 'an array when present');
    (b.kernel as unknown[]).forEach((k, i) => {
      const p = `.kernel[${i}]`;
      if (!isObject(k)) return fail(p, 'an object');
      if (typeof k.container !== 'string' || k.container === '') fail(`${p}.container`, 'a non-empty string');
      if (typeof k.op !== 'string' || !OPS.has(k.op)) fail(`${p}.op`, `one of ${[...OPS].join(', ')}`);
      if (!isFiniteNumber(k.ts)) fail(`${p}.ts`, 'a number (ms since the epoch)');
      if (!Number.isInteger(k.pid)) fail(`${p}.pid`, 'an integer');
      if (k.a !== undefined && typeof k.a !== 'string') fail(`${p}.a`, 'a string when present');
      if (k.r !== undefined && typeof k.r !== 'string') fail(`${p}.r`, 'a string when present');
      if (k.amb !== undefined && (!Array.isArray(k.amb) || !k.amb.every((x) => typeof x === 'string'))) fail(`${p}.amb`, 'an array of strings when present');
      if (k.n !== undefined && (!Number.isInteger(k.n) || (k.n as number) < 1)) fail(`${p}.n`, 'a positive integer when present');
      for (const f of ['path', 'path2', 'addr', 'proto', 'comm'] as const) if (k[f] !== undefined && typeof k[f] !== 'string') fail(`${p}.${f}`, 'a string when present');
      for (const f of ['te', 'bytes', 'port', 'child', 'openFlags', 'mode', 'signal', 'exitCode'] as const) if (k[f] !== undefined && !isFiniteNumber(k[f])) fail(`${p}.${f}`, 'a number when present');
      if (k.args !== undefined && (!Array.isArray(k.args) || !k.args.every((x) => typeof x === 'string'))) fail(`${p}.args`, 'an array of strings when present');
    });
  }
  if (b.kernelDrops !== undefined) {
    if (!isObject(b.kernelDrops)) fail('.kernelDrops', 'an object {activationId: count} when present');
    for (const [a, n] of Object.entries(b.kernelDrops as Record<string, unknown>)) {
      if (!Number.isInteger(n) || (n as number) < 0) fail(`.kernelDrops[${JSON.stringify(a)}]`, 'a non-negative integer');
    }
  }
}
