import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../store/service-config';
import { analysisConfig, DEFAULT_CONFIG, DEFAULT_SENSITIVE } from '../../upg/analyses/config';
import type { Incident } from '../../upg/analyses/types';
import {
  incidentAlertSetting,
  incidentConfig,
  intersectEndpoints,
  resolveServices,
  serviceOfAction,
  servicesInvolved,
  servicesPresent,
  widestConfig,
} from './incident-settings';

const svc = (service: string, actions: string[], extra: Partial<ServiceConfig> = {}): ServiceConfig => ({ service, stage: 'dev', actions, deployedAt: 1, ...extra });

const { services } = resolveServices([
  svc('shop', ['_/shop-dev-purchase', '_/shop-dev-publish'], { sensitive: { tables: ['cards'] }, allowlist: ['127.0.0.1:9000'], alerts: 'http://127.0.0.1:7000/a' }),
  svc('ledger', ['guest/ledger-dev-book'], { sensitive: { files: ['/secrets/*'] }, allowlist: ['127.0.0.9'] }),
  svc('plain', ['_/plain-dev-x']),
]);
const byId = (id: string) => services.find((s) => s.id === id)!;

function incident(planter: string, victims: string[], timeline: string[] = []): Incident {
  return {
    id: 'inc-x', kind: 'exfiltration', verdict: 'attack', container: 'c',
    planter: { request: 'r1', activation: 'a1', action: planter },
    victims: victims.map((action, i) => ({ request: 'r1', activation: `v${i}`, action })),
    artifact: { kind: 'table', table: 'cards', node: 'n' }, path: [],
    timeline: timeline.map((action) => ({ request: 'r1', activation: 'a', action, role: 'carry' as const, node: 'n' })),
    requests: ['r1'], reason: '', evidence: [], detectedAt: new Date(0).toISOString(),
  };
}

describe('which service an action belongs to', () => {
  it.each([
    ['/guest/shop-dev-purchase', 'shop/dev'], // `_` at deploy: any namespace
    ['/other/shop-dev-purchase', 'shop/dev'],
    ['shop-dev-publish', 'shop/dev'],
    ['/guest/ledger-dev-book', 'ledger/dev'],
    ['/other/ledger-dev-book', undefined], // named namespace: only that one
    ['/guest/shop-dev-purchasex', undefined],
    [undefined, undefined],
  ])('%s -> %s', (action, expected) => {
    expect(serviceOfAction(action, services)?.id).toBe(expected);
  });

  it('an action claimed twice goes to the service naming its namespace, then to the latest deploy', () => {
    const twice = resolveServices([
      svc('old', ['_/a'], { deployedAt: 5 }),
      svc('new', ['_/a'], { deployedAt: 9 }),
      svc('exact', ['guest/a'], { deployedAt: 1 }),
    ]).services;
    expect(serviceOfAction('/guest/a', twice)?.id).toBe('exact/dev');
    expect(serviceOfAction('/other/a', twice)?.id).toBe('new/dev');
  });


  it('a stored config that does not validate is left out and named', () => {
    const r = resolveServices([svc('bad', ['_/b'], { allowlist: 'x' as unknown as string[] }), svc('ok', ['_/o'])]);
    expect(r.services.map((s) => s.id)).toEqual(['ok/dev']);
    expect(r.problems).toEqual([expect.stringMatching(/service bad\/dev: custom\.provenance\.allowlist must be a list.*redeploy/)]);
  });
});

describe('the settings one incident is judged by', () => {
  const base = analysisConfig({ inside: ['http://127.0.0.1:3233'] });

  it('no deployed service involved: the correlator\'s own settings', () => {
    expect(incidentConfig(base, [], [])).toBe(base);
  });

  it('the union of the involved services\' sensitive sources and allowlists; inside stays the platform\'s', () => {
    const involved = servicesInvolved(incident('/g/shop-dev-purchase', ['/guest/ledger-dev-book']), services);
    expect(involved.map((s) => s.id)).toEqual(['ledger/dev', 'shop/dev']);
    const config = incidentConfig(base, [], involved);
    expect(config.sensitive).toEqual({ tables: ['cards'], files: ['/secrets/*'], secrets: [] });
    expect(config.allowlist).toEqual([{ host: '127.0.0.1', port: 9000 }, { host: '127.0.0.9' }]);
    expect(config.inside).toEqual(base.inside);
    expect(config.minSupport).toBe(base.minSupport);
  });

  it('a service that names no sensitive data brings the default guess', () => {
    const config = incidentConfig(base, [], [byId('plain/dev'), byId('ledger/dev')]);
    expect(config.sensitive.tables).toEqual([...DEFAULT_SENSITIVE.tables].sort());
    expect(config.sensitive.files).toEqual(['/secrets/*']);
  });

  it('timeline actions count as involved', () => {
    expect(servicesInvolved(incident('/g/nobody', [], ['/guest/ledger-dev-book']), services).map((s) => s.id)).toEqual(['ledger/dev']);
  });

  it('settings given to the correlator explicitly win', () => {
    const explicit = analysisConfig({ sensitive: { tables: ['only-this'] }, allowlist: ['10.0.0.1'] });
    const both = incidentConfig(explicit, ['sensitive', 'allowlist'], [byId('shop/dev')]);
    expect(both.sensitive.tables).toEqual(['only-this']);
    expect(both.allowlist).toEqual([{ host: '10.0.0.1' }]);
    const one = incidentConfig(explicit, ['allowlist'], [byId('shop/dev')]);
    expect(one.sensitive.tables).toEqual(['cards']);
    expect(one.allowlist).toEqual([{ host: '10.0.0.1' }]);
  });
});

describe('the first pass finds every candidate', () => {
  it('widest: every source some party deems sensitive, only sinks every party allows', () => {
    const { present, unclaimed } = servicesPresent(['/g/shop-dev-purchase', '/guest/ledger-dev-book'], services);
    expect(unclaimed).toBe(false);
    const w = widestConfig(DEFAULT_CONFIG, [], present, unclaimed);
    expect(w.sensitive).toEqual({ tables: ['cards'], files: ['/secrets/*'], secrets: [] });
    expect(w.allowlist).toEqual([]); // no endpoint is allowed by both
  });

  it('an action of no service brings the correlator\'s settings into the first pass', () => {
    const { present, unclaimed } = servicesPresent(['/g/shop-dev-purchase', '/g/stranger'], services);
    expect(unclaimed).toBe(true);
    const base = analysisConfig({ allowlist: ['127.0.0.1'] });
    const w = widestConfig(base, [], present, unclaimed);
    expect(w.sensitive.tables).toEqual([...new Set(['cards', ...DEFAULT_SENSITIVE.tables])].sort());
    expect(w.allowlist).toEqual([{ host: '127.0.0.1', port: 9000 }]);
  });

  it.each([
    [[{ host: 'a' }], [{ host: 'a', port: 1 }], [{ host: 'a', port: 1 }]],
    [[{ host: 'a' }], [{ host: 'a' }], [{ host: 'a' }]],
    [[{ host: 'a', port: 2 }], [{ host: 'a', port: 1 }], []],
    [[{ host: 'a' }], [{ host: 'b' }], []],
    [[{ host: 'a' }, { host: 'b', port: 3 }], [{ host: 'b' }], [{ host: 'b', port: 3 }]],
  ])('%j ∩ %j = %j', (a, b, expected) => {
    expect(intersectEndpoints(a, b)).toEqual(expected);
  });
});

describe('the alert hook of an incident', () => {
  it.each([
    ['the planter\'s service', incident('/g/shop-dev-purchase', ['/guest/ledger-dev-book']), 'shop/dev'],
    ['a victim\'s service when the planter\'s has none', incident('/guest/ledger-dev-book', ['/g/plain-dev-x', '/g/shop-dev-publish']), 'shop/dev'],
    ['none when no involved service has one', incident('/guest/ledger-dev-book', ['/g/plain-dev-x']), undefined],
  ])('%s', (_name, inc, expected) => {
    expect(incidentAlertSetting(inc, services)?.service).toBe(expected);
  });
});
