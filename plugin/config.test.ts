import { describe, expect, it } from 'vitest';
import { parseProvenanceConfig, ProvenanceConfigError, PROVENANCE_CONFIG_SCHEMA } from './config';

const FUNCTIONS = ['purchase', 'price'];

describe('parseProvenanceConfig', () => {
  const valid: Array<[string, unknown, object]> = [
    ['absent', undefined, { enabled: true, exclude: [] }],
    ['null (an empty "provenance:" key)', null, { enabled: true, exclude: [] }],
    ['empty mapping', {}, { enabled: true, exclude: [] }],
    ['disabled', { enabled: false }, { enabled: false, exclude: [] }],
    [
      'every setting',
      { enabled: true, store: '.prov', table: 'prov.table-1', endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', exclude: ['price'] },
      { enabled: true, store: '.prov', table: 'prov.table-1', endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', exclude: ['price'] },
    ],
    ['local endpoint', { endpoint: 'http://127.0.0.1:8000' }, { enabled: true, endpoint: 'http://127.0.0.1:8000', exclude: [] }],
    ['pull mode', { mode: 'pull' }, { enabled: true, exclude: [], mode: 'pull' }],
  ];
  for (const [name, raw, expected] of valid) {
    it(`accepts ${name}`, () => {
      expect(parseProvenanceConfig(raw, FUNCTIONS)).toEqual(expected);
    });
  }

  const invalid: Array<[string, unknown, RegExp]> = [
    ['a string', 'yes', /custom\.provenance must be a mapping .* got "yes"/],
    ['a list', ['a'], /custom\.provenance must be a mapping .* got a list/],
    ['enabled as a string', { enabled: 'yes' }, /custom\.provenance\.enabled must be true or false, got "yes"/],
    ['enabled as a number', { enabled: 1 }, /enabled must be true or false, got number 1/],
    ['unknown key', { enable: true }, /custom\.provenance\.enable is not a setting; remove it \(known settings: enabled, store/],
    ['empty store', { store: ' ' }, /custom\.provenance\.store must be a directory path/],
    ['bad table', { table: 'a b' }, /custom\.provenance\.table must be a DynamoDB table name .* got "a b"/],
    ['short table', { table: 'ab' }, /table must be a DynamoDB table name/],
    ['endpoint without scheme', { endpoint: '127.0.0.1:8000' }, /custom\.provenance\.endpoint must be an http\(s\) URL/],
    ['endpoint of another scheme', { endpoint: 'ftp://x' }, /endpoint must be an http\(s\) URL/],
    ['empty region', { region: '' }, /custom\.provenance\.region must be an AWS region/],
    ['an unknown mode', { mode: 'poll' }, /custom\.provenance\.mode must be push .* or pull .*, got "poll"/],
    ['exclude not a list', { exclude: 'price' }, /custom\.provenance\.exclude must be a list of function names, got "price"/],
    ['exclude of a non-string', { exclude: [3] }, /custom\.provenance\.exclude\[0\] must be a function name/],
    ['exclude of an unknown function', { exclude: ['price', 'nope'] }, /exclude\[1\] names "nope", which is not a function of this service \(functions: purchase, price\)/],
  ];
  for (const [name, raw, message] of invalid) {
    it(`rejects ${name}`, () => {
      expect(() => parseProvenanceConfig(raw, FUNCTIONS)).toThrow(ProvenanceConfigError);
      expect(() => parseProvenanceConfig(raw, FUNCTIONS)).toThrow(message);
    });
  }

  it('lists every problem at once, one per line', () => {
    try {
      parseProvenanceConfig({ enabled: 'no', table: '!', extra: 1 }, FUNCTIONS);
      expect.unreachable();
    } catch (err) {
      const e = err as ProvenanceConfigError;
      expect(e.problems).toHaveLength(3);
      expect(e.message.split('\n')).toHaveLength(4);
      expect(e.message).toMatch(/^Invalid custom\.provenance:\n  - /);
    }
  });

  it('the schema knows exactly the settings the parser accepts', () => {
    expect(Object.keys(PROVENANCE_CONFIG_SCHEMA.properties).sort()).toEqual(
      Object.keys(
        parseProvenanceConfig(
          { enabled: true, store: 's', table: 'ttt', endpoint: 'http://x', region: 'r', exclude: [], sensitive: { tables: ['cards'] }, allowlist: ['127.0.0.1:9999'], alerts: 'incident-alert', mode: 'pull' },
          [],
        ),
      ).sort(),
    );
  });

  it.each([
    [{ sensitive: { tables: [3] } }, /sensitive\.tables must be a list/],
    [{ sensitive: { columns: ['x'] } }, /sensitive\.columns is not a setting/],
    [{ allowlist: ['127.0.0.1:99999'] }, /allowlist\[0\].*port must be 1-65535/],
    [{ alerts: 'http://203.0.113.9/hook' }, /not on the platform/],
  ])('refuses bad analysis settings with a message naming the key: %j', (raw, message) => {
    expect(() => parseProvenanceConfig(raw, [])).toThrow(message);
  });
});
