import { describe, expect, it } from 'vitest';
import { classifyLine, type LineClass } from './classify';

describe('classifyLine', () => {
  const cases: Array<[string, string, LineClass]> = [
    ['v1 record', '@prov/1 {"t":"begin"}', { kind: 'record', parsed: { error: 'bad-field', field: 'a', detail: expect.any(String) } }],
    ['unknown version still goes to the record judge (to be refused with its reason)', '@prov/7 {}', { kind: 'record', parsed: { error: 'unknown-version', detail: expect.any(String) } }],
    ['sentinel', 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX', { kind: 'sentinel' }],
    ['sentinel with a carriage return', 'XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\r', { kind: 'sentinel' }],
    ['prefixed console line', '[prov req-1 act1] hello world', { kind: 'log', via: 'prefix', requestId: 'req-1', activationId: 'act1', text: 'hello world' }],
    ['prefixed empty console line', '[prov req-1 act1]', { kind: 'log', via: 'prefix', requestId: 'req-1', activationId: 'act1', text: '' }],
    ['request id with spaces', '[prov my req act1] x', { kind: 'log', via: 'prefix', requestId: 'my req', activationId: 'act1', text: 'x' }],
    ['text that itself contains brackets', '[prov r a] [prov r2 b] y', { kind: 'log', via: 'prefix', requestId: 'r', activationId: 'a', text: '[prov r2 b] y' }],
    [
      'winston json format',
      '{"level":"info","message":"charged","reqId":"r1","activationId":"a1"}',
      { kind: 'log', via: 'winston', requestId: 'r1', activationId: 'a1', text: '{"level":"info","message":"charged","reqId":"r1","activationId":"a1"}' },
    ],
    [
      'winston simple format (json of the other fields at the end)',
      'info: charged {x} {"reqId":"r1","activationId":"a1"}',
      { kind: 'log', via: 'winston', requestId: 'r1', activationId: 'a1', text: 'info: charged {x} {"reqId":"r1","activationId":"a1"}' },
    ],
    ['json with empty ids is plain', '{"reqId":"","activationId":""}', { kind: 'plain', text: '{"reqId":"","activationId":""}' }],
    ['json with non-string ids is plain', '{"reqId":1,"activationId":2}', { kind: 'plain', text: '{"reqId":1,"activationId":2}' }],
    ['plain line', 'Listening on 8080', { kind: 'plain', text: 'Listening on 8080' }],
    ['empty line', '', { kind: 'plain', text: '' }],
    ['record prefix later in the line is not a record', 'x @prov/1 {}', { kind: 'plain', text: 'x @prov/1 {}' }],
    ['prov prefix without the closing bracket is plain', '[prov r a hello', { kind: 'plain', text: '[prov r a hello' }],
  ];
  it.each(cases)('%s', (_name, line, expected) => {
    expect(classifyLine(line)).toEqual(expected);
  });

  it('gives up on hostile lines with many braces without throwing', () => {
    const line = '{'.repeat(10_000) + '"reqId":"r","activationId":"a"';
    expect(classifyLine(line).kind).toBe('plain');
  });
});
