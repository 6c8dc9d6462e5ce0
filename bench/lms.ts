// Bench for log message strings (LMS): analysis time per action and on a large real-world
// tree, matching throughput (lines/s on one core), share of lines matched, and bytes stored as
// template id + values against raw text, for log lines printed by a real run of a generated action.
// Run: npx tsx bench/lms.ts [lines]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeAction } from '../lms/analyze';
import { createMatcher } from '../lms/matcher';
import { checkSequence } from '../lms/sequence';

const LINES = Number(process.argv[2] ?? 200_000);
const root = path.resolve(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lms-bench-'));

// A purchase-like action (hello-retail shape): a logger helper, winston json, a batch loop with I/O.
fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"bench-action"}');
fs.writeFileSync(
  path.join(dir, 'log.js'),
  `const winston = require('winston');
const logger = winston.createLogger({ format: winston.format.combine(winston.format.splat(), winston.format.json()), transports: [new winston.transports.Console()] });
function audit(event, ...rest) { console.log('[audit] ' + event, ...rest); }
module.exports = { logger, audit };`,
);
fs.writeFileSync(
  path.join(dir, 'index.js'),
  `const { logger, audit } = require('./log');
const fs = require('fs');
exports.main = async function main(params) {
  audit('purchase started for user %s', params.user);
  let total = 0;
  for (const item of params.items) {
    logger.info('pricing product %s (%s) qty %d', item.id, item.category, item.qty);
    const price = item.qty * item.unit;
    if (price > 100) console.warn(\`large line item \${item.id}: \${price} USD\`);
    await fs.promises.appendFile(params.ledger, item.id + '\\n');
    total += price;
    audit('item %s stored at %d', item.id, Date.now());
  }
  console.log('authorize card ending %s for %f USD', params.card.slice(-4), total);
  if (!params.ok) { console.error('card %s declined: %j', params.card.slice(-4), { code: 51 }); return { ok: false }; }
  console.log('purchase %s complete in %d ms', params.id, 12);
  return { ok: true };
};`,
);
const entry = path.join(dir, 'index.js');

function time<T>(f: () => T): { v: T; ms: number } {
  const t = performance.now();
  const v = f();
  return { v, ms: performance.now() - t };
}

analyzeAction(entry); // warm the compiler
const runs = Array.from({ length: 10 }, () => time(() => analyzeAction(entry)).ms).sort((a, b) => a - b);
const profile = analyzeAction(entry);
const large = path.join(root, 'node_modules/serverless/lib/serverless.js');
const big = fs.existsSync(large) ? time(() => analyzeAction(large)) : undefined;

// Real log lines: run the action for many activations with varied inputs, both streams in order.
const activations = Math.max(1, Math.ceil(LINES / 12));
fs.writeFileSync(
  path.join(dir, 'run.js'),
  `const m = require('./index.js');
const ledger = require('os').tmpdir() + '/lms-bench-ledger-' + process.pid;
(async () => {
  for (let a = 0; a < ${activations}; a++) {
    const items = Array.from({ length: 1 + (a % 4) }, (_, i) => ({ id: 'p-' + a + '-' + i, category: ['books', 'toys', 'food'][i % 3], qty: 1 + ((a + i) % 7), unit: 9.5 + (a % 50) }));
    await m.main({ user: 'user' + (a % 997), items, ledger, card: '4111111111111' + String(a % 1000).padStart(3, '0'), ok: a % 10 !== 0, id: 'o-' + a });
  }
  require('fs').rmSync(ledger, { force: true });
})();`,
);
const raw = execFileSync('sh', ['-c', `"${process.execPath}" run.js 2>&1`], { cwd: dir, env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') }, encoding: 'utf8', maxBuffer: 1 << 30 });
const lines = raw.split('\n').filter((l) => l !== '');

const m = createMatcher(profile);
let matched = 0;
let stored = 0;
let compact = 0;
const envelopes = new Map<string, number>();
const ordinal = new Map(profile.templates.map((tpl, i) => [tpl.id, i]));
let rawBytes = 0;
let prev: string | undefined;
const ids: string[] = [];
const t = performance.now();
for (const line of lines) {
  const r = m.match(line, prev);
  rawBytes += Buffer.byteLength(line) + 1;
  if (r) {
    matched++;
    prev = r.templateId;
    ids.push(r.templateId);
    stored += Buffer.byteLength(JSON.stringify(r.envelope ? { t: r.templateId, v: r.values, e: r.envelope } : { t: r.templateId, v: r.values })) + 1;
    // compact: template ordinal, envelope ordinal (envelopes repeat), values; unit-separated
    let e = '';
    if (r.envelope !== undefined) {
      if (!envelopes.has(r.envelope)) envelopes.set(r.envelope, envelopes.size);
      e = String(envelopes.get(r.envelope));
    }
    compact += Buffer.byteLength([ordinal.get(r.templateId), e, ...r.values].join('\x1f')) + 1;
  } else {
    stored += Buffer.byteLength(line) + 1;
    compact += Buffer.byteLength(line) + 1;
  }
}
const matchMs = performance.now() - t;
let exact = 0;
let pi: string | undefined;
for (const line of lines) {
  const r = m.match(line, pi);
  if (r) pi = r.templateId;
  if (r && m.render(r.templateId, r.values, r.envelope) === line) exact++;
}
const templateBytes = Buffer.byteLength(JSON.stringify(profile.templates));
fs.rmSync(dir, { recursive: true, force: true });

const row = (k: string, v: string): void => console.log(`${k.padEnd(48)} ${v}`);
console.log('lms bench');
row('analysis, one action (2 files), median of 10', `${runs[5]!.toFixed(1)} ms (min ${runs[0]!.toFixed(1)})`);
if (big) row(`analysis, serverless/lib (${big.v.stats.files} files, ${big.v.stats.logCalls} log calls)`, `${big.ms.toFixed(0)} ms`);
row('templates / sites / edges of the action', `${profile.templates.length} / ${profile.cfg.sites.length} / ${profile.stats.edges}`);
row('log lines (real run, stdout+stderr)', `${lines.length} from ${activations} activations`);
row('matched', `${((100 * matched) / lines.length).toFixed(2)} %`);
row('reconstructed exactly', `${exact} / ${matched}`);
row('matching throughput, one core', `${Math.round(lines.length / (matchMs / 1000)).toLocaleString('en-US')} lines/s`);
row('raw bytes', `${rawBytes}`);
row('stored bytes (template id + values; raw if unmatched)', `${stored} (ratio ${(stored / rawBytes).toFixed(3)})`);
row('stored bytes, compact (ordinals, shared envelopes)', `${compact} (ratio ${(compact / rawBytes).toFixed(3)})`);
row('  + templates and envelopes once', `${templateBytes + [...envelopes.keys()].join('').length} bytes`);
// activations start with the "purchase started" template: split there and check each sequence
const startId = profile.templates.find((x) => x.text.startsWith('[audit] purchase started'))!.id;
const perActivation: string[][] = [];
for (const id of ids) {
  if (id === startId || perActivation.length === 0) perActivation.push([]);
  perActivation[perActivation.length - 1]!.push(id);
}
const deviations = perActivation.reduce((n, seq) => n + checkSequence(profile, seq).length, 0);
row('deviations in normal activations (should be 0)', `${deviations} over ${perActivation.length} activations`);
