// A detection run of the agent's sink costs the same store reads however long the containers'
// history is: before, every run re-read each touched file's whole history and each container's whole
// activation list, and the backlog after a long store outage never drained (agent-outage-detection.ts).
import { describe, expect, it } from 'vitest';
import { measure } from './agent-outage-detection';

describe('detection after a long history', () => {
  it('one more activation costs the same store calls at 30 and at 150 activations, and reads no history', async () => {
    const [small, large] = await measure([30, 150]);
    expect(large!.nextCalls).toEqual(small!.nextCalls);
    expect(large!.nextCalls.entityHistory ?? 0).toBe(0);
    expect(large!.nextCalls.containerActivations ?? 0).toBe(0);
    expect(large!.nextCalls.getRequestGraph).toBeLessThanOrEqual(2);
  }, 120_000);
});
