import { describe, expect, it } from 'vitest';
import { blockingHttpStatus, classifyOutcome, formatLogs, isoNanos, MESSAGES, type RunOutcome } from './activation-record';

describe('classifyOutcome', () => {
  it.each<[RunOutcome, string, Record<string, unknown>]>([
    [{ kind: 'answered', httpStatus: 200, body: { ok: 1 } }, 'success', { ok: 1 }],
    [{ kind: 'answered', httpStatus: 200, body: { error: 'no card' } }, 'application error', { error: 'no card' }],
    [{ kind: 'answered', httpStatus: 200, body: 'text' }, 'action developer error', { error: MESSAGES.notJson }],
    [{ kind: 'answered', httpStatus: 502, body: { error: 'An error has occurred: boom' } }, 'action developer error', { error: 'An error has occurred: boom' }],
    [{ kind: 'answered', httpStatus: 500, body: 'x' }, 'action developer error', { error: MESSAGES.exitedUnexpectedly }],
    [{ kind: 'init-failed', httpStatus: 502, body: { error: 'Initialization has failed' } }, 'action developer error', { error: 'Initialization has failed' }],
    [{ kind: 'timeout', timeoutMs: 300 }, 'action developer error', { error: 'The action exceeded its time limits of 300 milliseconds.' }],
    [{ kind: 'crashed', message: 'ECONNRESET' }, 'action developer error', { error: MESSAGES.exitedUnexpectedly }],
    [{ kind: 'internal', message: 'no container' }, 'whisk internal error', { error: 'no container' }],
  ])('%j -> %s', (outcome, status, result) => {
    const r = classifyOutcome(outcome);
    expect(r.status).toBe(status);
    expect(r.result).toEqual(result);
    expect(r.success).toBe(status === 'success');
    expect(r.statusCode).toBe(['success', 'application error', 'action developer error', 'whisk internal error'].indexOf(status));
  });

  it('blocking status codes follow OpenWhisk', () => {
    expect(blockingHttpStatus(classifyOutcome({ kind: 'answered', httpStatus: 200, body: {} }))).toBe(200);
    expect(blockingHttpStatus(classifyOutcome({ kind: 'answered', httpStatus: 200, body: { error: 1 } }))).toBe(502);
    expect(blockingHttpStatus(classifyOutcome({ kind: 'timeout', timeoutMs: 1 }))).toBe(502);
    expect(blockingHttpStatus(classifyOutcome({ kind: 'internal', message: 'x' }))).toBe(500);
  });
});

describe('logs', () => {
  it('isoNanos keeps sub-millisecond digits', () => {
    // float64 epoch ms keep about a quarter microsecond of precision
    expect(isoNanos(Date.UTC(2026, 10, 21, 21, 40, 1, 123) + 0.456789)).toMatch(/^2026-11-21T21:40:01\.1234[56]\d{4}Z$/);
    expect(isoNanos(Date.UTC(2026, 10, 21, 21, 40, 1, 5))).toBe('2026-11-21T21:40:01.005000000Z');
  });

  it('formats lines and cuts at the limit with a notice', () => {
    const t = Date.UTC(2026, 0, 1);
    const lines = formatLogs(
      [
        { time: t, stream: 'stdout', text: 'hello' },
        { time: t, stream: 'stderr', text: 'oops' },
        { time: t, stream: 'stdout', text: 'x'.repeat(20) },
      ],
      12,
    );
    expect(lines[0]).toBe('2026-01-01T00:00:00.000000000Z stdout: hello');
    expect(lines[1]).toBe('2026-01-01T00:00:00.000000000Z stderr: oops');
    expect(lines[2]).toMatch(/Logs were truncated because the total bytes size exceeds the limit of 12 bytes/);
    expect(lines).toHaveLength(3);
  });
});
