import { describe, expect, it } from 'vitest';
import { rewritePositionalArg, type PositionalRewrite } from './argv';

const RULE: PositionalRewrite = {
  command: ['provenance', 'trace'],
  option: 'reqId',
  booleanOptions: new Set(['json', 'help', 'h', 'version', 'v', 'verbose']),
};

const split = (s: string) => (s === '' ? [] : s.split(' '));

describe('rewritePositionalArg', () => {
  const rewritten: Array<[string, string]> = [
    ['provenance trace abc', 'provenance trace --reqId abc'],
    ['provenance trace abc --json', 'provenance trace --reqId abc --json'],
    ['provenance trace --json abc', 'provenance trace --reqId abc --json'],
    ['provenance trace --store /tmp/s abc', 'provenance trace --reqId abc --store /tmp/s'],
    ['provenance trace abc --store /tmp/s --json', 'provenance trace --reqId abc --store /tmp/s --json'],
    ['provenance trace --table=t abc', 'provenance trace --reqId abc --table=t'],
    ['provenance trace -s dev abc', 'provenance trace --reqId abc -s dev'],
    ['provenance trace --no-json abc', 'provenance trace --reqId abc --no-json'],
    ['provenance trace -hv abc', 'provenance trace --reqId abc -hv'],
    ['provenance trace --json -- -odd-id', 'provenance trace --reqId -odd-id --json'],
    ['provenance trace 3f2a9c0d1e --verbose --endpoint http://127.0.0.1:8000', 'provenance trace --reqId 3f2a9c0d1e --verbose --endpoint http://127.0.0.1:8000'],
  ];
  for (const [input, output] of rewritten) {
    it(`"${input}" -> "${output}"`, () => {
      expect(rewritePositionalArg(split(input), RULE)).toEqual({ args: split(output), changed: true });
    });
  }

  const unchanged = [
    'provenance trace --reqId abc',
    'provenance trace --reqId=abc --json',
    'provenance trace',
    'provenance trace --json',
    'provenance trace --store abc', // "abc" is the store's value, not a request id
    'provenance requests --json',
    'provenance',
    'deploy -f trace',
    'trace abc',
    '',
  ];
  for (const input of unchanged) {
    it(`leaves "${input}" alone`, () => {
      expect(rewritePositionalArg(split(input), RULE)).toEqual({ args: split(input), changed: false });
    });
  }

  const errors: Array<[string, RegExp]> = [
    ['provenance trace abc def', /takes one reqId, got 2 words: abc def/],
    ['provenance trace abc --json def', /got 2 words/],
    ['provenance trace abc --reqId def', /given twice/],
    ['provenance trace --reqId=def abc', /given twice/],
  ];
  for (const [input, message] of errors) {
    it(`rejects "${input}"`, () => {
      const result = rewritePositionalArg(split(input), RULE);
      expect('error' in result && result.error).toMatch(message);
      expect('error' in result && result.error).toMatch(/Usage: serverless provenance trace <reqId>/);
    });
  }

  it('does not modify its input', () => {
    const args = split('provenance trace abc');
    rewritePositionalArg(args, RULE);
    expect(args).toEqual(['provenance', 'trace', 'abc']);
  });
});
