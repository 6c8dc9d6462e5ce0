import { describe, expect, it } from 'vitest';
import { chooseSource, parseSourceKind, type NodeFacts } from './choose-source';

const facts = (inCluster: boolean, dockerSocketExists: boolean, podLogRootExists: boolean): NodeFacts => ({ inCluster, dockerSocketExists, podLogRootExists });

describe('chooseSource', () => {
  it.each([
    ['kubernetes', facts(false, true, false), 'kubernetes'],
    ['docker', facts(true, false, true), 'docker'],
    ['auto', facts(true, true, true), 'kubernetes'],
    ['auto', facts(false, true, true), 'docker'],
    ['auto', facts(false, false, true), 'kubernetes'],
    ['auto', facts(false, false, false), 'docker'],
  ] as const)('--source %s on %j → %s', (asked, f, kind) => expect(chooseSource(asked, f).kind).toBe(kind));

  it('refuses an unknown source in one line', () => {
    expect(() => parseSourceKind('containerd')).toThrow('--source "containerd": give kubernetes, docker or auto');
  });
});
