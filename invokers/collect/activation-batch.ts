// Pure: one activation pulled from the REST API (its record and its log lines) as the batch the
// correlator ingests (protocol/batch.ts). The log lines carry the wrapper's records; the record gives
// the action and the times. There are no kernel events in pull mode.
//
// The container is named after what the wrapper's begin record says of its process (`host`, which a
// container engine sets to the container's id, and `pid`), so activations that ran in one warm
// container land on one container node, as with the node agent; an activation without a begin
// record gets a container of its own. The batch number is derived from the activation id, so the
// same activation collected again is the same batch (idempotent ingestion).
import { createHash } from 'node:crypto';
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';
import { BATCH_VERSION, type Batch, type StreamLine } from '../../protocol/batch';
import { RECORD_PREFIX } from '../../protocol/wrapper-records';
import { parseRecordLine } from '../../wrapper/records';
import { parseLogLine } from './log-lines';

/** The invoker name of every pulled batch: the nodes that ran the activations are not known. */
export const PULL_INVOKER = 'pull';

/** The fields of an OpenWhisk activation record this uses. */
export interface ActivationDoc {
  activationId: string;
  /** `guest`, or `guest/package` */
  namespace: string;
  name: string;
  start: number;
  end?: number;
  annotations?: Array<{ key: string; value: unknown }>;
}

/** `/namespace/[package/]name`, as __OW_ACTION_NAME spells it. */
export function actionOf(doc: ActivationDoc): string {
  const path = doc.annotations?.find((a) => a.key === 'path')?.value;
  if (typeof path === 'string' && path !== '') return `/${path.replace(/^\/+/, '')}`;
  return `/${doc.namespace.replace(/^\/+|\/+$/g, '')}/${doc.name}`;
}

/** The action's concurrency limit, when the record says (OpenWhisk collects no logs above 1). */
export function concurrencyOf(doc: ActivationDoc): number | undefined {
  const limits = doc.annotations?.find((a) => a.key === 'limits')?.value as { concurrency?: unknown } | undefined;
  return typeof limits?.concurrency === 'number' ? limits.concurrency : undefined;
}

export function batchNumberOf(activationId: string): number {
  return parseInt(createHash('sha256').update(activationId).digest('hex').slice(0, 12), 16);
}

export function activationBatch(doc: ActivationDoc, logs: readonly string[]): Batch {
  const parsed = logs.map((raw) => parseLogLine(raw) ?? { time: doc.start, stream: 'stdout' as const, text: raw });
  const container = containerOf(doc, parsed.map((l) => l.text));
  const seq = { stdout: 0, stderr: 0 };
  const lines: StreamLine[] = parsed.map((l) => ({ container, stream: l.stream, time: l.time, line: l.text, seq: seq[l.stream]++ }));
  // OpenWhisk collected each stream up to the runtime's sentinel and left the sentinel out: put it back,
  // so the correlator closes the activation exactly as it does with the agent's lines.
  const end = doc.end ?? parsed.reduce((t, l) => Math.max(t, l.time), doc.start);
  for (const stream of ['stdout', 'stderr'] as const) lines.push({ container, stream, time: end, line: ACTIVATION_SENTINEL, seq: seq[stream]++ });
  return {
    v: BATCH_VERSION,
    invoker: PULL_INVOKER,
    batch: batchNumberOf(doc.activationId),
    // when the container started is not known: its first activation seen here stands for it
    containers: [{ container, invoker: PULL_INVOKER, action: actionOf(doc), started: doc.start }],
    lines,
  };
}

function containerOf(doc: ActivationDoc, texts: readonly string[]): string {
  for (const text of texts) {
    if (!text.startsWith(RECORD_PREFIX)) continue;
    const parsed = parseRecordLine(text);
    if ('record' in parsed && parsed.record.t === 'begin' && parsed.record.a === doc.activationId) {
      return `${parsed.record.host || 'host'}-${parsed.record.pid}`;
    }
  }
  return `activation-${doc.activationId}`;
}
