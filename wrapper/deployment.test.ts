// The deployment the plugin packages (settings and profile) leaves the action once per process,
// signed, right after the begin of the first activation that runs with it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setActivationEnv, useInstalledWrapper } from '../test/wrapper-capture';
import { decodeDeployment, encodeDeployment, type DeploymentDocument } from '../protocol/deployment';
import type { BeginRecord, DeployRecord } from '../protocol/wrapper-records';
import { wrapHandler } from './index';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-deployment-'));
const out = useInstalledWrapper(path.join(tmp, 'artifact'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const noise = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36));
const doc: DeploymentDocument = { v: 1, service: 'shop', stage: 'dev', actions: ['_/shop-dev-a'], sensitive: { secrets: ['token.json'] }, deployedAt: 3, profile: { noise } };
const deployment = encodeDeployment(doc);

describe('deployment delivery', () => {
  it('sends every part after the first begin, names the deployment in every begin, and sends it once per process', async () => {
    const main = wrapHandler(() => ({ main: () => 1 }), 'main', { deployment, profile: 'lpabc' });
    setActivationEnv('a-dep-1', 'r-dep-1');
    await main({});
    setActivationEnv('a-dep-2', 'r-dep-2');
    await main({});
    // another function of the same artifact loaded in the same process: already sent
    setActivationEnv('a-dep-3', 'r-dep-3');
    await wrapHandler(() => ({ main: () => 2 }), 'main', { deployment })({});

    const records = out.records(); // parsed and MAC-verified
    expect(records.map((r) => `${r.a}:${r.t}`)).toEqual([
      'a-dep-1:begin',
      ...deployment.parts.map(() => 'a-dep-1:dep'),
      'a-dep-1:end',
      'a-dep-2:begin',
      'a-dep-2:end',
      'a-dep-3:begin',
      'a-dep-3:end',
    ]);
    expect(deployment.parts.length).toBeGreaterThan(1);
    for (const r of records.filter((r): r is BeginRecord => r.t === 'begin')) expect(r.dh).toBe(deployment.hash);
    expect(records[0]).toMatchObject({ lp: 'lpabc' });
    const parts = records.filter((r): r is DeployRecord => r.t === 'dep');
    expect(parts.map((p) => [p.i, p.n])).toEqual(deployment.parts.map((_, i) => [i, deployment.parts.length]));
    expect(decodeDeployment(parts[0]!.h, parts.map((p) => p.d))).toEqual({ doc });
  });

  it('sends nothing and names nothing without a deployment', async () => {
    setActivationEnv('a-none', 'r-none');
    await wrapHandler(() => ({ main: () => 1 }), 'main')({});
    const records = out.records();
    expect(records.map((r) => r.t)).toEqual(['begin', 'end']);
    expect(records[0]).not.toHaveProperty('dh');
  });
});
