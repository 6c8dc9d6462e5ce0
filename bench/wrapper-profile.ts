// Where one warm activation's time goes inside the wrapper, in-process, without the platform: a
// hello-retail-like handler (console line, catalog file read, HTTP POST to a local server, receipt
// file write, winston line) called in a loop, not wrapped and wrapped (wrapper records only, as
// with kernel capture: PROVENANCE_KERNEL_CAPTURE=1), each in fresh child processes taking turns,
// stdout into a pipe as in a container. Reports CPU time per activation (this process's user +
// system time: other load on the machine does not count against it) and the wall-clock median;
// `--cpu-prof DIR` also writes a V8 CPU profile of each child (DIR/not-wrapped, DIR/<bundle>) for
// a closer look (bench/README.md says how they were read).
// `--handler invoke` adds (a)'s nested blocking invoke through the openwhisk client (the child
// answers it as the platform's API would); `--handler empty` runs a handler that does nothing: what is left is the wrapper's
// per-activation minimum (begin and end records, their MACs, the activation context) and the sentinel.
//   npx tsx bench/wrapper-profile.ts [--activations N] [--runs N] [--bundle a.js,b.js] [--handler purchase|invoke|empty] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './interleave';
import { packageRoot } from '../package/root';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';

/** The floor: a handler that does nothing, so what is left is the wrapper's minimum (begin, end, MAC, context) and the sentinel. */
const EMPTY_HANDLER = `module.exports.main = async (p) => ({ ok: true, id: p.id });\n`;

const HANDLER = `
const fs = require('fs'), http = require('http'), winston = require('winston');
const logger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Console()] });
const agent = new http.Agent({ keepAlive: true });
function charge(url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
module.exports.main = async (p) => {
  console.log('purchase of', p.id);
  const product = JSON.parse(fs.readFileSync(__dirname + '/catalog.json', 'utf8'))[p.id];
  const status = await charge(p.card, { id: p.id, amount: 1 });
  fs.writeFileSync(__dirname + '/receipt-' + p.id + '.json', JSON.stringify({ product, status }));
  logger.info('purchased', { id: p.id, status });
  return { ok: status === 201 };
};
`;

/** (a)'s purchase as a whole: the same handler with its nested blocking invoke through the openwhisk client (answered by the child). */
const INVOKE_HANDLER = HANDLER.replace("winston = require('winston');", "winston = require('winston'), openwhisk = require('openwhisk');").replace(
  '  const status = await charge',
  "  const price = (await openwhisk().actions.invoke({ name: 'get-price', params: { id: p.id }, blocking: true, result: true })).price;\n  const status = await charge",
);
const HANDLERS: Record<string, string> = { purchase: HANDLER, invoke: INVOKE_HANDLER, empty: EMPTY_HANDLER };

// The child: serves the card processor, loads the handler (wrapped or not), runs it N times,
// writes the sentinel after each activation as the runtime does, reports on fd 3.
const CHILD = `
const http = require('http'), fs = require('fs');
const [dir, bundle, n] = process.argv.slice(2); const N = Number(n);
// the card processor, and the platform's API for the nested invoke (a blocking invoke's activation)
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => {
  if (req.url.startsWith('/api/v1/')) { res.setHeader('content-type', 'application/json'); res.end('{"activationId":"c0ffee","response":{"status":"success","statusCode":0,"success":true,"result":{"price":11}}}'); return; }
  res.statusCode = 201; res.end('{}');
}); });
server.listen(0, '127.0.0.1', async () => {
  const card = 'http://127.0.0.1:' + server.address().port + '/charge';
  process.env.__OW_API_HOST = 'http://127.0.0.1:' + server.address().port; process.env.__OW_API_KEY = 'user:secret';
  const main = bundle ? require(bundle).wrapHandler(() => require(dir + '/handler.js'), 'main') : require(dir + '/handler.js').main;
  const lat = []; let cpu0;
  for (let i = 0; i < N; i++) {
    process.env.__OW_ACTIVATION_ID = 'act' + i; process.env.__OW_TRANSACTION_ID = 'req' + i;
    if (i === N / 4) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await main({ id: 'p' + (i % 50), card });
    process.stdout.write('${ACTIVATION_SENTINEL}\\n');
    process.stderr.write('${ACTIVATION_SENTINEL}\\n');
    lat.push(performance.now() - t0);
  }
  const c = process.cpuUsage(cpu0); const timed = N - N / 4;
  lat.splice(0, N / 4); lat.sort((a, b) => a - b);
  fs.writeSync(3, JSON.stringify({ cpuUs: (c.user + c.system) / timed, wallUs: lat[lat.length >> 1] * 1000 }));
  server.close();
});
`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runChild(dir: string, bundle: string | undefined, n: number, profDir?: string): Promise<{ cpuUs: number; wallUs: number }> {
  return new Promise((resolve, reject) => {
    const into = profDir && path.join(profDir, bundle ? path.basename(path.dirname(bundle)) + '-' + path.basename(bundle, '.js') : 'not-wrapped');
    const args = [...(into ? ['--cpu-prof', `--cpu-prof-dir=${into}`] : []), path.join(dir, 'child.js'), dir, bundle ?? '', String(n)];
    const env = { ...process.env, NODE_PATH: path.join(packageRoot(), 'node_modules'), PROVENANCE_KERNEL_CAPTURE: '1' };
    const p = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    // drained like the platform drains a container's stdout and stderr: into nothing
    p.stdout!.resume();
    p.stderr!.resume();
    let report = '';
    (p.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (report += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 && report ? resolve(JSON.parse(report)) : reject(new Error(`profile child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const n = Number(arg('activations') ?? 4000);
  const runs = Number(arg('runs') ?? 5);
  const bundles = (arg('bundle') ?? path.join(packageRoot(), 'dist/wrapper/bundle.js')).split(',').map((b) => path.resolve(b));
  const profDir = arg('cpu-prof');
  const handlerName = arg('handler') ?? 'purchase';
  if (!HANDLERS[handlerName]) throw new Error(`--handler must be one of ${Object.keys(HANDLERS).join(', ')}, got ${handlerName}`);
  if (!Number.isInteger(n) || n < 4 || n % 4 !== 0) throw new Error(`--activations must be a multiple of 4, got ${n}`);
  for (const b of bundles) if (!fs.existsSync(b)) throw new Error(`${b} does not exist: run npm run build`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapper-profile-'));
  try {
    fs.writeFileSync(path.join(dir, 'handler.js'), HANDLERS[handlerName]);
    fs.writeFileSync(path.join(dir, 'child.js'), CHILD);
    fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, { price: 10 + i }]))));
    const configs: Array<{ name: string; bundle?: string }> = [{ name: 'not wrapped' }, ...bundles.map((b) => ({ name: `wrapped (${path.relative(process.cwd(), b)})`, bundle: b }))];
    const results = new Map(configs.map((c) => [c.name, [] as Array<{ cpuUs: number; wallUs: number }>]));
    for (let r = 0; r < runs; r++) {
      for (const c of configs) results.get(c.name)!.push(await runChild(dir, c.bundle, n, profDir));
    }
    const base = median(results.get('not wrapped')!.map((x) => x.cpuUs));
    console.log(`one warm activation in-process (${handlerName} handler), ${n - n / 4} timed of ${n} per run, ${runs} runs taking turns (medians)`);
    for (const c of configs) {
      const cpu = median(results.get(c.name)!.map((x) => x.cpuUs));
      const wall = median(results.get(c.name)!.map((x) => x.wallUs));
      console.log(`  ${c.name.padEnd(60)} CPU ${cpu.toFixed(1).padStart(7)} us/activation${c.bundle ? ` (+${(cpu - base).toFixed(1)})` : ''}, wall median ${wall.toFixed(1)} us`);
    }
    if (profDir) console.log(`CPU profiles of every run in ${profDir}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench/wrapper-profile: ${(e as Error).message}`);
  process.exit(1);
});
