// Activation latency with and without kernel capture, on the embedded platform, for a
// hello-retail-like purchase: the wrapped `purchase` action invokes `get-price` (a nested blocking
// activation through the openwhisk client), reads its catalog file, writes a receipt under /tmp,
// logs through console and winston, and POSTs the charge to a local card processor over HTTP.
// The invoker's whole provenance path runs as in production (wrapper, agent, kernel tap: decode,
// attribute, reduce, batch; the agent on its own thread, as the platform runs it); batches are
// serialised as for shipping but not ingested, since the correlator runs elsewhere. Configurations:
//   N  no provenance: the handler is not wrapped at all
//   A  wrapper records only, its fs/net/process hooks off, no kernel capture
//   W  the wrapper's own fs/net/process hooks (what runs where kernel capture cannot)
//   K  kernel capture: wrapper records + the eBPF probe on the containers' cgroups + the agent's kernel path
//      (K is A plus kernel capture and nothing else: with capture on, the wrapper's hooks are off)
//   Kw (with --compare-pipelines) K with the agent's kernel work on a worker thread
// They run interleaved, so that drift hits them all alike: one platform per configuration, started
// and warmed up before anything is timed and kept running; then rounds, each giving every
// configuration in turn (the order rotates by one place per round) a short batch of requests, with
// everything the batch left to process drained (untimed) before the next configuration's turn.
// Switching K's capture on and off between turns is done by unloading and reloading the probe
// (Platform.suspendKernelCapture / resumeKernelCapture, untimed): a loaded probe slows every
// syscall on the machine (see (b) in `npm run bench`: "probe loaded, cgroup not captured"), so it
// must not stay loaded during N, A and W's turns; restarting K's platform instead would give K
// younger containers than the others. The drain at the end of K's turn processes the kernel events
// of its last requests untimed (at most one poll period, 50 ms, of events per turn); the agent's
// busy time column counts all of it.
// The headline ratios are of medians over all rounds, with a 95 % interval from resampling whole
// rounds (each round's configurations stay together, so drift still cancels); the per-round ratios'
// median and interquartile range show how much one round alone can say;
// bench/index.ts runs this as part of `npm run bench`.
//   npx tsx bench/kernel-activations.ts [--requests N (per turn)] [--rounds N] [--compare-pipelines] [--only=N,A,...]
//   (positional `[requests] [rounds]` still work; --only=N,N0,A,A0 adds the platforms without a node agent,
//   --only=N,Nl,A,Al,K,Kl those with the node agent on the platform's event loop instead of its own thread)
//   (PROVENANCE_BENCH_WRAPPER=<bundle.js> measures another build of the wrapper, and with PROVENANCE_BENCH_WRAPPER_B=<bundle.js>
//   --only=N,A,Ab,K,Kb measures two builds side by side; --only=N,F,A adds the floor F; --container-cpu-prof DIR profiles
//   every container over the rounds and prints where their CPU goes, bench/container-profile.ts)   (as root, after npm run build and kmod-build)
import AdmZip from 'adm-zip';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { startPlatform, type Platform } from '../invokers/local/index';
import type { KernelTapStats } from '../invokers/agent/kernel-tap';
import { beyondNoise, mean, median, quantile, ratioSummary, roundBootstrapCi, roundOrder } from './interleave';
import { TurnProbe, type TurnCost } from './turn-probe';
import { packageRoot } from '../package/root';
import { formatProfiles, prepareContainerProfiling, readProfiles, toggleProfilers, waitForProfiles, type ContainerProfiling } from './container-profile';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const PURCHASE = `
const fs = require('fs'), http = require('http'), openwhisk = require('openwhisk'), winston = require('winston');
const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const catalog = __dirname + '/catalog.json';
function charge(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
module.exports.main = async (p) => {
  console.log('purchase of', p.id);
  const product = JSON.parse(fs.readFileSync(catalog, 'utf8'))[p.id];
  const price = (await openwhisk().actions.invoke({ name: 'get-price', params: { id: p.id }, blocking: true, result: true })).price;
  const status = await charge(p.card, { id: p.id, amount: price });
  fs.writeFileSync('/tmp/receipt-' + p.id + '.json', JSON.stringify({ product, price, status }));
  logger.info('purchased', { id: p.id, price, status });
  return { ok: status === 201, price };
};
`;
export const GET_PRICE = `
const fs = require('fs');
module.exports.main = async (p) => {
  const catalog = JSON.parse(fs.readFileSync(__dirname + '/catalog.json', 'utf8'));
  console.log('price of', p.id);
  return { price: catalog[p.id].price };
};
`;
const ENTRY = `
const { wrapHandler } = require('./.provenance/bundle.js');
exports.main = wrapHandler(() => require('./handler.js'), 'main');
`;
const CATALOG = JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, { name: `product ${i}`, price: 10 + i }])));

export function unwrapped(handler: string): Buffer {
  const zip = new AdmZip();
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'handler.js' })));
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('catalog.json', Buffer.from(CATALOG));
  return zip.toBuffer();
}

/** The wrapper bundle the wrapped actions ship (PROVENANCE_BENCH_WRAPPER overrides it, to compare two builds). */
function wrapperBundle(): string {
  return process.env.PROVENANCE_BENCH_WRAPPER || path.join(packageRoot(), 'dist/wrapper/bundle.js');
}

export function wrapped(handler: string, bundle: string = wrapperBundle()): Buffer {
  const zip = new AdmZip();
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'entry.js' })));
  zip.addFile('entry.js', Buffer.from(ENTRY));
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('catalog.json', Buffer.from(CATALOG));
  zip.addFile('.provenance/bundle.js', fs.readFileSync(bundle));
  return zip.toBuffer();
}

type Mode = 'unwrapped' | 'none' | 'wrapper' | 'kernel' | 'floor';
export type ConfigKey = 'N' | 'A' | 'W' | 'K' | 'Kw' | 'N0' | 'A0' | 'Nl' | 'Al' | 'Kl' | 'F' | 'Ab' | 'Kb';

/**
 * The floor of any record-based provenance, for the diagnostic configuration F: a wrapper that
 * only writes what every activation must (a begin record with the activation's key, one write
 * before the handler; an end record signed with that key, one write after it) and nothing else:
 * no hooks, no ids on log lines, no records in between. Its records are the real wrapper's
 * begin and end (same fields), so the agent reads them as it reads A's.
 */
export const FLOOR_WRAPPER = `
const crypto = require('crypto'), os = require('os');
const host = os.hostname();
let cold = true;
exports.wrapHandler = (load, exportPath) => {
  let handler;
  return async function main(params) {
    const a = process.env.__OW_ACTIVATION_ID || '', r = process.env.__OW_TRANSACTION_ID || '';
    const key = crypto.randomBytes(16);
    const started = process.hrtime.bigint();
    process.stdout.write('@prov/1 ' + JSON.stringify({ t: 'begin', a, r, ts: Date.now(), s: 0, act: process.env.__OW_ACTION_NAME || '', ns: process.env.__OW_NAMESPACE || '', pid: process.pid, host, cold, k: key.toString('hex') }) + '\\n');
    cold = false;
    let ok = true;
    try {
      handler ??= load()[exportPath];
      const value = await handler(params);
      if (value && typeof value === 'object' && 'error' in value) ok = false;
      return value;
    } catch (e) {
      ok = false;
      throw e;
    } finally {
      const json = JSON.stringify({ t: 'end', a, r, ts: Date.now(), s: 1, ok, dur: Number(process.hrtime.bigint() - started) / 1e6 });
      const m = crypto.createHmac('sha256', key).update(json).digest('hex').slice(0, 16);
      process.stdout.write('@prov/1 ' + json.slice(0, -1) + ',"m":"' + m + '"}\\n');
    }
  };
};
`;

let floorBundle: string | undefined;
/** FLOOR_WRAPPER as a file, packed like the real bundle. */
function floorWrapperFile(): string {
  if (!floorBundle) {
    floorBundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-')), 'bundle.js');
    fs.writeFileSync(floorBundle, FLOOR_WRAPPER);
  }
  return floorBundle;
}

export interface ConfigSpec {
  key: ConfigKey;
  name: string;
  mode: Mode;
  /** kernel capture only: where the agent decodes, attributes and reduces (default: the platform's choice) */
  pipeline?: 'worker' | 'thread';
  /** false: the platform runs no node agent at all (nothing read, nothing shipped), to tell the agent's share from the wrapper's */
  agent?: false;
  /** where the platform runs its node agent (default: the platform's default, a worker thread) */
  agentThread?: 'worker' | 'loop';
  /** the wrapper bundle named by PROVENANCE_BENCH_WRAPPER_B instead, to compare two builds in one run */
  alternateBundle?: true;
}

export const CONFIGS: readonly ConfigSpec[] = [
  { key: 'N', name: 'N  no provenance (not wrapped)', mode: 'unwrapped' },
  { key: 'A', name: 'A  wrapper records only', mode: 'none' },
  { key: 'W', name: 'W  wrapper + fs/net/proc hooks', mode: 'wrapper' },
  { key: 'K', name: 'K  wrapper + kernel capture', mode: 'kernel' },
];

/**
 * Diagnostic configurations, chosen only by name (--only=N,N0,A,A0): N and A without any node agent
 * on the platform, so that A0 - N0 is the wrapper's own cost in the request and A - A0 against
 * N - N0 is what reading, batching and shipping the wrapper's records adds.
 */
export const NO_AGENT: readonly ConfigSpec[] = [
  { key: 'N0', name: 'N0 not wrapped, no node agent', mode: 'unwrapped', agent: false },
  { key: 'A0', name: 'A0 wrapper records, no node agent', mode: 'none', agent: false },
];

/** N, A and K with the node agent on the platform's event loop, as it ran before it got a thread of its own (--only=...,Nl,Al,Kl). */
export const AGENT_ON_LOOP: readonly ConfigSpec[] = [
  { key: 'Nl', name: "Nl N, agent on the platform's loop", mode: 'unwrapped', agentThread: 'loop' },
  { key: 'Al', name: "Al A, agent on the platform's loop", mode: 'none', agentThread: 'loop' },
  { key: 'Kl', name: "Kl K, agent on the platform's loop", mode: 'kernel', agentThread: 'loop' },
];

/** A and K with a second build of the wrapper (PROVENANCE_BENCH_WRAPPER_B), interleaved with the first (--only=N,A,Ab). */
export const ALTERNATE_BUNDLE: readonly ConfigSpec[] = [
  { key: 'Ab', name: 'Ab A, PROVENANCE_BENCH_WRAPPER_B', mode: 'none', alternateBundle: true },
  { key: 'Kb', name: 'Kb K, PROVENANCE_BENCH_WRAPPER_B', mode: 'kernel', alternateBundle: true },
];

/** The floor (--only=N,F,A): FLOOR_WRAPPER's begin and end records and nothing else. */
export const FLOOR: ConfigSpec = { key: 'F', name: 'F  floor: begin + end records only', mode: 'floor' };

/** K with the agent's kernel work on a worker thread instead of the platform's event loop. */
export const WORKER_PIPELINE: ConfigSpec = { key: 'Kw', name: 'Kw K, decoded on a worker thread', mode: 'kernel', pipeline: 'worker' };

type KernelTotals = Pick<KernelTapStats, 'records' | 'drops' | 'decodeErrors' | 'shipped' | 'reducedAway' | 'tempFiles' | 'busyMs' | 'pipeline'>;

export interface ConfigResult {
  spec: ConfigSpec;
  /** latencies of the timed requests (ms), one list per round */
  rounds: number[][];
  /** JSON bytes of the batches shipped, and the requests (untimed ones included) that produced them */
  shippedBytes: number;
  requestsServed: number;
  /** kernel capture's counters (K only) */
  kernel?: KernelTotals;
  /**
   * CPU time of the timed requests (ms): this process (the client and every platform: API,
   * invoker, agent) and the configuration's containers. Unlike latency, it hardly grows with other
   * load on the machine, so it shows what a configuration costs even when wall time cannot.
   */
  cpu: { platformMs: number; containersMs: number; requests: number; getPriceMs: number };
  /** per timed turn: how this process's time was spent (turn-probe.ts) */
  turns: TurnCost[];
  /** the platform's own record of the timed activations: duration (ms) of each purchase (get-price included) and get-price */
  durations: { purchase: number[]; getPrice: number[] };
}

export interface ActivationBenchOptions {
  /** rounds; each gives every configuration one turn */
  rounds: number;
  /** timed blocking requests per configuration per turn */
  requests: number;
  /** untimed requests per platform before the first round */
  warmup: number;
  /** untimed requests at the start of every turn (the first request after a switch pays for it) */
  untimedPerTurn: number;
  /** include K (needs root, BTF and the built addon) */
  withKernel: boolean;
  /** only these configurations (default: all that can run) */
  only?: readonly ConfigKey[];
  /** also Kw: K with the agent's kernel work on a worker thread */
  withWorkerPipeline?: boolean;
  /** diagnostic: CPU profiles of every container over the rounds (bench/container-profile.ts) */
  containerProfiling?: ContainerProfiling;
  progress?: (line: string) => void;
}

export interface ActivationBench {
  options: ActivationBenchOptions;
  configs: ConfigResult[];
  seconds: number;
}

// 20 rounds (every configuration in every position 5 times) x 4 configurations x 50 requests: about
// 45 s on this 2-core machine, so that `npm run bench` stays within about 4 minutes
export const ACTIVATION_DEFAULTS = { rounds: 20, requests: 50, warmup: 30, untimedPerTurn: 2 } as const;

/** One configuration's platform, kept running for the whole bench. */
interface Live {
  spec: ConfigSpec;
  platform: Platform;
  dir: string;
  purchase: (i: number) => Promise<number>;
  /** durations of the last `n` activations of an action, as the platform recorded them (ms) */
  durations: (action: string, n: number) => Promise<number[]>;
  shipped: { bytes: number };
  served: number;
}

async function startLive(spec: ConfigSpec, card: string, profiling?: ContainerProfiling): Promise<Live> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kernel-'));
  const shipped = { bytes: 0 };
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      storeDir: dir,
      kernelCapture: spec.mode === 'kernel',
      kernelPipeline: spec.pipeline,
      ...(spec.agentThread ? { agentThread: spec.agentThread } : {}),
      // without kernel capture, PROVENANCE_KERNEL_CAPTURE=1 alone turns the wrapper's syscall hooks off
      containerEnv: { ...(spec.mode === 'none' || spec.mode === 'unwrapped' || spec.mode === 'floor' ? { PROVENANCE_KERNEL_CAPTURE: '1' } : {}), ...(profiling?.env(spec.key) ?? {}) },
      onBatch:
        spec.agent === false
          ? undefined
          : async (b) => {
              shipped.bytes += Buffer.byteLength(JSON.stringify(b));
            },
      log: () => undefined,
    });
    if (spec.mode === 'kernel' && !platform.kernelCapture.on) throw new Error(`kernel capture is off: ${platform.kernelCapture.reason}`);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const bundle = spec.mode === 'floor' ? floorWrapperFile() : spec.alternateBundle ? process.env.PROVENANCE_BENCH_WRAPPER_B! : wrapperBundle();
    const pack = spec.mode === 'unwrapped' ? unwrapped : (h: string) => wrapped(h, bundle);
    await ow.actions.create({ name: 'purchase', action: pack(PURCHASE), kind: 'nodejs:20' } as never);
    await ow.actions.create({ name: 'get-price', action: pack(GET_PRICE), kind: 'nodejs:20' } as never);
    const durations = async (action: string, n: number): Promise<number[]> => {
      const list = (await ow.activations.list({ name: action, limit: n, docs: true } as never)) as unknown as Array<{ duration: number }>;
      return list.map((a) => a.duration);
    };
    const live: Live = { spec, platform, dir, shipped, served: 0, purchase: async () => 0, durations };
    live.purchase = async (i: number): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const r = (await ow.actions.invoke({ name: 'purchase', params: { id: `p${i % 50}`, card }, blocking: true, result: true })) as { ok: boolean };
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!r.ok) throw new Error(`${spec.key}: purchase ${i} failed: ${JSON.stringify(r)}`);
      live.served++;
      return ms;
    };
    return live;
  } catch (err) {
    await platform?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function stopLive(l: Live): Promise<void> {
  await l.platform.stop();
  fs.rmSync(l.dir, { recursive: true, force: true });
}

/** CPU time (ms) the platform's containers have used so far (user + system, from /proc; 0 for one that is gone). */
function containersCpuMs(platform: Platform, action?: string): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let ms = 0;
  for (const c of platform.containers()) {
    if (action !== undefined && !c.action.endsWith(`/${action}`)) continue;
    if (c.pid === undefined) continue;
    try {
      // fields after the command name, which may hold spaces: utime and stime are the 12th and 13th
      const fields = fs.readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ms += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // the container is gone
    }
  }
  return ms;
}

/**
 * An untimed request at the start of a turn, tried twice: after seconds of other configurations'
 * turns its platform's keep-alive socket may be closed by the server (5 s idle) just as the client
 * reuses it, which the client reports as ECONNRESET; that says nothing about the configuration.
 */
async function untimed(l: Live): Promise<void> {
  try {
    await l.purchase(l.served);
  } catch (err) {
    if (!/ECONNRESET|socket hang up/.test(String((err as Error)?.message))) throw err;
    await l.purchase(l.served);
  }
}

/** One configuration's turn in a round: capture on (K), untimed requests, timed batch, drain, capture off (K). */
async function turn(l: Live, o: ActivationBenchOptions, r: ConfigResult, probe: TurnProbe): Promise<number[]> {
  const cpu = r.cpu;
  const kernel = l.spec.mode === 'kernel';
  if (kernel) await l.platform.resumeKernelCapture();
  for (let i = 0; i < o.untimedPerTurn; i++) await untimed(l);
  const latencies: number[] = [];
  const own0 = process.cpuUsage();
  const containers0 = containersCpuMs(l.platform);
  const getPrice0 = containersCpuMs(l.platform, 'get-price');
  probe.start();
  for (let i = 0; i < o.requests; i++) latencies.push(await l.purchase(l.served));
  r.turns.push(probe.stop());
  const own = process.cpuUsage(own0);
  cpu.platformMs += (own.user + own.system) / 1000;
  cpu.containersMs += containersCpuMs(l.platform) - containers0;
  cpu.getPriceMs += containersCpuMs(l.platform, 'get-price') - getPrice0;
  cpu.requests += o.requests;
  // what the batch left to process (kernel events, agent batches) must not land in the next turn
  await l.platform.flush();
  if (kernel) await l.platform.suspendKernelCapture();
  // untimed: the platform's own durations of the timed activations (the newest first; nothing ran since)
  r.durations.purchase.push(...(await l.durations('purchase', o.requests)));
  r.durations.getPrice.push(...(await l.durations('get-price', o.requests)));
  return latencies;
}

function positive(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`benchActivations: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** Every configuration, interleaved: `rounds` rounds in rotating order, one batch of requests each. */
export async function benchActivations(options: ActivationBenchOptions): Promise<ActivationBench> {
  positive('rounds', options.rounds);
  positive('requests', options.requests);
  for (const k of ['warmup', 'untimedPerTurn'] as const) {
    if (!Number.isInteger(options[k]) || options[k] < 0) throw new Error(`benchActivations: ${k} must be 0 or more, got ${options[k]}`);
  }
  const diagnostic = [...NO_AGENT, ...AGENT_ON_LOOP, FLOOR, ...ALTERNATE_BUNDLE];
  if (options.only?.some((k) => k === 'Ab' || k === 'Kb') && !process.env.PROVENANCE_BENCH_WRAPPER_B) throw new Error('benchActivations: Ab and Kb measure the bundle named by PROVENANCE_BENCH_WRAPPER_B: set it');
  const specs = [...CONFIGS, ...diagnostic].filter(
    (c) => (options.withKernel || c.mode !== 'kernel') && (options.only ? options.only.includes(c.key) : !diagnostic.includes(c)),
  );
  if (!specs.some((c) => c.key === 'N')) throw new Error('benchActivations: N (not wrapped) is the baseline and must be among the configurations');
  if (options.withKernel && options.withWorkerPipeline) specs.push(WORKER_PIPELINE);
  const results = new Map<ConfigKey, ConfigResult>(specs.map((spec) => [spec.key, { spec, rounds: [], shippedBytes: 0, requestsServed: 0, cpu: { platformMs: 0, containersMs: 0, requests: 0, getPriceMs: 0 }, turns: [], durations: { purchase: [], getPrice: [] } }]));
  const card = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 201;
      res.end('{"authorized":true}');
    });
  });
  await new Promise<void>((r) => card.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(card.address() as { port: number }).port}/charge`;
  const lives: Live[] = [];
  const probe = new TurnProbe();
  const t0 = Date.now();
  try {
    for (const spec of specs) {
      const l = await startLive(spec, url, options.containerProfiling);
      lives.push(l);
      // K warms up capturing (its containers are followed from their first process), then waits unloaded
      for (let i = 0; i < options.warmup; i++) await l.purchase(i);
      await l.platform.flush();
      if (spec.mode === 'kernel') await l.platform.suspendKernelCapture();
    }
    options.progress?.(`activations: ${specs.length} platforms warmed up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const profiled = options.containerProfiling ? lives.flatMap((l) => l.platform.containers().map((c) => c.pid!).filter((pid) => pid !== undefined)) : [];
    const servedBefore = lives[0].served;
    toggleProfilers(profiled);
    for (let round = 0; round < options.rounds; round++) {
      const order = roundOrder(lives, round);
      for (const l of order) {
        const r = results.get(l.spec.key)!;
        r.rounds.push(await turn(l, options, r, probe));
      }
      if ((round + 1) % 6 === 0 || round + 1 === options.rounds) {
        const medians = specs.map((s) => `${s.key} ${median(results.get(s.key)!.rounds.flat()).toFixed(2)}`).join(', ');
        options.progress?.(`activations: round ${round + 1}/${options.rounds} at ${((Date.now() - t0) / 1000).toFixed(1)} s, median ms so far ${medians}`);
      }
    }
    if (options.containerProfiling) {
      toggleProfilers(profiled);
      const files = await waitForProfiles(options.containerProfiling.dir, profiled.length);
      const n = lives[0].served - servedBefore;
      options.progress?.(`activations: ${files.length} of ${profiled.length} container profiles written to ${options.containerProfiling.dir}, ${n} activations of each action`);
      for (const line of formatProfiles(readProfiles(options.containerProfiling.dir), { purchase: n, 'get-price': n })) options.progress?.(line);
    }
    for (const l of lives) {
      const r = results.get(l.spec.key)!;
      r.shippedBytes = l.shipped.bytes;
      r.requestsServed = l.served;
      const st = l.platform.kernelStats();
      if (st) r.kernel = { records: st.records, drops: st.drops, decodeErrors: st.decodeErrors, shipped: st.shipped, reducedAway: st.reducedAway, tempFiles: st.tempFiles, busyMs: st.busyMs, pipeline: st.pipeline };
    }
  } finally {
    for (const l of lives) await stopLive(l);
    card.close();
    if (floorBundle) fs.rmSync(path.dirname(floorBundle), { recursive: true, force: true });
    floorBundle = undefined;
  }
  return { options, configs: specs.map((s) => results.get(s.key)!), seconds: (Date.now() - t0) / 1000 };
}

const pct = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
const pad = (cells: string[], widths: number[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

function comparison(label: string, num: number[][], den: number[][]): string[] {
  const s = ratioSummary(num, den);
  const ci = roundBootstrapCi(num, den);
  const verdict = beyondNoise(ci);
  const says = verdict === 'within noise' ? 'the interval includes 0: not distinguishable from noise' : `${verdict} noise (the whole interval is ${verdict} 0)`;
  const all = { num: num.flat(), den: den.flat() };
  return [
    `${label}:`,
    `    medians ${pct(s.pooled)}, 95 % interval ${pct(ci.low)} .. ${pct(ci.high)} (resampling whole rounds): ${says}`,
    `    per-round ratios over ${num.length} rounds: median ${pct(s.median)}, IQR ${pct(s.q1)} .. ${pct(s.q3)}; ` +
      // the median hides work that lands on a few requests (a batch of kernel events decoded at once): the mean and p90 do not
      `means ${pct(mean(all.num) / mean(all.den))}; p90 ${pct(quantile(all.num, 0.9) / quantile(all.den, 0.9))}`,
  ];
}

/** The table and the headline comparisons, as lines of text. */
export function formatActivationBench(b: ActivationBench): string[] {
  const { rounds, requests, warmup, untimedPerTurn } = b.options;
  const byKey = new Map(b.configs.map((c) => [c.spec.key, c]));
  const base = byKey.get('N')!;
  const out: string[] = [];
  out.push(
    `hello-retail-like purchase (purchase -> get-price, file, HTTP, logs): one platform per configuration, ${warmup} warm-up requests each, ` +
      `then ${rounds} rounds in rotating order of ${requests} timed blocking requests per configuration (after ${untimedPerTurn} untimed), ` +
      `K's probe loaded only during K's turns (${b.seconds.toFixed(0)} s)`,
  );
  const w = [32, 10, 8, 8, 7, 8, 27, 12];
  out.push(pad(['configuration', 'median ms', 'mean ms', 'p90 ms', 'x N', 'x N mean', 'x N per round: median [IQR]', 'B stored/act'], w));
  const baseMean = mean(base.rounds.flat());
  for (const c of b.configs) {
    const all = c.rounds.flat();
    const s = ratioSummary(c.rounds, base.rounds);
    const perRound = c === base ? '-' : `${s.median.toFixed(3)} [${s.q1.toFixed(3)}..${s.q3.toFixed(3)}]`;
    // two activations per request (purchase and the nested get-price)
    const bytesPerActivation = Math.round(c.shippedBytes / c.requestsServed / 2);
    out.push(
      pad([c.spec.name, median(all).toFixed(2), mean(all).toFixed(2), quantile(all, 0.9).toFixed(2), `${s.pooled.toFixed(3)}x`, `${(mean(all) / baseMean).toFixed(3)}x`, perRound, String(bytesPerActivation)], w),
    );
    if (c.kernel) {
      const k = c.kernel;
      out.push(
        `    ${k.records} records (${(k.records / c.requestsServed).toFixed(1)} per request), ${k.drops} dropped, ${k.decodeErrors} undecodable, ` +
          `${k.shipped} shipped after reduction (${k.reducedAway} reduced away, ${k.tempFiles} temp files); ` +
          `agent decode+attribute+reduce: ${(k.busyMs / c.requestsServed).toFixed(3)} ms per request on ${k.pipeline === 'worker' ? 'a worker thread of its own' : c.spec.agentThread === 'loop' ? "the platform's event loop" : "the agent's thread (niced: wall time, not CPU)"}` +
          ` (${Math.round((k.records / k.busyMs) * 1000).toLocaleString('en-US')} records/s on one core)`,
      );
    }
  }
  out.push('    (B stored/act: JSON batches shipped to the correlator per activation, untimed requests included; 2 activations per request)');
  // CPU time per timed request: what each configuration costs, measured in a way other load on the machine hardly changes
  const cpuOf = (c: ConfigResult) => ({ platform: c.cpu.platformMs / c.cpu.requests, containers: c.cpu.containersMs / c.cpu.requests });
  const baseCpu = cpuOf(base);
  out.push('CPU ms per request: this process (client, API, invoker, agent) + the containers (both activations), and the total against N');
  for (const c of b.configs) {
    const x = cpuOf(c);
    const total = x.platform + x.containers;
    out.push(`    ${c.spec.name.padEnd(32)} ${x.platform.toFixed(2)} + ${x.containers.toFixed(2)} = ${total.toFixed(2)} (${(total / (baseCpu.platform + baseCpu.containers)).toFixed(3)}x N)`);
  }
  out.push(...timeBreakdown(b.configs));
  for (const [key, label] of [
    ['A', 'A vs N, what the wrapper costs a user (goal: at most +3 %, the interval at most +5 %)'],
    ['K', 'K vs N, wrapper and kernel capture together (same goal)'],
  ] as const) {
    const c = byKey.get(key);
    if (c) out.push(...comparison(label, c.rounds, base.rounds));
  }
  // the diagnostic configurations, when they ran: the floor, and a second build against N and against the first
  for (const [key, other, label] of [
    ['F', 'N', 'F vs N, the floor: begin and end records only'],
    ['Ab', 'N', 'Ab vs N, the second build (PROVENANCE_BENCH_WRAPPER_B)'],
    ['Ab', 'A', 'Ab vs A, the second build against the first'],
    ['Kb', 'N', 'Kb vs N, the second build with kernel capture'],
    ['Kb', 'K', 'Kb vs K, the second build against the first, with kernel capture'],
  ] as const) {
    const c = byKey.get(key);
    const o = byKey.get(other);
    if (c && o) out.push(...comparison(label, c.rounds, o.rounds));
  }
  const K = byKey.get('K');
  if (K) {
    for (const [other, label] of [
      ['W', "K vs W, kernel capture against the wrapper's own hooks (target: < 3 %)"],
      ['A', 'K vs A, kernel capture added to the same wrapper records, nothing else changed'],
    ] as const) {
      const o = byKey.get(other);
      if (o) out.push(...comparison(label, K.rounds, o.rounds));
    }
    const Kw = byKey.get('Kw');
    if (Kw) out.push(...comparison("Kw vs K, the agent's kernel work on a worker thread against on the platform's event loop", Kw.rounds, K.rounds));
  }
  return out;
}

/**
 * Where a request's time goes, per configuration (means over the timed requests): the platform's
 * own durations of the two activations, what is left of the latency outside the purchase
 * activation (client, API, invoker), the event loop's delay and busy share, and CPU per request
 * on the loop, on this process's other threads and in the containers.
 */
export function timeBreakdown(configs: readonly ConfigResult[]): string[] {
  const out = ['where a request\'s time goes (means; activation durations as the platform records them, whole ms each):'];
  const w = [32, 9, 10, 10, 10, 12, 11, 9, 10, 10, 12];
  out.push(pad(['configuration', 'latency', 'purchase', 'get-price', 'outside', 'loop delay', 'delay p99', 'loop busy', 'loop CPU', 'threads', 'containers: purchase+get-price'], w));
  for (const c of configs) {
    const n = c.cpu.requests;
    const avg = (xs: number[]) => (xs.length ? mean(xs) : Number.NaN);
    const lat = mean(c.rounds.flat());
    const purchase = avg(c.durations.purchase);
    out.push(
      pad(
        [
          c.spec.name,
          lat.toFixed(2),
          purchase.toFixed(2),
          avg(c.durations.getPrice).toFixed(2),
          (lat - purchase).toFixed(2),
          avg(c.turns.map((t) => t.delayMeanMs)).toFixed(3),
          avg(c.turns.map((t) => t.delayP99Ms)).toFixed(2),
          `${(avg(c.turns.map((t) => t.utilisation)) * 100).toFixed(0)} %`,
          (c.turns.reduce((a, t) => a + t.mainMs, 0) / n).toFixed(2),
          (c.turns.reduce((a, t) => a + t.otherThreadsMs, 0) / n).toFixed(2),
          `${((c.cpu.containersMs - c.cpu.getPriceMs) / n).toFixed(2)}+${(c.cpu.getPriceMs / n).toFixed(2)}`,
        ],
        w,
      ),
    );
  }
  out.push('    (ms per request; outside = latency - purchase: client, API and invoker around the purchase activation; loop delay: how late a 1 ms timer fired; loop/threads CPU: this process\'s main thread and its other threads)');
  return out;
}

/** The headline figures for bench/results.json: ratios of medians against N and the upper end of their 95 % interval. */
export function activationResults(b: ActivationBench): Record<string, number> {
  const byKey = new Map(b.configs.map((c) => [c.spec.key, c]));
  const base = byKey.get('N')!;
  const out: Record<string, number> = {};
  for (const [key, name] of [
    ['A', 'wrapper'],
    ['K', 'kernel'],
  ] as const) {
    const c = byKey.get(key);
    if (!c) continue;
    out[`activation.${name}RatioP50`] = ratioSummary(c.rounds, base.rounds).pooled;
    out[`activation.${name}Ci95High`] = roundBootstrapCi(c.rounds, base.rounds).high;
  }
  return out;
}

function intArg(i: number, name: string, dflt: number): number {
  // `--requests N` / `--rounds N`, or the same positionally (requests first)
  const flag = process.argv.indexOf(`--${name.split(' ')[0]}`);
  const positional = process.argv.slice(2).filter((a, j, all) => !a.startsWith('--') && !(j > 0 && /^--(requests|rounds|container-cpu-prof)$/.test(all[j - 1])));
  const raw = flag >= 0 ? process.argv[flag + 1] : positional[i];
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return v;
}

async function main() {
  const requests = intArg(0, 'requests per turn', ACTIVATION_DEFAULTS.requests);
  const rounds = intArg(1, 'rounds', ACTIVATION_DEFAULTS.rounds);
  const withWorkerPipeline = process.argv.includes('--compare-pipelines');
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? (onlyArg.slice('--only='.length).split(',') as ConfigKey[]) : undefined;
  const profArg = process.argv.indexOf('--container-cpu-prof');
  const containerProfiling = profArg >= 0 ? prepareContainerProfiling(process.argv[profArg + 1]) : undefined;
  const b = await benchActivations({ ...ACTIVATION_DEFAULTS, rounds, requests, withKernel: true, withWorkerPipeline, only, containerProfiling, progress: (l) => process.stderr.write(`${l}\n`) });
  for (const line of formatActivationBench(b)) console.log(line);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench/kernel-activations: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
