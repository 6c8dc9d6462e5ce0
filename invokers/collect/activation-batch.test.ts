import { describe, expect, it } from 'vitest';
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';
import { encodeRecord } from '../../wrapper/records';
import { actionOf, activationBatch, batchNumberOf, PULL_INVOKER } from './activation-batch';
import { parseLogLine } from './log-lines';

const begin = encodeRecord({ t: 'begin', a: 'act1', r: 'req1', ts: 1, s: 0, act: '/guest/shop-a', ns: 'guest', pid: 42, host: 'c0ffee', cold: true, k: 'ab'.repeat(16) }, '').trimEnd();

describe('an activation pulled as a batch', () => {
  const doc = { activationId: 'act1', namespace: 'guest', name: 'shop-a', start: 1000, end: 1500 };
  const logs = [`2026-01-01T00:00:00.123456789Z stdout: ${begin}`, '2026-01-01T00:00:00.200Z stderr: oops', 'not in the format'];

  it('keeps the lines in order per stream, closes both streams, and names the container after the begin record', () => {
    const batch = activationBatch(doc, logs);
    expect(batch).toMatchObject({ invoker: PULL_INVOKER, batch: batchNumberOf('act1'), containers: [{ container: 'c0ffee-42', action: '/guest/shop-a', started: 1000 }] });
    expect(batch.lines.map((l) => [l.stream, l.seq, l.line.slice(0, 12)])).toEqual([
      ['stdout', 0, begin.slice(0, 12)],
      ['stderr', 0, 'oops'],
      ['stdout', 1, 'not in the fo'.slice(0, 12)],
      ['stdout', 2, ACTIVATION_SENTINEL.slice(0, 12)],
      ['stderr', 1, ACTIVATION_SENTINEL.slice(0, 12)],
    ]);
    expect(batch.lines[0]!.time).toBe(Date.parse('2026-01-01T00:00:00.123Z'));
  });

  it('is the same batch when collected again, and an activation without a begin gets a container of its own', () => {
    expect(activationBatch(doc, logs)).toEqual(activationBatch(doc, logs));
    expect(activationBatch(doc, ['2026-01-01T00:00:00Z stdout: hi']).containers[0]!.container).toBe('activation-act1');
  });

  it.each([
    [{ namespace: 'guest', name: 'a' }, '/guest/a'],
    [{ namespace: 'guest/pkg', name: 'a' }, '/guest/pkg/a'],
    [{ namespace: 'guest', name: 'a', annotations: [{ key: 'path', value: 'guest/pkg/a' }] }, '/guest/pkg/a'],
  ])('names the action of %j %s', (d, expected) => expect(actionOf({ activationId: 'x', start: 0, ...d })).toBe(expected));

  it.each([
    ['2026-01-01T00:00:00Z stdout: a b', { time: Date.parse('2026-01-01T00:00:00Z'), stream: 'stdout', text: 'a b' }],
    ['2026-01-01T00:00:00.5Z  stderr: x', { time: Date.parse('2026-01-01T00:00:00.500Z'), stream: 'stderr', text: 'x' }],
    ['2026-01-01T00:00:00Z stdout:', { time: Date.parse('2026-01-01T00:00:00Z'), stream: 'stdout', text: '' }],
    ['stdout: no time', undefined],
  ])('reads %j', (raw, expected) => expect(parseLogLine(raw)).toEqual(expected));
});
