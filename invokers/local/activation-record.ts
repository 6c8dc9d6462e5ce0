// Activation records shaped like OpenWhisk's, and the rules that turn what a container answered
// into a response status (pure).
import type { KeyValue } from './action-doc';
import { isObject } from './json-object';

export type ActivationStatus = 'success' | 'application error' | 'action developer error' | 'whisk internal error';

export const STATUS_CODES: Record<ActivationStatus, number> = {
  success: 0,
  'application error': 1,
  'action developer error': 2,
  'whisk internal error': 3,
};

export interface ActivationResponse {
  status: ActivationStatus;
  statusCode: number;
  success: boolean;
  result: Record<string, unknown>;
  size: number;
}

export interface ActivationRecord {
  namespace: string;
  name: string;
  version: string;
  subject: string;
  activationId: string;
  start: number;
  end: number;
  duration: number;
  statusCode: number;
  response: ActivationResponse;
  logs: string[];
  annotations: KeyValue[];
  publish: false;
  /** the activation that started this one: the sequence it is a component of, or the trigger firing that ran its rule */
  cause?: string;
}

/** What happened when the platform asked a container to run an activation. */
export type RunOutcome =
  | { kind: 'answered'; httpStatus: number; body: unknown }
  | { kind: 'init-failed'; httpStatus?: number; body?: unknown; message?: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'crashed'; message: string }
  | { kind: 'internal'; message: string };

export const MESSAGES = {
  exitedUnexpectedly: 'The action did not produce a valid response and exited unexpectedly.',
  timeout: (ms: number) => `The action exceeded its time limits of ${ms} milliseconds.`,
  notJson: 'The action did not produce a valid JSON response.',
};

export function makeResponse(status: ActivationStatus, result: Record<string, unknown>): ActivationResponse {
  return {
    status,
    statusCode: STATUS_CODES[status],
    success: status === 'success',
    result,
    size: Buffer.byteLength(JSON.stringify(result)),
  };
}

/**
 * OpenWhisk's rules: a 200 with a dictionary is success, or an application error when the
 * dictionary has an `error` field (the action returned or rejected with an error); anything else
 * the action caused (thrown error, no dictionary, crash, timeout, failed init) is an action
 * developer error; the platform's own failures are whisk internal errors.
 */
export function classifyOutcome(outcome: RunOutcome): ActivationResponse {
  switch (outcome.kind) {
    case 'answered': {
      const { httpStatus, body } = outcome;
      if (httpStatus === 200 && isObject(body)) {
        return makeResponse('error' in body ? 'application error' : 'success', body);
      }
      if (httpStatus === 200) return makeResponse('action developer error', { error: MESSAGES.notJson });
      if (isObject(body) && 'error' in body) return makeResponse('action developer error', body);
      return makeResponse('action developer error', { error: MESSAGES.exitedUnexpectedly });
    }
    case 'init-failed':
      if (isObject(outcome.body) && 'error' in outcome.body) return makeResponse('action developer error', outcome.body);
      return makeResponse('action developer error', { error: outcome.message ?? MESSAGES.exitedUnexpectedly });
    case 'timeout':
      return makeResponse('action developer error', { error: MESSAGES.timeout(outcome.timeoutMs) });
    case 'crashed':
      return makeResponse('action developer error', { error: MESSAGES.exitedUnexpectedly });
    case 'internal':
      return makeResponse('whisk internal error', { error: outcome.message });
  }
}

/** HTTP status of a blocking invoke, as OpenWhisk answers it. */
export function blockingHttpStatus(response: ActivationResponse): number {
  if (response.status === 'success') return 200;
  if (response.status === 'whisk internal error') return 500;
  return 502;
}

/**
 * `2026-11-21T21:40:01.123456789Z`: OpenWhisk's nanosecond timestamps; `epochMs` may carry
 * a fraction (from performance.now()) that fills the sub-millisecond digits.
 */
export function isoNanos(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const fractionNs = Math.floor((epochMs - whole) * 1e6);
  const iso = new Date(whole).toISOString(); // ...T21:40:01.123Z
  return `${iso.slice(0, -1)}${String(fractionNs).padStart(6, '0')}Z`;
}

export interface CollectedLine {
  time: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Activation logs in OpenWhisk's format, cut (with OpenWhisk's notice) at the action's log limit. */
export function formatLogs(lines: CollectedLine[], limitBytes: number): string[] {
  const out: string[] = [];
  let total = 0;
  for (const l of lines) {
    total += Buffer.byteLength(l.text);
    if (total > limitBytes) {
      out.push(`${isoNanos(l.time)} stderr: Logs were truncated because the total bytes size exceeds the limit of ${limitBytes} bytes.`);
      break;
    }
    out.push(`${isoNanos(l.time)} ${l.stream}: ${l.text}`);
  }
  return out;
}

export function summary(r: ActivationRecord): object {
  const { namespace, name, version, subject, activationId, start, end, duration, statusCode, annotations, publish, cause } = r;
  return { namespace, name, version, subject, activationId, start, end, duration, statusCode, annotations, publish, ...(cause ? { cause } : {}) };
}
