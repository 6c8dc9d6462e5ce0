// Activation latency with and without kernel capture, on the embedded platform, for a
// hello-retail-like purchase: the wrapped `purchase` action invokes `get-price` (a nested blocking
// activation through the openwhisk client), reads its catalog file, writes a receipt under /tmp,
// logs through console and winston, and POSTs the charge to a local card processor over HTTP.
// The invoker's whole provenance path runs as in production (wrapper, agent, kernel tap: decode,
// attribute, reduce, batch); batches are serialised as for shipping but not ingested, since the
// correlator runs elsewhere. Configurations, in this order:
//   N  no provenance: the handler is not wrapped at all
//   A  wrapper records only, its fs/net/process hooks off, no kernel capture
//   W  the wrapper's own fs/net/process hooks (what runs where kernel capture cannot)
//   K  kernel capture: wrapper records + the eBPF probe on the containers' cgroups + the agent's kernel path
//   N' the first configuration again (drift check)
// Ratios are against the mean of N and N'. bench/index.ts runs this as part of `npm run bench`.
//   npx tsx bench/kernel-activations.ts [requests]     (as root, after npm run build and kmod-build)
import AdmZip from 'adm-zip';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import openwhisk from 'openwhisk';
import { startPlatform, type Platform } from '../invokers/local/index';
import { packageRoot } from '../kmod/paths';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const WARMUP = 5;

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
const GET_PRICE = `
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

function unwrapped(handler: string): Buffer {
  const zip = new AdmZip();
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'handler.js' })));
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('catalog.json', Buffer.from(CATALOG));
  return zip.toBuffer();
}

function wrapped(handler: string): Buffer {
  const zip = new AdmZip();
  zip.addFile('package.json', Buffer.from(JSON.stringify({ name: 'action', main: 'entry.js' })));
  zip.addFile('entry.js', Buffer.from(ENTRY));
  zip.addFile('handler.js', Buffer.from(handler));
  zip.addFile('catalog.json', Buffer.from(CATALOG));
  zip.addFile('.provenance/bundle.js', fs.readFileSync(path.join(packageRoot(), 'dist/wrapper/bundle.js')));
  return zip.toBuffer();
}

export interface Run {
  name: string;
  latencies: number[];
  /** bytes of batches shipped per request (JSON) */
  bytesPerRequest: number;
  kernel?: string;
}

type Mode = 'unwrapped' | 'none' | 'wrapper' | 'kernel';

async function runConfig(name: string, mode: Mode, card: string, requests: number): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kernel-'));
  let shipped = 0;
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      storeDir: dir,
      kernelCapture: mode === 'kernel',
      // without kernel capture, PROVENANCE_KERNEL_CAPTURE=1 alone turns the wrapper's syscall hooks off
      containerEnv: mode === 'none' || mode === 'unwrapped' ? { PROVENANCE_KERNEL_CAPTURE: '1' } : {},
      onBatch: async (b) => {
        shipped += Buffer.byteLength(JSON.stringify(b));
      },
      log: () => undefined,
    });
    if (mode === 'kernel' && !platform.kernelCapture.on) throw new Error(`kernel capture is off: ${platform.kernelCapture.reason}`);
    const ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
    const pack = mode === 'unwrapped' ? unwrapped : wrapped;
    await ow.actions.create({ name: 'purchase', action: pack(PURCHASE), kind: 'nodejs:20' } as never);
    await ow.actions.create({ name: 'get-price', action: pack(GET_PRICE), kind: 'nodejs:20' } as never);
    const latencies: number[] = [];
    for (let i = 0; i < WARMUP + requests; i++) {
      const t0 = process.hrtime.bigint();
      const r = (await ow.actions.invoke({ name: 'purchase', params: { id: `p${i % 50}`, card }, blocking: true, result: true })) as { ok: boolean };
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!r.ok) throw new Error(`purchase ${i} failed: ${JSON.stringify(r)}`);
      if (i >= WARMUP) latencies.push(ms);
      if ((i + 1) % 25 === 0) process.stderr.write(`${name}: ${i + 1}/${WARMUP + requests} at ${new Date().toISOString()}\n`);
    }
    process.stderr.write(`${name}: flushing at ${new Date().toISOString()}\n`);
    await platform.flush();
    const st = platform.kernelStats();
    const kernel = st
      ? `${st.records} records, ${st.drops} dropped, ${st.shipped} shipped after reduction (${st.reducedAway} reduced away, ${st.tempFiles} temp files)`
      : undefined;
    return { name, latencies, bytesPerRequest: shipped / (WARMUP + requests), kernel };
  } finally {
    await platform?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}


export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

export interface ActivationBench {
  runs: Run[];
  /** median and mean of the unwrapped runs (N and N') */
  baseMedian: number;
  baseMean: number;
}

/** The five configurations, one after the other, `requests` blocking purchases each. */
export async function benchActivations(requests: number, withKernel: boolean): Promise<ActivationBench> {
  const card = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 201;
      res.end('{"authorized":true}');
    });
  });
  await new Promise<void>((r) => card.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(card.address() as { port: number }).port}/charge`;
  try {
    const runs = [
      await runConfig('N  no provenance (not wrapped)', 'unwrapped', url, requests),
      await runConfig('A  wrapper records only', 'none', url, requests),
      await runConfig('W  wrapper + fs/net/proc hooks', 'wrapper', url, requests),
    ];
    if (withKernel) runs.push(await runConfig('K  wrapper + kernel capture', 'kernel', url, requests));
    runs.push(await runConfig("N' not wrapped again (drift)", 'unwrapped', url, requests));
    const last = runs[runs.length - 1];
    return {
      runs,
      baseMedian: (median(runs[0].latencies) + median(last.latencies)) / 2,
      baseMean: (mean(runs[0].latencies) + mean(last.latencies)) / 2,
    };
  } finally {
    card.close();
  }
}

async function main() {
  const requests = Number(process.argv[2] ?? 60);
  const { runs, baseMedian: base, baseMean } = await benchActivations(requests, true);
  console.log(`hello-retail-like purchase (purchase -> get-price, file, HTTP, logs): ${requests} blocking requests per configuration after ${WARMUP} warm-up, one run`);
  console.log(`${'configuration'.padEnd(32)} ${'median ms'.padStart(10)} ${'mean ms'.padStart(9)} ${'p90 ms'.padStart(8)} ${'ratio(median)'.padStart(14)} ${'ratio(mean)'.padStart(12)} ${'B/request'.padStart(10)}  note`);
  for (const r of runs) {
    console.log(
      `${r.name.padEnd(32)} ${median(r.latencies).toFixed(2).padStart(10)} ${mean(r.latencies).toFixed(2).padStart(9)} ${p90(r.latencies).toFixed(2).padStart(8)} ${(median(r.latencies) / base).toFixed(3).padStart(13)}x ${(mean(r.latencies) / baseMean).toFixed(3).padStart(11)}x ${Math.round(r.bytesPerRequest).toString().padStart(10)}  ${r.kernel ?? ''}`,
    );
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench/kernel-activations: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
