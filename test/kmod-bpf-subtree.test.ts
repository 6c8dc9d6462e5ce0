// The eBPF probe's subtree filter on the real kernel: a process in a cgroup under a registered
// subtree is captured, one elsewhere is not (and its cgroup is remembered as outside, so that it
// stops paying the subtree test), and registering a subtree over that cgroup later captures it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCapture, type Capture } from '../kmod/binding';
import { decodeBatch, type KernelEvent } from '../kmod/decode';
import { EventType } from '../kmod/schema';
import { CGROUP2, ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
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
    fs.writeFileSync(path.join(dir, name), name);
    const r = spawnSync('/bin/sh', ['-c', `echo $$ > ${cgDir}/cgroup.procs && exec cat ${dir}/${name}`], { stdio: 'ignore' });
    expect(r.status).toBe(0);
    for (let quiet = 0; quiet < 2; ) {
      const b = await cap.pollAsync(150);
      if (!b) {
        quiet++;
        continue;
      }
      const events: KernelEvent[] = decodeBatch(b).events;
      for (const e of events) if (e.type === EventType.OPEN && String(e.params.path).startsWith(dir)) opened.push(path.basename(String(e.params.path)));
    }
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
