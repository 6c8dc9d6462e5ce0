import { describe, expect, it } from 'vitest';
import { alertRequest, hookInNamespace, parseAlertHook } from './alerts';
import type { Incident } from '../../upg/analyses/types';

describe('alert hook', () => {
  it.each([
    ['incident-alert', { action: 'incident-alert' }],
    ['/guest/security/alert', { action: '/guest/security/alert' }],
    ['http://127.0.0.1:8080/hook', { url: 'http://127.0.0.1:8080/hook' }],
    ['http://127.0.0.9/hook', { url: 'http://127.0.0.9/hook' }],
    [{ url: 'http://localhost:1/x' }, { url: 'http://localhost:1/x' }],
    [{ action: 'a' }, { action: 'a' }],
    [undefined, undefined],
  ])('%j', (raw, expected) => {
    expect(parseAlertHook(raw)).toEqual(expected);
  });

  it.each([
    ['http://203.0.113.5/hook', /not on the platform/],
    [{ action: 'a', url: 'http://127.0.0.1/' }, /exactly one of action or url/],
    ['bad name!', /neither an action name nor/],
    [{ url: 'ftp://127.0.0.1/' }, /must be an http\(s\) URL/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseAlertHook(raw)).toThrow(message);
  });

  it('accepts a URL on the platform host', () => {
    expect(parseAlertHook('https://ow.internal/hook', 'ow.internal')).toEqual({ url: 'https://ow.internal/hook' });
  });

  it('invokes an alert action through the platform API, non-blocking, with the incident as parameters', () => {
    const incident = { id: 'inc-1' } as Incident;
    const req = alertRequest({ action: 'sec/alert' }, incident, { apihost: 'http://127.0.0.1:3233/', auth: 'u:k' });
    expect(req.url).toBe('http://127.0.0.1:3233/api/v1/namespaces/_/actions/sec/alert?blocking=false');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:k').toString('base64')}`);
    expect(JSON.parse(req.body)).toEqual({ incident: { id: 'inc-1' } });
    expect(alertRequest({ action: '/ns/alert' }, incident, { apihost: 'http://h', auth: 'u:k' }).url).toBe('http://h/api/v1/namespaces/ns/actions/alert?blocking=false');
    expect(() => alertRequest({ action: 'a' }, incident)).toThrow(/credentials are not known/);
  });
});

describe("a service's alert hook in its namespace", () => {
  it.each([
    ['its own action name: in its namespace', { action: 'incident-alert' }, 'guest', { action: '/guest/incident-alert' }],
    ['a package action: in its namespace', { action: 'alerts/page' }, 'guest', { action: '/guest/alerts/page' }],
    ['a fully qualified action stays', { action: '/ops/alerts/page' }, 'guest', { action: '/ops/alerts/page' }],
    ['namespace not known: the correlator\'s', { action: 'incident-alert' }, undefined, { action: 'incident-alert' }],
    ['a URL stays', { url: 'http://127.0.0.1:7000/a' }, 'guest', { url: 'http://127.0.0.1:7000/a' }],
  ])('%s', (_what, hook, namespace, expected) => {
    expect(hookInNamespace(hook, namespace)).toEqual(expected);
  });
});
