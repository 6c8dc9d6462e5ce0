// Bench of log message strings (LMS) on real hello-retail logs: deploys the shop with the real Serverless CLI (the
// plugin analyses each function and stores its profile) on the embedded platform, runs the demo's
// traffic ROUNDS times (each batch ingested as the deployed correlator action does, detection after
// each; a warm process remembers what detection read, so this part costs seconds, not minutes), and
// measures on the log lines the actions really printed:
//   bytes stored as template + values (as the store keeps them, and in a compact form) against raw
//   text, share of lines matched and rebuilt exactly, matching throughput on one core (the
//   correlator's own matcher, LMS-CFG position included), analysis time per action, and the
//   analyser on a large real-world tree (node_modules/serverless).
// Run: npx tsx bench/lms-hello-retail.ts [rounds]     (default 5; ~11 requests per round)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ingestBatch } from '../correlator/index';
import { classifyLine } from '../correlator/ingest/classify';
import type { Batch } from '../protocol/batch';
import { demoPlan, driveTraffic, newRunId } from '../examples/hello-retail/traffic';
import { startHelloRetail } from '../test/hello-retail-harness';
import { analyzeAction } from '../lms/analyze';
import { createMatcher, type LmsMatcher } from '../lms/matcher';
import type { LmsProfile } from '../lms/types';

const ROUNDS = Number(process.argv[2] ?? 5);
const SERVICE = resolve(__dirname, '..', 'examples', 'hello-retail');
const ACTIONS: Array<[string, string]> = [
  ['product-register', 'actions/catalog.js#register'],
  ['product-lookup', 'actions/catalog.js#lookup'],
  ['get-price', 'actions/get-price.js#main'],
  ['authorize-cc', 'actions/authorize-cc.js#main'],
  ['purchase', 'actions/purchase.js#main'],
  ['publish', 'actions/publish.js#main'],
  ['restock', 'actions/restock.js#main'],
];

interface Line {
  activation: string;
  text: string;
}

async function collect(): Promise<{ lines: Line[]; profileOf: Map<string, string>; profiles: Map<string, LmsProfile>; requests: number }> {
  const batches: Batch[] = [];
  const shop = await startHelloRetail({
    prefix: 'lms-bench-hr-',
    sink:
      ({ store }) =>
      async (batch) => {
        batches.push(batch);
        await ingestBatch(batch, store);
      },
  });
  try {
    let requests = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const outcomes = await driveTraffic(shop.access, demoPlan(), newRunId());
      requests += outcomes.length;
    }
    await shop.platform.flush();
    const lines: Line[] = [];
    const profileOf = new Map<string, string>();
    for (const b of batches) {
      for (const l of b.lines) {
        const cls = classifyLine(l.line);
        if (cls.kind === 'log') lines.push({ activation: cls.activationId, text: cls.text });
        else if (cls.kind === 'record') {
          const p = cls.parsed;
          if ('record' in p && p.record.t === 'begin' && p.record.lp) profileOf.set(p.record.a, p.record.lp);
        }
      }
    }
    const profiles = await shop.store.getProfiles([...new Set(profileOf.values())]);
    return { lines, profileOf, profiles, requests };
  } finally {
    await shop.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const { lines, profileOf, profiles, requests } = await collect();
  const matchers = new Map<string, LmsMatcher>([...profiles].map(([h, p]) => [h, createMatcher(p)]));
  const ordinals = new Map<string, Map<string, number>>([...profiles].map(([h, p]) => [h, new Map(p.templates.map((t, i) => [t.id, i]))]));

  let raw = 0;
  let asStored = 0;
  let compact = 0;
  let matched = 0;
  let exact = 0;
  let jsonLines = 0;
  const envelopes = new Map<string, number>();
  const prev = new Map<string, string | undefined>();
  for (const l of lines) {
    const bytes = Buffer.byteLength(l.text, 'utf8');
    raw += bytes;
    const hash = profileOf.get(l.activation);
    const m = hash ? matchers.get(hash) : undefined;
    const r = m?.match(l.text, prev.get(l.activation));
    if (!r || !m) {
      asStored += bytes;
      compact += bytes + 1;
      continue;
    }
    matched++;
    prev.set(l.activation, r.templateId);
    if (m.render(r.templateId, r.values, r.envelope) === l.text) exact++;
    // what the store keeps instead of `text`: the template attribute, valuesJson, and envelope if any
    asStored += Buffer.byteLength(r.templateId) + Buffer.byteLength(JSON.stringify(r.values)) + (r.envelope ? Buffer.byteLength(r.envelope) : 0);
    let e = '';
    if (r.envelope !== undefined) jsonLines++;
    if (r.envelope !== undefined) {
      if (!envelopes.has(r.envelope)) envelopes.set(r.envelope, envelopes.size);
      e = String(envelopes.get(r.envelope));
    }
    compact += Buffer.byteLength([ordinals.get(hash!)!.get(r.templateId), e, ...r.values].join('\x1f')) + 1;
  }

  // throughput: the whole set matched again and again for at least a second, on this one thread
  let passes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000 || passes < 3) {
    const p = new Map<string, string | undefined>();
    for (const l of lines) {
      const hash = profileOf.get(l.activation);
      const r = hash ? matchers.get(hash)!.match(l.text, p.get(l.activation)) : undefined;
      if (r) p.set(l.activation, r.templateId);
    }
    passes++;
  }
  const perSecond = (lines.length * passes) / ((performance.now() - t0) / 1000);

  const analysis = ACTIONS.map(([fn, spec]) => {
    const [file, handler] = spec.split('#') as [string, string];
    analyzeAction(join(SERVICE, file), { handler });
    const times: number[] = [];
    let p: LmsProfile | undefined;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      p = analyzeAction(join(SERVICE, file), { handler });
      times.push(performance.now() - t);
    }
    return { fn, ms: median(times), p: p! };
  });
  const bigEntry = resolve(__dirname, '..', 'node_modules', 'serverless', 'lib', 'serverless.js');
  let big: { ms: number; p: LmsProfile } | undefined;
  if (existsSync(bigEntry)) {
    const t = performance.now();
    const p = analyzeAction(bigEntry);
    big = { ms: performance.now() - t, p };
  }

  const row = (k: string, v: string): void => console.log(`${k.padEnd(58)} ${v}`);
  console.log(`lms bench on hello-retail: ${ROUNDS} round(s) of the demo traffic, ${requests} requests, ${profileOf.size} activations`);
  row('log lines printed (all activations)', String(lines.length));
  row('matched to a template', `${matched} (${((100 * matched) / Math.max(1, lines.length)).toFixed(2)} %)`);
  row('rebuilt byte for byte', `${exact} / ${matched}`);
  row('raw text bytes', String(raw));
  row('stored as template + values JSON (+ envelope)', `${asStored} (ratio ${(asStored / raw).toFixed(3)})`);
  // the compact form refers to each distinct envelope by number: the envelopes themselves are stored once
  const envelopeBytes = [...envelopes.keys()].reduce((n, e) => n + Buffer.byteLength(e) + 1, 0);
  row('compact (template ordinal, envelope number, values)', `${compact} (ratio ${(compact / raw).toFixed(3)})`);
  row(`  + ${envelopes.size} distinct JSON envelopes once`, `${envelopeBytes} (compact + envelopes: ratio ${((compact + envelopeBytes) / raw).toFixed(3)})`);
  row('lines that are JSON (winston) matched on their message', String(jsonLines));
  row('  + the profiles once (JSON)', `${[...profiles.values()].reduce((n, p) => n + Buffer.byteLength(JSON.stringify(p)), 0)} bytes`);
  row('matching throughput, one core', `${Math.round(perSecond).toLocaleString('en-US')} lines/s`);
  for (const a of analysis) row(`analysis ${a.fn} (${a.p.stats.files} files, ${a.p.stats.templates} templates), median of 5`, `${a.ms.toFixed(1)} ms`);
  if (big) row(`analysis node_modules/serverless (${big.p.stats.files} files, ${big.p.stats.logCalls} log calls)`, `${(big.ms / 1000).toFixed(2)} s`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
