import { describe, expect, it } from 'vitest';
import { decodeDeployment } from '../protocol/deployment';
import type { ServiceConfig } from '../store/service-config';
import type { LmsProfile } from '../lms/types';
import { deploymentDocument, functionDeployment, hasAnalysisSettings } from './deployment';

const settings: ServiceConfig = { service: 'shop', stage: 'dev', actions: ['_/shop-dev-a'], sensitive: { secrets: ['token.json'] }, alerts: 'http://127.0.0.1:9/x', deployedAt: 11 };
const profile = { entry: 'handler.js', templates: [] } as unknown as LmsProfile;
const noise = (n: number) => Array.from({ length: n }, (_, i) => ((i * 2654435761) % 4294967296).toString(36));

describe('the deployment a function carries', () => {
  it('holds the service settings and the function profile, decodable by the correlator', () => {
    const { encoded, profileDropped } = functionDeployment('a', settings, profile);
    expect(profileDropped).toBe(false);
    expect(decodeDeployment(encoded.hash, encoded.parts)).toEqual({ doc: deploymentDocument(settings, profile) });
    expect(deploymentDocument(settings, profile)).toEqual({ v: 1, service: 'shop', stage: 'dev', actions: ['_/shop-dev-a'], sensitive: { secrets: ['token.json'] }, alerts: 'http://127.0.0.1:9/x', deployedAt: 11, profile });
  });

  it('leaves out only a profile too large to travel', () => {
    const huge = { ...profile, noise: noise(120_000) } as unknown as LmsProfile;
    const { encoded, profileDropped } = functionDeployment('a', settings, huge);
    expect(profileDropped).toBe(true);
    expect(decodeDeployment(encoded.hash, encoded.parts)).toEqual({ doc: deploymentDocument(settings) });
  });

  it('fails the deploy, naming the fix, when the settings themselves cannot travel', () => {
    const tooMany = { ...settings, allowlist: noise(120_000) };
    expect(() => functionDeployment('a', tooMany)).toThrow(/analysis settings of "a" cannot travel with the action .*shorten custom.provenance/);
  });

  it.each([
    [{}, false],
    [{ sensitive: {} }, true],
    [{ allowlist: [] }, true],
    [{ alerts: 'hook' }, true],
  ])('%j has analysis settings: %s', (s, expected) => expect(hasAnalysisSettings(s)).toBe(expected));
});
