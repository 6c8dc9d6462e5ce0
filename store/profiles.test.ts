import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAction } from '../lms/analyze';
import { createMatcher } from '../lms/matcher';
import { profileHash } from '../lms/profile-hash';
import type { RequestGraph } from '../upg/types';
import { itemToProfile, LOG_TEXT_LOST, profileItem, profilesNeeded, restoreLogTexts } from './profiles';
import { nodeUpdate } from './items';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-profiles-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');
fs.writeFileSync(path.join(dir, 'i.js'), "exports.main = (p) => { console.log('stored %s in %d ms', p.k, p.ms); };\n");
const profile = analyzeAction(path.join(dir, 'i.js'));
const hash = profileHash(profile);
const tpl = profile.templates[0]!.id;

describe('profile items', () => {
  it('round-trip through the gzip body, keyed by hash', () => {
    const item = profileItem(hash, profile);
    expect(item).toMatchObject({ pk: `PROFILE#${hash}`, sk: 'PROFILE', hash });
    expect(itemToProfile(item)).toEqual(profile);
  });
  it('the hash ignores the analysis time', () => {
    expect(profileHash({ ...profile, stats: { ...profile.stats, ms: profile.stats.ms + 100 } })).toBe(hash);
    expect(profileHash({ ...profile, handler: 'other' })).not.toBe(hash);
  });
});

describe('log lines as template + values', () => {
  const line = 'stored k "1" in 12 ms';
  const m = createMatcher(profile).match(line)!;
  const graph = (profileName: string | undefined): RequestGraph => ({
    request: 'r',
    nodes: [
      { id: 'act:a', kind: 'activation', activationId: 'a', requestId: 'r', action: '/_/i', container: 'ctr:x', ...(profileName ? { profile: profileName } : {}) },
      { id: 'log:a:stdout:0', kind: 'log', activationId: 'a', stream: 'stdout', seq: 0, text: '', template: m.templateId, values: m.values },
      { id: 'log:a:stdout:1', kind: 'log', activationId: 'a', stream: 'stdout', seq: 1, text: 'raw line' },
    ],
    edges: [],
  });

  it('the store keeps template + values, not the text', () => {
    const u = nodeUpdate('r', { id: 'log:a:stdout:0', kind: 'log', activationId: 'a', stream: 'stdout', seq: 0, text: line, template: m.templateId, values: m.values });
    expect(u.set.text).toBeUndefined();
    expect(u.set).toMatchObject({ template: tpl, valuesJson: JSON.stringify(m.values) });
    expect(nodeUpdate('r', { id: 'l', kind: 'log', activationId: 'a', stream: 'stdout', seq: 1, text: 'raw line' }).set.text).toBe('raw line');
  });

  it('reads rebuild the exact text from the activation\u2019s profile', () => {
    const g = graph(hash);
    expect(profilesNeeded(g)).toEqual([hash]);
    restoreLogTexts(g, new Map([[hash, profile]]));
    expect(g.nodes.map((n) => (n.kind === 'log' ? n.text : null)).filter(Boolean)).toEqual([line, 'raw line']);
    expect(g.warnings).toBeUndefined();
  });

  it('a missing profile leaves the text empty and says so', () => {
    const g = graph('lpgone');
    restoreLogTexts(g, new Map());
    expect(g.warnings).toEqual([expect.objectContaining({ code: LOG_TEXT_LOST, activationId: 'a', count: 1 })]);
    expect(g.warnings![0]!.message).toContain('lpgone is not in the store');
  });
});
