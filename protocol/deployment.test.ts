import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeDeployment, DEPLOYMENT_PART_CHARS, deploymentHash, encodeDeployment, MAX_DEPLOYMENT_PARTS, type DeploymentDocument } from './deployment';

const doc: DeploymentDocument = { v: 1, service: 'shop', stage: 'dev', actions: ['_/shop-dev-a'], sensitive: { files: ['token.json'] }, deployedAt: 5 };

describe('deployment encoding', () => {
  it('round-trips, named by the hash of its JSON', () => {
    const encoded = encodeDeployment(doc);
    expect(encoded.hash).toBe(deploymentHash(JSON.stringify(doc)));
    expect(decodeDeployment(encoded.hash, encoded.parts)).toEqual({ doc });
  });

  it('cuts a large document into parts of at most DEPLOYMENT_PART_CHARS, in order', () => {
    // random-ish text compresses badly, so it needs several parts
    const noise = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36));
    const big = { ...doc, profile: { noise } };
    const encoded = encodeDeployment(big);
    expect(encoded.parts.length).toBeGreaterThan(1);
    expect(encoded.parts.every((p) => p.length <= DEPLOYMENT_PART_CHARS)).toBe(true);
    expect(decodeDeployment(encoded.hash, encoded.parts)).toEqual({ doc: big });
    expect(decodeDeployment(encoded.hash, [...encoded.parts].reverse())).toHaveProperty('error');
  });

  it('refuses to encode what an action cannot deliver', () => {
    const noise = Array.from({ length: 120_000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36));
    expect(() => encodeDeployment({ ...doc, profile: { noise } })).toThrow(new RegExp(`over the ${MAX_DEPLOYMENT_PARTS * DEPLOYMENT_PART_CHARS}`));
  });

  const bad = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value))).toString('base64');
  const cases: Array<[string, string, string[], RegExp]> = [
    ['parts that are not gzip', 'dhx', ['bm90IGd6aXA='], /do not unzip/],
    ['parts of another deployment', 'dh000', encodeDeployment(doc).parts, /do not match its hash/],
    ['a document of another version', deploymentHash(JSON.stringify({ ...doc, v: 2 })), [bad({ ...doc, v: 2 })], /version 2 is not 1/],
    ['actions that are not strings', deploymentHash(JSON.stringify({ ...doc, actions: [1] })), [bad({ ...doc, actions: [1] })], /actions must be a list of strings/],
  ];
  it.each(cases)('refuses %s with one line', (_what, hash, parts, error) => {
    const decoded = decodeDeployment(hash, parts);
    expect('error' in decoded && decoded.error).toMatch(error);
  });
});
