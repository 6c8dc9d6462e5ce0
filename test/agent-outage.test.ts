// A short store outage under the node agent (test/agent-outage.ts has the whole scenario; run it
// longer with `npx tsx test/agent-outage.ts --seconds 60`).
import { expect, it } from 'vitest';
import { outageProblems, runOutage } from './agent-outage';
import { describeNeeding } from './prerequisites';

describeNeeding(process.getuid?.() === 0 ? null : 'dockerd needs root')('provenance agent through a store outage', () => {
  it('stores every activation run during a 3 s outage, once, its kernel accounting balances, and detection finds no incident', async () => {
    const s = await runOutage({ seconds: 3 });
    expect(outageProblems(s), JSON.stringify(s)).toEqual([]);
    expect(s.activationsRun).toBeGreaterThan(4);
  }, 240_000);
});
