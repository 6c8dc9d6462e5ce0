// A short seeded run of every fuzz target (bench/fuzz.ts runs a million inputs each): hostile
// input never crashes a parser, never hangs it, never passes for valid, and the generators really
// reach both sides of each parser's checks (some inputs accepted, several distinct rejections).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPlatform } from '../invokers/local/index';
import { formatReport, runSync } from '../bench/fuzz-run';
import { SYNC_TARGETS } from '../bench/fuzz-targets';
import { runRestFuzz } from '../bench/fuzz-rest';

const RUNS = 2500;
const SEED = 20261203;

describe('fuzzing the parsers of hostile input (seeded short run)', () => {
  it.each(SYNC_TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    const r = runSync(target, RUNS, SEED);
    console.log(formatReport(r).split('\n').slice(0, 6).join('\n'));
    expect(r.examples, formatReport(r)).toEqual([]);
    expect(r.crashes).toBe(0);
    expect(r.hangs).toBe(0);
    expect(r.accepted).toBeGreaterThan(RUNS / 20);
    expect(r.rejected.size).toBeGreaterThanOrEqual(1);
    expect(r.inputs - r.accepted).toBeGreaterThan(RUNS / 20);
  }, 120_000);

  it('rest-api: the embedded platform on 127.0.0.1 answers every generated request without a crash, a hang or a 5xx other than 502', async () => {
    const r = await runRestFuzz(400, SEED);
    console.log(formatReport(r).split('\n').slice(0, 12).join('\n'));
    expect(r.examples, formatReport(r)).toEqual([]);
    expect(r.accepted).toBeGreaterThan(10);
    expect(r.rejected.size).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('rest-api: a request target starting with // (found by the fuzzer: it was read as a host name, a 500) is a 4xx', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-target-'));
    const platform = await startPlatform({ storeDir: dir, port: 0, kernelCapture: false, log: () => {} });
    try {
      const { port } = new URL(platform.apihost);
      for (const target of ['///%F1%8E%A3%97/', '//%zz/x', '*']) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: target, headers: { authorization: `Basic ${Buffer.from(platform.auth).toString('base64')}` } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end();
        });
        expect(status, target).toBeGreaterThanOrEqual(400);
        expect(status, target).toBeLessThan(500);
      }
    } finally {
      await platform.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
