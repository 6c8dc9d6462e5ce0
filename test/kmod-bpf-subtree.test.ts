// The eBPF probe's subtree filter on the real kernel: a process in a cgroup under a registered
// subtree is captured, one elsewhere is not (and its cgroup is remembered as outside, so that it
// stops paying the subtree test), and registering a subtree over that cgroup later captures it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type Capture } from '../kmod/binding';
import { catInCgroup, CGROUP2, ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

describeNeeding(probeUnavailable())('eBPF probe subtree filter on the real kernel', () => {
  let cap: Capture;
  const engine = makeCgroup('subtree-engine');
  const elsewhere = makeCgroup('subtree-elsewhere');
  const inEngine = path.join(engine.dir, 'ctr');
  const inElsewhere = path.join(elsewhere.dir, 'ctr');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-subtree-'));
  const level = (cgDir: string) => path.relative(CGROUP2, cgDir).split(path.sep).length;
  const opened: string[] = [];

  /** cat a file from a process in cgDir; every captured open of our directory is collected. */
  async function catIn(cgDir: string, name: string): Promise<void> {
    opened.push(...(await catInCgroup(cap, cgDir, dir, name)));
  }

  beforeAll(() => {
    ensureBuilt('addon');
    fs.mkdirSync(inEngine);
    fs.mkdirSync(inElsewhere);
    cap = openCapture({ backend: 'bpf' });
    cap.addSubtree(engine.id, level(engine.dir));
  });

  afterAll(() => {
    cap?.close();
    for (const d of [inEngine, inElsewhere]) fs.rmdirSync(d);
    engine.remove();
    elsewhere.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures a cgroup under the subtree and not one elsewhere, then that one too once its parent is registered', async () => {
    await catIn(inEngine, 'under-engine');
    await catIn(inElsewhere, 'elsewhere-1');
    await catIn(inElsewhere, 'elsewhere-2'); // its cgroup is known to be outside by now
    cap.addSubtree(elsewhere.id, level(elsewhere.dir));
    await catIn(inElsewhere, 'elsewhere-registered');
    expect(opened.sort()).toEqual(['elsewhere-registered', 'under-engine']);
  });
});
