// Test support for the node agent's integration tests: the agent as a separate process
// (`node bin/provenance.js agent …`, from dist/), and action containers started the way OpenWhisk's
// Docker invoker starts them (name wsk<invoker>_<n>_prewarm_nodejs20, json-file log, host network,
// the runtime on its own port) in a private dockerd (test/dockerd.ts), driven with /init and /run.
import AdmZip from 'adm-zip';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { PrivateDockerd } from './dockerd';
import { nodeContainerOptions } from './dockerd';
import { PROVENANCE_BIN } from './run-node';
import { post } from './action-runtime-client';

export const ROOT = path.resolve(__dirname, '..');
export const RUNTIME = path.join(ROOT, 'dist/invokers/local/runtime/server.js');
export const BUNDLE = path.join(ROOT, 'dist/wrapper/bundle.js');

export function needBuild(): void {
  for (const f of [RUNTIME, BUNDLE, path.join(ROOT, 'dist/cli/commands/agent.js')]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
}

export interface AgentProcess {
  proc: ChildProcess;
  /** everything it wrote to stderr so far */
  log(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** signal it and wait for its exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startAgent(args: string[]): AgentProcess {
  const proc = spawn(process.execPath, [PROVENANCE_BIN, 'agent', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  proc.stderr!.on('data', onData);
  proc.stdout!.on('data', onData);
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  return {
    proc,
    log: () => err,
    waitFor: (re, timeoutMs = 30_000) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`agent did not say ${re} within ${timeoutMs} ms; it said:\n${err}`)), timeoutMs);
        const check = () => {
          const m = err.match(re);
          if (m) {
            clearTimeout(timer);
            return done(m);
          }
          if (proc.exitCode !== null) {
            clearTimeout(timer);
            return fail(new Error(`agent exited (${proc.exitCode}) before saying ${re}:\n${err}`));
          }
          waiters.push(check);
        };
        check();
        exited.then(() => check());
      }),
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => done(port));
    });
  });
}

/** A wrapped action artifact (what the plugin packages): the handler, the entry, the wrapper bundle. */
export function wrappedArtifact(handler: string): string {
  const zip = new AdmZip();
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('index.js', Buffer.from("const { wrapHandler } = require('./.provenance/bundle.js');\nexports.main = wrapHandler(() => require('./handler.js'), 'main');\n"));
  zip.addFile('.provenance/bundle.js', fs.readFileSync(BUNDLE));
  return zip.toBuffer().toString('base64');
}

export interface ActionContainer {
  id: string;
  name: string;
  port: number;
  init(artifact: string): Promise<void>;
  /** one activation; returns its ids */
  run(value: Record<string, unknown>, action?: string): Promise<{ activationId: string; transactionId: string; result: unknown }>;
  remove(): Promise<void>;
}

/** Starts the action runtime in a container as OpenWhisk's Docker invoker does (prewarm name, no labels). */
export async function startActionContainer(d: PrivateDockerd, name: string): Promise<ActionContainer> {
  const port = await freePort();
  const c = await d.docker.createContainer(
    nodeContainerOptions({
      image: d.image,
      name,
      cmd: ['/usr/bin/node', RUNTIME],
      env: { __SP_RUNTIME_PORT: String(port), __SP_CODE_DIR: '/tmp/action', __OW_ALLOW_CONCURRENT: 'false' },
      binds: [`${ROOT}:${ROOT}:ro`],
    }),
  );
  // the action writes where OpenWhisk's runtimes let it: /tmp
  await c.start();
  const id = c.id;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((done) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        done(true);
      });
      s.on('error', () => done(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the runtime in ${name} did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    id,
    name,
    port,
    init: async (artifact) => {
      const r = await post(port, '/init', { value: { name: 'action', main: 'main', code: artifact, binary: true } });
      if (r.status !== 200) throw new Error(`/init answered ${r.status}: ${JSON.stringify(r.body)}`);
    },
    run: async (value, action = '/guest/hello') => {
      const activationId = randomBytes(16).toString('hex');
      const transactionId = randomBytes(16).toString('hex');
      const r = await post(port, '/run', {
        value,
        namespace: 'guest',
        action_name: action,
        activation_id: activationId,
        transaction_id: transactionId,
        deadline: String(Date.now() + 60_000),
      });
      if (r.status !== 200) throw new Error(`/run answered ${r.status}: ${JSON.stringify(r.body)}`);
      return { activationId, transactionId, result: r.body };
    },
    remove: async () => {
      await d.docker.getContainer(id).remove({ force: true });
    },
  };
}

export async function scrape(metricsUrl: string): Promise<Record<string, number>> {
  const text = await new Promise<string>((done, fail) => {
    http.get(`${metricsUrl}/metrics`, (res) => {
      let t = '';
      res.on('data', (d) => (t += d));
      res.on('end', () => done(t));
    }).on('error', fail);
  });
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

/** The agent's metrics base URL, from the line it prints once it listens. */
export async function metricsUrlOf(agent: AgentProcess): Promise<string> {
  return (await agent.waitFor(/metrics at (http:\/\/[^\s]+)\/metrics/))[1]!;
}
