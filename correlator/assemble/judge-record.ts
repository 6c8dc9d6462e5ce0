// Step 2 of assembly: decide whether one record line is believed. Parsing and the MAC are the
// wrapper's (wrapper/records.ts, one implementation for both ends); what only the correlator can
// check is here: the activation's begin is known, the record comes from that activation's
// container, the request matches. Pure: the caller owns the activation state.
import type { BeginRecord, ProvRecord } from '../../protocol/wrapper-records';
import { parseRecordLine, verifyRecord, type ParseResult } from '../../wrapper/records';
import type { ActivationMeta } from '../../store/types';

/** Reasons the correlator adds to the wrapper's parse reasons (bad-json, unknown-version, ...). */
export const REJECT = {
  noBegin: 'no-begin',
  duplicateBegin: 'duplicate-begin',
  badMac: 'bad-mac',
  wrongContainer: 'wrong-container',
  requestMismatch: 'request-mismatch',
  actionMismatch: 'action-mismatch',
} as const;

export interface RecordContext {
  /** node id of the container whose stream the line came from */
  containerNodeId: string;
  /** fully qualified action name the agent says the container runs, when known */
  containerAction?: string;
  /** every activation known so far: from the store and from earlier lines of this batch */
  metas: ReadonlyMap<string, ActivationMeta>;
}

export type RecordVerdict =
  | {
      ok: true;
      record: ProvRecord;
      /** the activation state to use for this record; for a first-seen begin, the new state to keep */
      meta: ActivationMeta;
      /** a begin seen before (same key): a re-delivery, not a new activation */
      redelivered: boolean;
    }
  | {
      ok: false;
      reason: string;
      message: string;
      /** the activation the line claims to belong to, when it could be read */
      claimedActivationId?: string;
    };

/** `parsed`: the line's parse, when the caller already has it (classifyLine made it). */
export function judgeRecordLine(line: string, ctx: RecordContext, parsed: ParseResult = parseRecordLine(line)): RecordVerdict {
  if ('error' in parsed) {
    return { ok: false, reason: parsed.error, message: `refused record: ${parsed.detail}` };
  }
  const record = parsed.record;
  const known = ctx.metas.get(record.a);
  if (record.t === 'begin') return judgeBegin(record, known, ctx);

  const claimed = { claimedActivationId: record.a };
  if (!known) {
    return { ok: false, reason: REJECT.noBegin, message: `${record.t} record for an activation with no begin`, ...claimed };
  }
  if (known.container !== ctx.containerNodeId) {
    return {
      ok: false,
      reason: REJECT.wrongContainer,
      message: `${record.t} record written in ${ctx.containerNodeId}, but the activation runs in ${known.container}`,
      ...claimed,
    };
  }
  if (!verifyRecord(record, line, known.key)) {
    return { ok: false, reason: REJECT.badMac, message: `${record.t} record with a MAC that does not verify (forged or altered)`, ...claimed };
  }
  if (record.r !== known.requestId) {
    return {
      ok: false,
      reason: REJECT.requestMismatch,
      message: `${record.t} record names request ${record.r}, the activation belongs to ${known.requestId}`,
      ...claimed,
    };
  }
  return { ok: true, record, meta: known, redelivered: false };
}

function judgeBegin(record: BeginRecord, known: ActivationMeta | undefined, ctx: RecordContext): RecordVerdict {
  if (known) {
    // The same begin line again (a retried batch) is fine; anything else is a second begin.
    const same = known.key === record.k && known.requestId === record.r && known.container === ctx.containerNodeId;
    if (same) return { ok: true, record, meta: known, redelivered: true };
    return {
      ok: false,
      reason: REJECT.duplicateBegin,
      message: 'a second begin record for an activation already begun (the first one is kept)',
      claimedActivationId: record.a,
    };
  }
  if (ctx.containerAction !== undefined && actionPath(ctx.containerAction) !== actionPath(record.act)) {
    return {
      ok: false,
      reason: REJECT.actionMismatch,
      message: `begin record for action ${record.act} in a container of ${ctx.containerAction}`,
      claimedActivationId: record.a,
    };
  }
  const meta: ActivationMeta = {
    activationId: record.a,
    requestId: record.r,
    action: record.act,
    container: ctx.containerNodeId,
    key: record.k,
    start: record.ts,
    nextSeq: record.s + 1,
  };
  return { ok: true, record, meta, redelivered: false };
}

/** "/ns/pkg/action" -> "pkg/action": namespaces are spelled differently ("_" vs the real one). */
export function actionPath(name: string): string {
  if (!name.startsWith('/')) return name;
  return name.split('/').filter(Boolean).slice(1).join('/');
}
