// Shared by the integration tests that deploy a service with the real serverless v3 CLI to the
// embedded platform: the store and the platform they deploy to (in this process, or `provenance
// local start` as a user runs it), the environment the CLI deploys with, and the serverless.yml of
// a wrapped service. Everything started is pushed on the suite's `stops` and every scratch folder
// on its `dirs`, for `stopAllThenRemove` (plugin-harness.ts) in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLocalSink, type BatchSink } from '../correlator/local-sink';
import { removePlatformInfo, startPlatform, writePlatformInfo, type Platform } from '../invokers/local/index';
import type { Batch } from '../protocol/batch';
import { openStore, startLocalDynamo, type LocalDynamo, type ProvenanceStore } from '../store/index';
import { DEFAULT_TABLE } from '../store/types';
import { makeHome, ROOT } from './plugin-harness';

/** What a suite must stop and remove in afterAll. */
export interface Scratch {
  stops: Array<() => unknown>;
  dirs: string[];
}

export interface StoreAndPlatform {
  storeDir: string;
  dynamo: LocalDynamo;
  store: ProvenanceStore;
  platform: Platform;
  /** the correlator the platform's agent ships to (absent with `correlator: 'none'`) */
  sink?: BatchSink;
}

export interface StoreAndPlatformOptions {
  /** name of the scratch store folder under the system's temp dir */
  prefix: string;
  /**
   * `local-sink`: the correlator runs in this process on every batch, as in `provenance local start`;
   * `none`: nothing is shipped, so only pull mode can fill the store
   */
  correlator: 'local-sink' | 'none';
  /** sees each batch before the correlator does */
  onBatch?: (batch: Batch) => void;
  platformLog?: string[];
  sinkLog?: string[];
  /** write the store's platform.json, as `provenance local start` does, so `sls deploy` finds the running store */
  announce?: boolean;
}

/** A DynamoDB (dynalite) in a scratch folder, its store, and the embedded platform on it, as `provenance local start` wires them. */
export async function startStoreAndPlatform(scratch: Scratch, o: StoreAndPlatformOptions): Promise<StoreAndPlatform> {
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), `${o.prefix}-`));
  scratch.dirs.push(storeDir);
  const dynamo = await startLocalDynamo(storeDir);
  scratch.stops.push(() => dynamo.stop());
  const store = await openStore({ endpoint: dynamo.endpoint, table: DEFAULT_TABLE, region: 'us-east-1' }, { create: true });
  scratch.stops.push(() => store.close());

  let started: Platform | undefined;
  const sink =
    o.correlator === 'local-sink'
      ? createLocalSink({
          store,
          log: (line) => o.sinkLog?.push(line),
          platform: () => started && { apihost: started.apihost, auth: started.auth, namespace: started.namespace },
          inside: () => [dynamo.endpoint],
        })
      : undefined;
  started = await startPlatform({
    storeDir,
    idleTimeoutMs: 120_000,
    kernelCapture: false,
    ...(sink
      ? {
          onBatch: async (batch: Batch) => {
            o.onBatch?.(batch);
            await sink(batch);
          },
          drain: sink.drain,
        }
      : {}),
    log: (line) => o.platformLog?.push(line),
  });
  const platform = started;
  scratch.stops.push(() => platform.stop());
  if (o.announce) {
    // how `sls deploy` finds the store: PROVENANCE_STORE -> platform.json -> the running DynamoDB
    writePlatformInfo(storeDir, { pid: process.pid, apihost: platform.apihost, auth: platform.auth, dynamodb: dynamo.endpoint, started: Date.now(), namespace: platform.namespace });
    scratch.stops.push(() => removePlatformInfo(storeDir));
  }
  return { storeDir, dynamo, store, platform, ...(sink ? { sink } : {}) };
}

/** `provenance local start` from the built bin, a real process, once it has printed its settings. */
export interface LocalStartProcess {
  proc: ChildProcess;
  apihost: string;
  auth: string;
  namespace: string;
  /** what it printed so far */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s */
  stop(): Promise<void>;
}

/** Starts `provenance local start --store <store> <args>` (in `cwd`, else this process's) and waits (at most 60 s) for its settings. */
export async function startLocalStart(store: string, args: string[] = [], cwd?: string): Promise<LocalStartProcess> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'provenance.js'), 'local', 'start', '--store', store, ...args], {
    ...(cwd !== undefined ? { cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!/WSK_CONFIG_FILE=/.test(stdout)) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`local start did not come up: ${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(stdout)![1]!;
  return {
    proc,
    apihost: value('OW_APIHOST'),
    auth: value('OW_AUTH'),
    namespace: value('OW_NAMESPACE'),
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}

/** The environment `sls` deploys with: a fresh HOME (no ~/.wskprops of the machine's), the platform's API, and `extra`. */
export function serverlessEnv(
  scratch: Pick<Scratch, 'dirs'>,
  platform: { apihost: string; auth: string },
  extra: Record<string, string> = {},
): Record<string, string> & { HOME: string } {
  const home = makeHome();
  scratch.dirs.push(home);
  return { HOME: home, OW_APIHOST: platform.apihost, OW_AUTH: platform.auth, ...extra };
}

/** serverless.yml of a Node service on OpenWhisk wrapped by this plugin; `custom` lines go under `custom:` as written. */
export function wrappedServiceYml(service: string, functions: Record<string, string>, custom: string[] = []): string {
  return [
    `service: ${service}`,
    'frameworkVersion: "3"',
    'provider:',
    '  name: openwhisk',
    '  runtime: nodejs:20',
    'functions:',
    ...Object.entries(functions).flatMap(([name, handler]) => [`  ${name}:`, `    handler: ${handler}`]),
    'plugins:',
    '  - serverless-openwhisk',
    '  - serverless-provenance',
    ...(custom.length ? ['custom:', ...custom] : []),
    '',
  ].join('\n');
}

/** An HTTP server on `host`, any free port, closed with the suite; resolves with its port. */
export async function listenOn(scratch: Pick<Scratch, 'stops'>, server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  scratch.stops.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

/** A receiver on `host` that keeps every request body it is sent (an outside address an action leaks to). */
export async function startReceiver(scratch: Pick<Scratch, 'stops'>, host: string, bodies: string[]): Promise<number> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200).end('ok');
    });
  });
  return listenOn(scratch, server, host);
}
