// The node agent killed with SIGKILL while activations keep running, then started again: it
// resumes each container's log where the last batch that could not be lost ended (log positions
// are saved only once a batch is delivered or spooled), so every activation run is stored, with
// each of its lines once and no record missing.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../store/index';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { needBuild, startActionContainer, startAgent, wrappedArtifact, type ActionContainer, type AgentProcess } from './agent-harness';
import { describeNeeding } from './prerequisites';

const HANDLER = `
exports.main = async (params) => {
  console.log('hello ' + params.id);
  require('fs').writeFileSync('/tmp/restart-' + params.id, String(params.id));
  return { id: params.id };
};
`;

const describeRoot = describeNeeding(process.getuid?.() === 0 ? null : 'dockerd needs root');

describeRoot('provenance agent killed and restarted', () => {
  let d: PrivateDockerd;
  let storeDir: string;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    needBuild();
    d = await startDockerd();
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-restart-'));
  });

  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await d?.stop();
    if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
  });

  const args = () => ['--docker-host', `unix://${d.socket}`, '--store', storeDir, '--invoker', 'invoker0', '--batch-ms', '50'];
  const start = async () => {
    const a = startAgent(args());
    agents.push(a);
    await a.waitFor(/agent: kernel capture (on|off)/);
    return a;
  };

  it('stores every activation once although the agent was SIGKILLed under load', async () => {
    let agent = await start();
    const containers: ActionContainer[] = [];
    for (const name of ['wsk0_1_prewarm_nodejs20', 'wsk0_2_prewarm_nodejs20']) {
      const c = await startActionContainer(d, name);
      await c.init(wrappedArtifact(HANDLER));
      containers.push(c);
    }
    const runs: Array<{ id: string; transactionId: string; activationId: string }> = [];
    let next = 0;
    let stop = false;
    // each container runs activations back to back, as a busy invoker would
    const drive = async (c: ActionContainer) => {
      while (!stop) {
        const id = `r${next++}`;
        const r = await c.run({ id });
        runs.push({ id, ...r });
        await new Promise((done) => setTimeout(done, 300));
      }
    };
    const driving = Promise.all(containers.map(drive));
    await new Promise((r) => setTimeout(r, 1200));
    expect(await agent.stop('SIGKILL')).toBe(null);
    const beforeRestart = runs.length;
    await new Promise((r) => setTimeout(r, 1000)); // activations go on with no agent at all
    agent = await start();
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await driving;
    expect(runs.length).toBeGreaterThan(beforeRestart);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    expect(await agent.stop('SIGTERM'), agent.log()).toBe(0);
    if (process.env.AGENT_TEST_DEBUG) console.log(`stop took ${Date.now() - t0} ms`);
    if (process.env.AGENT_TEST_DEBUG) console.log(`${runs.length} activations; agent said:\n${agent.log()}`);

    const store = await openStore({ dir: storeDir, table: 'provenance' }, { create: false });
    try {
      const missing: string[] = [];
      const twice: string[] = [];
      const gaps: string[] = [];
      for (const run of runs) {
        const g = await store.getRequestGraph(run.transactionId);
        const acts = (g?.nodes ?? []).filter((n) => n.kind === 'activation');
        if (acts.length !== 1) {
          missing.push(run.id);
          continue;
        }
        const hello = g!.nodes.filter((n) => n.kind === 'log' && (n as { text?: string }).text === `hello ${run.id}`);
        if (hello.length !== 1) twice.push(`${run.id}: ${hello.length}`);
        if ((g!.warnings ?? []).some((w) => w.code === 'seq-gap')) gaps.push(run.id);
      }
      if (process.env.AGENT_TEST_DEBUG) console.log(`reading took ${Date.now() - t0} ms`);
      expect({ run: runs.length, missing, twice, gaps }).toEqual({ run: runs.length, missing: [], twice: [], gaps: [] });
    } finally {
      await store.close();
    }
  });
});
