// `npm run demo`, end to end, as a child process on a fresh store directory; then the CLI reads
// that store with nothing running; and nothing the demo started is left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { demoPlan } from '../examples/hello-retail/traffic';
import { containerReusePlan, exfiltrationPlan } from '../examples/hello-retail/attacks';
import type { RequestGraph, RequestSummary, ActivationNode, SocketNode, ItemNode, ContainerNode } from '../upg/types';
import type { Incident } from '../upg/analyses/types';
import { runNode, type Run } from './run-node';

const root = resolve(__dirname, '..');
const SHOP_ACTIONS = ['purchase', 'get-price', 'authorize-cc', 'publish'];

function run(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 240_000): Promise<Run> {
  return runNode(args, { cwd: root, env, timeoutMs, killSignal: 'SIGTERM' });
}

/** Processes that belong to this demo run: its marker in their environment, or the store dir in their command line or cwd. */
function leftovers(marker: string, storeDir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // a process in another mount namespace may hide its cwd
      }
      if (environ.includes(marker) || cmdline.includes(storeDir) || cwd.startsWith(storeDir)) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

const provenance = (args: string[]) => run([join(root, 'bin', 'provenance.js'), ...args], process.env, 60_000);

describe('npm run demo', () => {
  let storeDir: string;
  const marker = `HELLO_RETAIL_DEMO_TEST=${randomUUID()}`;
  let demo: Run;

  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'hello-retail-demo-'));
    const [key, value] = marker.split('=');
    demo = await run([join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'examples/hello-retail/demo.ts', '--store', storeDir], {
      ...process.env,
      [key]: value,
      PROVENANCE_STORE: '',
    });
  }, 300_000);

  afterAll(() => {
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  });

  it('exits 0, prints a purchase request and its provenance tree, and removes platform.json', () => {
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    expect(demo.stdout).toMatch(/▸ provenance of request hr-[0-9a-f]{8}-\d\d-purchase /);
    expect(demo.stdout).toMatch(/Next: npx provenance requests --store .* npx provenance trace hr-/);
    expect(existsSync(join(storeDir, 'platform.json'))).toBe(false);
  });

  it('leaves no process behind', () => {
    expect(leftovers(marker.split('=')[1], storeDir)).toEqual([]);
  });

  it('prints a tree whose graph has the purchase workflow, its containers, DynamoDB items and the card processor', async () => {
    const requestId = /▸ provenance of request (\S+) /.exec(demo.stdout)![1];
    const tree = demo.stdout.slice(demo.stdout.indexOf('▸ provenance of request'), demo.stdout.indexOf('▸ attack 1'));
    const processorPort = Number(/card processor on http:\/\/127\.0\.0\.1:(\d+)/.exec(demo.stdout)![1]);

    const trace = await provenance(['trace', requestId, '--json', '--store', storeDir]);
    expect(trace.code, trace.stderr).toBe(0);
    const graph = JSON.parse(trace.stdout) as RequestGraph;
    expect(graph.request).toBe(requestId);

    const activations = graph.nodes.filter((n): n is ActivationNode => n.kind === 'activation');
    expect(activations.length).toBeGreaterThanOrEqual(4);
    const shopActions = new Set(activations.map((a) => SHOP_ACTIONS.find((name) => a.action.endsWith(`-${name}`))).filter(Boolean));
    expect(shopActions.size).toBeGreaterThanOrEqual(3);
    for (const a of activations) {
      expect(a.requestId).toBe(requestId);
      expect(graph.nodes.some((n) => n.id === a.container && n.kind === 'container'), `container of ${a.activationId}`).toBe(true);
    }
    const containers = graph.nodes.filter((n): n is ContainerNode => n.kind === 'container');
    const items = graph.nodes.filter((n): n is ItemNode => n.kind === 'item');
    expect(items.map((i) => i.table)).toEqual(expect.arrayContaining(['hello-retail-purchases', 'hello-retail-events']));
    const sockets = graph.nodes.filter((n): n is SocketNode => n.kind === 'socket');
    expect(sockets.some((s) => s.port === processorPort)).toBe(true);

    // the printed tree shows the same things
    expect(tree).toContain(requestId);
    for (const a of activations) expect(tree).toContain(a.activationId);
    for (const name of shopActions) expect(tree).toContain(name);
    for (const c of containers) expect(tree).toContain(c.containerId);
    expect(tree).toContain('hello-retail-purchases');
    expect(tree).toContain(`127.0.0.1:${processorPort}`);
  });

  it('lists every request the demo made, with nothing running', async () => {
    const runId = /shoppers at work \(run ([0-9a-f]+)\)/.exec(demo.stdout)![1];
    const sent = [...demo.stdout.matchAll(new RegExp(`hr-${runId}-\\d\\d-\\w+`, 'g'))].map((m) => m[0]);
    const listed = await provenance(['requests', '--json', '--store', storeDir]);
    expect(listed.code, listed.stderr).toBe(0);
    const summaries = JSON.parse(listed.stdout) as RequestSummary[];
    const ids = summaries.map((s) => s.request);
    const attackSteps = containerReusePlan({ host: '127.0.0.66', port: 1 }).length + exfiltrationPlan({ url: 'http://127.0.0.66:1' }).length;
    expect(new Set(sent).size).toBe(demoPlan().length + attackSteps);
    for (const id of new Set(sent)) expect(ids).toContain(id);
    const purchase = summaries.find((s) => s.request.endsWith('-purchase'))!;
    expect(purchase.activations).toBeGreaterThanOrEqual(3);
  });

  describe('npm run demo: the attacks and the incident report', () => {
    const section = (from: string, to: string) => demo.stdout.slice(demo.stdout.indexOf(from), to ? demo.stdout.indexOf(to) : undefined);

    it('drives both attacks, clearly labelled, after the benign traffic; the attacker gets both cards', () => {
      const out = demo.stdout;
      expect(out.indexOf('▸ shoppers at work')).toBeLessThan(out.indexOf('▸ attack 1: container reuse'));
      expect(out.indexOf('▸ attack 1: container reuse')).toBeLessThan(out.indexOf('▸ attack 2: exfiltration through the workflow'));
      expect(out).toMatch(/▸ attacker listening on http:\/\/127\.0\.0\.66:\d+/);
      expect(out).toMatch(/✔ \[attacker\] storefront order with a receipt template\s+hr-\w+-\d\d-purchase\s+declined/);
      expect(out).toMatch(/✔ Chloé buys 2 Wool Beanies \(locale fr\)\s+hr-\w+-\d\d-purchase\s+authorized/);
      expect(out).toMatch(/the attacker on 127\.0\.0\.66 received: card 5105…5100 from hr-\S+ \(container reuse\), card 5555…4444 from hr-\S+ \(exfiltration\)/);
    });

    it('ends with the report: both attacks with planter and victim, no attack on benign traffic, and where the HTML is', () => {
      const report = section('▸ incident report', '');
      expect(report).toMatch(/ATTACK\s+container-reuse/);
      expect(report).toMatch(/ATTACK\s+exfiltration/);
      expect(report).toContain('/tmp/hello-retail/receipts/fr.js');
      expect(report).toContain('hello-retail-cards');
      expect(report).toMatch(/✔ container-reuse attack: planted by hr-\S+-purchase, loaded by hr-\S+-purchase/);
      expect(report).toMatch(/✔ exfiltration attack: hr-\S+-purchase carried hello-retail-cards data from \S+-purchase to \S+-publish → 127\.0\.0\.66:\d+/);
      expect(report).toContain('✔ no attack verdict on benign traffic');
      expect(report).not.toContain('✘');
      expect(report).toContain(`▸ HTML report with the attack graph: ${join(storeDir, 'report.html')}`);
    });

    it('writes a self-contained HTML report naming the planted file and the attack requests', () => {
      const html = readFileSync(join(storeDir, 'report.html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain('/tmp/hello-retail/receipts/fr.js');
      const planter = /planted by (hr-\S+-purchase)/.exec(demo.stdout)![1];
      expect(html).toContain(planter);
      expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    });

    it('`provenance report --json` afterwards, with nothing running, lists exactly the two attacks', async () => {
      const listed = await provenance(['report', '--json', '--store', storeDir]);
      expect(listed.code, listed.stderr).toBe(0);
      const { incidents } = JSON.parse(listed.stdout) as { incidents: Incident[] };
      expect(incidents.filter((i) => i.verdict === 'attack').map((i) => i.kind).sort()).toEqual(['container-reuse', 'exfiltration']);
      for (const i of incidents.filter((i) => i.verdict !== 'attack')) expect(i.verdict).toBe('benign-shared-state');
    });
  });
});

describe('npm run demo, interrupted', () => {
  it('stops everything it started on SIGTERM during the deploy, removes platform.json and exits 130', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'hello-retail-demo-int-'));
    const markerValue = randomUUID();
    try {
      const child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'examples/hello-retail/demo.ts', '--store', storeDir], {
        cwd: root,
        env: { ...process.env, HELLO_RETAIL_DEMO_TEST: markerValue },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let sawPlatformFile = false;
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('▸ serverless deploy') && child.exitCode === null && !child.killed) {
          sawPlatformFile = existsSync(join(storeDir, 'platform.json'));
          child.kill('SIGTERM');
        }
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const code = await exited;
      clearTimeout(timer);
      expect(sawPlatformFile, stdout).toBe(true);
      expect(code, `${stdout}\n${stderr}`).toBe(130);
      expect(stderr).toMatch(/demo: SIGTERM received while deploying hello-retail/);
      expect(stderr).not.toMatch(/demo failed/);
      expect(existsSync(join(storeDir, 'platform.json'))).toBe(false);
      expect(leftovers(markerValue, storeDir)).toEqual([]);
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  }, 150_000);
});
