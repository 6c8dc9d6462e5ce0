// The switch that holds every program of the dd microbenchmark (bench/capture.ts) loaded and
// attaches one at a time (kmod/bench/sp_hook_switch.c), on the real kernel: a probe captures
// only while it is the one attached, each probe counts its own records, and the batches it keeps
// are every record it wrote, whole, as the decoder reads them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openHookSwitch, readKeptBatches, type HookSwitch, type SwitchProbe } from '../bench/hook-switch';
import { decodeBatch } from '../kmod/decode';
import { EventType } from '../kmod/schema';
import { ensureBuilt, makeCgroup, probeUnavailable } from './kmod-helpers';
import { describeNeeding } from './prerequisites';

describeNeeding(probeUnavailable())('sp_hook_switch on the real kernel', () => {
  const measured = makeCgroup('hook-switch-measured');
  const other = makeCgroup('hook-switch-other');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-hook-switch-'));
  let hooks: HookSwitch;

  /** dd in the measured cgroup: 200 reads and 200 writes of 64 bytes */
  function dd(): void {
    const r = spawnSync('/bin/sh', ['-c', `echo $$ > ${measured.dir}/cgroup.procs && exec dd if=/dev/zero of=/dev/null bs=64 count=200`], { stdio: 'ignore' });
    expect(r.status).toBe(0);
  }

  /** records each probe wrote while dd ran with `h` attached */
  async function recordsWith(h: Parameters<HookSwitch['use']>[0]): Promise<Record<SwitchProbe, number>> {
    const probes: SwitchProbe[] = ['probe', 'capture', 'durations'];
    const before = await Promise.all(probes.map((p) => hooks.stats(p)));
    await hooks.use(h);
    dd();
    await hooks.use('none');
    const after = await Promise.all(probes.map((p) => hooks.stats(p)));
    return Object.fromEntries(probes.map((p, i) => [p, after[i].events - before[i].events])) as Record<SwitchProbe, number>;
  }

  beforeAll(async () => {
    ensureBuilt('probe');
    const opened = await openHookSwitch(other.id, undefined, measured.id);
    if (typeof opened === 'string') throw new Error(opened);
    hooks = opened;
  });

  afterAll(async () => {
    await hooks?.close();
    measured.remove();
    other.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['none', { probe: 0, capture: 0, durations: 0 }],
    ['empty', { probe: 0, capture: 0, durations: 0 }],
    // the idle probe captures the other cgroup: dd only pays its filter
    ['probe', { probe: 0, capture: 0, durations: 0 }],
  ] as const)('with %s attached, no probe records dd', async (h, want) => {
    expect(await recordsWith(h)).toEqual(want);
  });

  it.each(['capture', 'durations'] as const)('with %s attached, only that probe records dd', async (h) => {
    const got = await recordsWith(h);
    expect(got[h]).toBeGreaterThan(0);
    expect({ ...got, [h]: 0 }).toEqual({ probe: 0, capture: 0, durations: 0 });
  });

  it('keeps every record the capturing probe wrote, in batches the decoder reads whole', async () => {
    const file = path.join(dir, 'kept');
    const before = await hooks.stats('capture');
    await hooks.keep(file);
    await hooks.use('capture');
    dd();
    await hooks.use('none');
    await hooks.keep();
    const after = await hooks.stats('capture');
    const events = readKeptBatches(fs.readFileSync(file)).flatMap((b) => decodeBatch(b).events);
    expect(events.length).toBe(after.events - before.events);
    expect(after.drops).toBe(before.drops);
    expect(events.some((e) => e.type === EventType.EXECVE)).toBe(true);
  });

  it('refuses a command it does not know, saying which', async () => {
    const lone = await openHookSwitch(other.id);
    if (typeof lone === 'string') throw new Error(lone);
    // without a captured cgroup there is no capturing probe to attach
    await expect(lone.use('capture')).rejects.toThrow(/unknown command "capture"/);
    await lone.close();
  });
});
