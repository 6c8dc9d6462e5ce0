import { describe, expect, it } from 'vitest';
import { analysisConfig, endpointListed, parseEndpoint, wildcardMatch } from './config';
import { abstractPath } from './behaviour';
import { mergeIncident } from './merge-incident';
import type { Incident } from './types';

describe('analysis config', () => {
  it.each([
    ['127.0.0.66', { host: '127.0.0.66' }],
    ['127.0.0.1:9999', { host: '127.0.0.1', port: 9999 }],
    ['http://LocalHost:3233/api', { host: 'localhost', port: 3233 }],
    ['https://payments.example.com', { host: 'payments.example.com', port: 443 }],
    ['[::1]:80', { host: '::1', port: 80 }],
    [{ host: 'h', port: 5 }, { host: 'h', port: 5 }],
    ['h:0', /port must be 1-65535/],
    ['', /must be a host/],
  ])('endpoint %j', (input, expected) => {
    const parsed = parseEndpoint(input);
    if (expected instanceof RegExp) expect(parsed).toMatch(expected);
    else expect(parsed).toEqual(expected);
  });

  it('a host without a port allows every port; IPv4-mapped addresses match their IPv4 host', () => {
    expect(endpointListed([{ host: '127.0.0.1' }], '::ffff:127.0.0.1', 8000)).toBe(true);
    expect(endpointListed([{ host: '127.0.0.1', port: 80 }], '127.0.0.1', 81)).toBe(false);
  });

  it('naming sensitive data replaces the default; every problem is named', () => {
    expect(analysisConfig().sensitive.tables).toEqual(['*card*', '*credit*']);
    expect(analysisConfig({ sensitive: { files: ['/secrets/*'] } }).sensitive).toEqual({ tables: [], files: ['/secrets/*'], secrets: [] });
    expect(() => analysisConfig({ allowlist: 'x', minSupport: 0 })).toThrow(/2 problems:[\s\S]*allowlist must be a list[\s\S]*minSupport must be a whole number/);
  });

  it.each([
    ['*card*', 'hello-retail-cards', true],
    ['*card*', 'hello-retail-prices', false],
    ['/tmp/*.js', '/tmp/a/b.js', true],
    ['a.b', 'axb', false],
  ])('wildcard %s ~ %s = %s', (pattern, text, expected) => {
    expect(wildcardMatch(pattern, text, true)).toBe(expected);
  });

  it.each([
    ['/tmp/price-42.json', '/tmp/price-#.json'],
    ['/tmp/c-0123456789abcdef0123/x', '/tmp/c-*/x'],
    ['/tmp/3f2a1b4c-1d2e-4f5a-9b8c-0123456789ab.tmp', '/tmp/*.tmp'],
  ])('abstracts %s to %s', (path, expected) => {
    expect(abstractPath(path)).toBe(expected);
  });
});

describe('mergeIncident', () => {
  const base: Incident = {
    id: 'inc-reuse-1', kind: 'container-reuse', verdict: 'benign-shared-state', container: 'ctr:x',
    planter: { request: 'R1', activation: 'a1' }, victims: [{ request: 'R2', activation: 'a2' }],
    artifact: { kind: 'file', path: '/tmp/f', node: 'file:x' }, path: ['act:a1', 'file:x', 'act:a2'],
    timeline: [{ time: 2, request: 'R2', activation: 'a2', role: 'use', op: 'read', node: 'file:x' }],
    requests: ['R1', 'R2'], reason: 'cache', evidence: ['e1'], detectedAt: '2026-11-03T12:00:00.000Z',
  };
  it('keeps the first detection, unions victims and steps, and the strongest verdict wins', () => {
    const later: Incident = {
      ...base, verdict: 'attack', reason: 'loaded', victims: [{ request: 'R3', activation: 'a3' }], path: ['act:a1', 'file:x', 'act:a3'],
      timeline: [{ time: 3, request: 'R3', activation: 'a3', role: 'use', op: 'load', node: 'file:x' }], requests: ['R1', 'R3'], evidence: ['e2'], detectedAt: '2026-11-03T13:00:00.000Z',
    };
    const merged = mergeIncident(base, later);
    expect(merged).toMatchObject({ verdict: 'attack', reason: 'loaded', detectedAt: base.detectedAt, requests: ['R1', 'R2', 'R3'], path: ['act:a1', 'file:x', 'act:a2', 'act:a3'] });
    expect(merged.victims.map((v) => v.activation)).toEqual(['a2', 'a3']);
    expect(merged.timeline.map((t) => t.time)).toEqual([2, 3]);
    expect(mergeIncident(later, { ...base, detectedAt: later.detectedAt }).verdict).toBe('attack');
    expect(mergeIncident(base, base)).toEqual(base);
  });
});
