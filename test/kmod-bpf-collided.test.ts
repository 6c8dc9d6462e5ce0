// The eBPF probe's cgroup filter when captured cgroups share a slot of its direct-mapped table
// (slot = id % SP_CG_SLOTS): the slot then says "collided" and the whole set decides. Ids that
// share a slot with the test's cgroup need not exist: the filter holds ids, not cgroups.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCapture, type Capture } from '../kmod/binding';
import { packageRoot } from '../package/root';
import { catInCgroup, ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

/** The slot count, from the header the probe is built with. */
function cgroupSlots(): bigint {
  const header = fs.readFileSync(path.join(packageRoot(), 'kmod', 'include', 'sp_event.h'), 'utf8');
  const m = /#define SP_CG_SLOTS (\d+)/.exec(header);
  if (!m) throw new Error('kmod/include/sp_event.h has no SP_CG_SLOTS: update this test');
  return BigInt(m[1]);
}

describeNeeding(probeUnavailable())('eBPF probe cgroup filter with a shared slot on the real kernel', () => {
  let cap: Capture;
  const cg = makeCgroup('collided');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-collided-'));
  const opened: string[] = [];

  /** cat a file from a process in the test's cgroup; every captured open of our directory is collected. */
  async function catIn(name: string): Promise<void> {
    opened.push(...(await catInCgroup(cap, cg.dir, dir, name)));
  }

  beforeAll(() => {
    ensureBuilt('addon');
    cap = openCapture({ backend: 'bpf' });
  });

  afterAll(() => {
    cap?.close();
    cg.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('captures the cgroup only while it is in the set, whatever else shares its slot', async () => {
    const n = cgroupSlots();
    cap.addCgroup(cg.id + n); // alone in the slot, and not this cgroup
    await catIn('neighbour-only');
    cap.addCgroup(cg.id); // the slot is now shared: the set decides
    await catIn('shared-with-it');
    cap.removeCgroup(cg.id);
    cap.addCgroup(cg.id + 2n * n); // shared again, by two others
    await catIn('shared-without-it');
    cap.addCgroup(cg.id);
    await catIn('three-share');
    expect(opened).toEqual(['shared-with-it', 'three-share']);
  });
});
