// The runtime's own start-up pipe, end to end: an action container (a private dockerd), the node agent
// with kernel capture (its own process, from dist/), and a DynamoDB (dynalite on 127.0.0.1). Every
// activation spawns a program, so libuv's signal-lock pipe, made by the runtime at its start-up, is read
// and written by each activation and read by the next. That alone is no incident. One activation's
// handler then writes a card number into the runtime's lock pipe (the same process, the same fd):
// that flow into the next request's activation is still found, and not called benign.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore, startLocalDynamo, type LocalDynamo } from '../store/index';
import type { Incident } from '../upg/analyses/types';
import { startDockerd, type PrivateDockerd } from './dockerd';
import { needBuild, startActionContainer, startAgent, wrappedArtifact, type AgentProcess } from './agent-harness';
import { describeNeeding } from './prerequisites';
import { until } from './wait';

const HANDLER = `
const fs = require('fs');
exports.main = async (params) => {
  // a program the runtime spawns: libuv takes and gives back its signal lock around it
  require('child_process').execFileSync('/usr/bin/true');
  const wrote = [];
  if (params.leak) {
    for (const fd of fs.readdirSync('/proc/self/fd').map(Number)) {
      if (fd <= 2) continue;
      let link;
      try { link = fs.readlinkSync('/proc/self/fd/' + fd); } catch { continue; }
      if (!link.startsWith('pipe:')) continue;
      // libuv's signal lock is the blocking write end among the runtime's own (close-on-exec) pipes; its
      // non-blocking signal pipes carry pointers, and bytes written there would crash the runtime
      const flags = parseInt(/flags:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/fdinfo/' + fd, 'utf8'))[1], 8);
      if ((flags & 0o4003) !== 0o1 || !(flags & 0o2000000)) continue;
      fs.writeSync(fd, 'card=4111111111111111;');
      wrote.push(fd);
    }
  }
  return { wrote };
};
`;

describeNeeding(process.getuid?.() === 0 ? null : 'dockerd and kernel capture need root')('the runtime’s start-up pipe under kernel capture', () => {
  let d: PrivateDockerd;
  let dir: string;
  let dynamo: LocalDynamo;
  let agent: AgentProcess | undefined;
  const runs: Array<{ transactionId: string; activationId: string; leak: boolean; result: unknown }> = [];
  let incidents: Incident[] = [];

  beforeAll(async () => {
    needBuild();
    d = await startDockerd();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'self-pipe-'));
    dynamo = await startLocalDynamo(dir);
    agent = startAgent(['--docker-host', `unix://${d.socket}`, '--endpoint', dynamo.endpoint, '--table', 'provenance', '--region', 'us-east-1', '--state-dir', path.join(dir, 'agent'), '--invoker', 'invoker0', '--batch-ms', '100']);
    const line = (await agent.waitFor(/agent: kernel capture (on|off)/))[0];
    if (!/kernel capture on/.test(line)) throw new Error(`this test needs kernel capture: ${line}`);
    const c = await startActionContainer(d, 'wsk0_1_prewarm_nodejs20');
    await c.init(wrappedArtifact(HANDLER));
    for (const leak of [false, false, false, false, true, false, false]) {
      const run = await c.run(leak ? { leak: true } : {});
      runs.push({ ...run, leak });
      await new Promise((done) => setTimeout(done, 150));
    }
    const store = await openStore({ endpoint: dynamo.endpoint, table: 'provenance', region: 'us-east-1' });
    try {
      for (const run of runs) await until(`activation ${run.activationId} stored`, async () => (await store.getRequestGraph(run.transactionId))?.nodes.some((n) => n.kind === 'activation' && n.activationId === run.activationId), 60_000, 250);
      // SIGTERM waits for detection over everything ingested
      expect(await agent.stop('SIGTERM')).toBe(0);
      incidents = (await store.listIncidents()).filter((i) => i.kind === 'container-reuse');
    } finally {
      await store.close();
    }
  }, 240_000);

  afterAll(async () => {
    await agent?.stop('SIGKILL');
    await dynamo?.stop();
    await d?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds no incident in the runtime passing its own lock token from one activation to the next', () => {
    const leaker = runs.find((r) => r.leak)!.activationId;
    expect(incidents.filter((i) => i.planter.activation !== leaker), agent?.log()).toEqual([]);
  });

  it('finds the handler’s write into the runtime’s pipe, read by the next request, and does not call it benign', () => {
    const leakAt = runs.findIndex((r) => r.leak);
    const found = incidents.filter((i) => i.planter.activation === runs[leakAt]!.activationId && i.artifact.path?.startsWith('pipe:'));
    // the handler found the lock pipe and wrote into it
    expect((runs[leakAt]!.result as { wrote: number[] }).wrote).toHaveLength(1);
    expect(found.length, JSON.stringify({ runs, incidents }, null, 1)).toBeGreaterThan(0);
    for (const i of found) {
      expect(i.verdict).not.toBe('benign-shared-state');
      expect(i.victims.map((v) => v.activation)).toContain(runs[leakAt + 1]!.activationId);
      expect(i.evidence.join('\n')).toMatch(/left \d+ byte\(s\) more than it took in a pipe the runtime made for itself during start-up/);
    }
  });
});
