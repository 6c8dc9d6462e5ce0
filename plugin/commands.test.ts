import { describe, expect, it } from 'vitest';
import { mergeCommandOptions, PROVENANCE_COMMANDS, traceBooleanOptions } from './commands';

const SERVICE = '/srv/shop';

describe('mergeCommandOptions', () => {
  const cases: Array<[string, Record<string, unknown>, object, object]> = [
    ['nothing set: the CLI defaults apply', {}, { enabled: true, exclude: [] }, { json: false }],
    [
      'custom.provenance fills in, a relative store is relative to the service',
      { json: true },
      { enabled: true, exclude: [], store: 'data/prov', table: 'prov', endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1' },
      { json: true, store: '/srv/shop/data/prov', table: 'prov', endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1' },
    ],
    [
      'flags win over custom.provenance; a flag store stays as typed (the CLI resolves it against the cwd)',
      { store: 'other', table: 't2', endpoint: 'https://d.example', region: 'us-east-1' },
      { enabled: true, exclude: [], store: 'data/prov', table: 'prov', endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1' },
      { json: false, store: 'other', table: 't2', endpoint: 'https://d.example', region: 'us-east-1' },
    ],
    ['an absolute configured store is kept', {}, { enabled: true, exclude: [], store: '/var/prov' }, { json: false, store: '/var/prov' }],
    [
      'requests filters pass through; framework options do not',
      { since: '2h', until: '1700000000000', limit: '5', stage: 'dev', reqId: 'abc' },
      { enabled: true, exclude: [] },
      { json: false, since: '2h', until: '1700000000000', limit: '5' },
    ],
    ['report --detect runs detection first', { detect: true }, { enabled: true, exclude: [] }, { json: false, detect: true }],
    ['report --analyze, its old name, still does', { analyze: true }, { enabled: true, exclude: [] }, { json: false, detect: true }],
  ];
  for (const [name, cli, config, expected] of cases) {
    it(name, () => {
      expect(mergeCommandOptions(cli, config as never, SERVICE)).toEqual(expected);
    });
  }
});

describe('command definitions', () => {
  it('every option has a type (the framework warns about untyped plugin options)', () => {
    const sub = PROVENANCE_COMMANDS.provenance.commands!;
    for (const command of Object.values(sub)) {
      for (const option of Object.values(command.options ?? {})) expect(['string', 'boolean', 'multiple']).toContain(option.type);
    }
  });

  it('the options that take no value, for the positional rewrite', () => {
    const booleans = traceBooleanOptions();
    expect([...booleans].sort()).toEqual(['h', 'help', 'json', 'v', 'verbose', 'version']);
    expect(booleans.has('store')).toBe(false);
  });
});
