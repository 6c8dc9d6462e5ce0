// Deterministic node and edge ids: a readable prefix plus what identifies the
// thing, hashed when long. The same event always yields the same id, which is what makes
// ingestion idempotent and lets analyses join requests on shared entities (a file in one
// container, a DynamoDB item) without any lookup.
import { createHash } from 'node:crypto';
import type { EdgeKind } from './types';

/** Longest identifying part kept readable; longer parts keep a prefix and get a hash suffix. */
const MAX_READABLE = 120;

export function shortHash(text: string, hexChars = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/** Keeps ids bounded: a long identifying part becomes its first characters plus a hash of the whole. */
function bounded(part: string): string {
  if (part.length <= MAX_READABLE) return part;
  return `${part.slice(0, 60)}…#${shortHash(part)}`;
}

/** JSON with object keys sorted at every level, so equal keys in any order give one id. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** The part of a container-scoped id that names the container: invoker and container id. */
export function containerKey(invoker: string, container: string): string {
  return `${invoker}/${container}`;
}

export const nodeIds = {
  request: (requestId: string) => `req:${bounded(requestId)}`,
  activation: (activationId: string) => `act:${bounded(activationId)}`,
  action: (name: string) => `action:${bounded(name)}`,
  invoker: (name: string) => `inv:${bounded(name)}`,
  container: (invoker: string, container: string) => `ctr:${bounded(containerKey(invoker, container))}`,
  /** The external caller of one request: per request, since nothing identifies it further. */
  client: (requestId: string) => `client:${bounded(requestId)}`,
  /** A process in one container (pids are per container: own pid namespace, or per-container runtime). */
  process: (invoker: string, container: string, pid: number) =>
    `proc:${bounded(`${containerKey(invoker, container)}/${pid}`)}`,
  /** A container's start-up (what it did before its first activation): one per container. */
  startup: (invoker: string, container: string) => `startup:${bounded(containerKey(invoker, container))}`,
  /** A spawned process whose pid was never known: identified by the record that spawned it. */
  processBySpawn: (activationId: string, seq: number) => `proc:${bounded(`${activationId}#${seq}`)}`,
  /** A file is per container: each container has its own /tmp. */
  file: (invoker: string, container: string, path: string) =>
    `file:${bounded(`${containerKey(invoker, container)}:${path}`)}`,
  socket: (proto: string, address: string, port: number) => `sock:${bounded(`${proto}:${address}:${port}`)}`,
  item: (table: string, key: Record<string, unknown>) => `item:${bounded(`${table}:${stableJson(key)}`)}`,
  table: (table: string) => `table:${bounded(table)}`,
  /** An invocation message: known from both ends once the child activation id is known. */
  message: (fromActivation: string, toActivation: string) => `msg:${bounded(`${fromActivation}->${toActivation}`)}`,
  /** An invocation that produced no child activation (it failed): identified by the invoke record. */
  messageByRecord: (fromActivation: string, seq: number) => `msg:${bounded(`${fromActivation}#${seq}`)}`,
  log: (activationId: string, stream: string, seq: number) => `log:${bounded(`${activationId}:${stream}:${seq}`)}`,
};

/** What identifies one edge. `discriminator` separates repeated edges (e.g. the time of the first aggregated op). */
export interface EdgeIdentity {
  from: string;
  to: string;
  kind: EdgeKind;
  op?: string;
  activationId?: string;
  discriminator?: string | number;
}

export function edgeId(e: EdgeIdentity): string {
  const parts = [e.from, e.to, e.kind, e.op ?? '', e.activationId ?? '', e.discriminator ?? ''];
  return `e:${shortHash(parts.join('\u0000'), 24)}`;
}
