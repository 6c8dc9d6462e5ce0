import { describe, expect, it } from 'vitest';
import type { ProvenanceStore } from '../store/types';
import { EMBEDDED_PLATFORM_HOSTS } from '../upg/analyses/config';
import { makeBatch, ContainerOutput, ActivationWriter } from '../test/batch-builder';
import type { Batch } from '../protocol/batch';
import { createLocalSink, localAnalysisConfig, localDetection } from './local-sink';

/** A store whose every call fails as an unreachable DynamoDB does. */
const downStore = new Proxy({} as ProvenanceStore, {
  get: (_t, name) => (name === 'then' ? undefined : async () => { throw new Error(`connect ECONNREFUSED 127.0.0.1:1 (${String(name)})`); }),
});

function oneActivation(): Batch {
  const out = new ContainerOutput({ container: 'c1', invoker: 'inv0', action: '/_/a', started: 1 });
  const w = new ActivationWriter('A1', 'R1', '1'.repeat(32));
  out.write(w.begin(10, { act: '/_/a', ns: '_', pid: 1, host: 'c1', cold: true }), 10).write(w.record({ t: 'end', ok: true, dur: 1 }, 11), 11).sentinel(12);
  return makeBatch('inv0', 1, [out]);
}

describe('the local correlator sink', () => {
  it('a malformed batch is logged and dropped (it would be refused forever)', async () => {
    const lines: string[] = [];
    const sink = createLocalSink({ store: downStore, log: (l) => lines.push(l), platform: () => undefined });
    await expect(sink({ ...oneActivation(), v: 9 } as unknown as Batch)).resolves.toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^correlator: batch inv0#1 refused: .*version/)]);
  });

  it('anything else is rethrown, so the agent spools and retries', async () => {
    const lines: string[] = [];
    const sink = createLocalSink({ store: downStore, log: (l) => lines.push(l), platform: () => undefined });
    await expect(sink(oneActivation())).rejects.toThrow(/ECONNREFUSED/);
    expect(lines).toEqual([]);
  });

  it('detection: nothing explicit, the platform\'s credentials once it runs, its endpoints inside', () => {
    let platform: { apihost: string; auth: string; namespace: string } | undefined;
    const options = { platform: () => platform, inside: () => ['http://127.0.0.1:8000'], log: () => undefined };
    expect(localDetection(options)).toMatchObject({ fixed: [] });
    expect(localDetection(options).platform).toBeUndefined();
    platform = { apihost: 'http://10.1.2.3:3233', auth: 'u:k', namespace: 'guest' };
    const d = localDetection(options);
    expect(d.platform).toEqual(platform);
    expect(d.config!.inside).toEqual([...EMBEDDED_PLATFORM_HOSTS, { host: '10.1.2.3', port: 3233 }, { host: '127.0.0.1', port: 8000 }]);
    expect(d.alerts).toBeUndefined();
  });

  it('a platform endpoint that is not an endpoint is an error naming it', () => {
    expect(() => localAnalysisConfig(['http://'])).toThrow(/platform endpoint "http:\/\/"/);
  });
});
