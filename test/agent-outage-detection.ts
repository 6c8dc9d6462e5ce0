// What one detection run of the agent's sink costs as a container's history grows: a store (dynalite
// on 127.0.0.1) filled through the real correlator with N activations shaped like the outage run's
// (two containers; each activation reads the same program and library files, writes and reads back
// its own /tmp file), then one more activation and the detection run it causes, timed, with the
// store calls it made counted by kind. A run's cost must not grow with N.
//
//   npx tsx test/agent-outage-detection.ts --sizes 100,300,1000
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSink } from '../correlator/local-sink';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import type { Batch, ContainerInfo } from '../protocol/batch';
import { openStore, startLocalDynamo, type ProvenanceStore } from '../store/index';
import { countedStore } from './counted-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const INVOKER = 'inv0';
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
/** what every activation of the outage run reads (the kernel sees the loader, libc, cat, node's files) */
const COMMON = ['/usr/bin/cat', '/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/local/bin/node', '/etc/ld.so.cache', '/action/index.js', '/action/node_modules/wrapper.js', '/etc/hosts'];

const info = (container: string): ContainerInfo => ({ container, invoker: INVOKER, action: `/_/outage-${container}`, started: T0 - 1000 });

/** Activation n: in container c0 or c1, one batch, as the agent ships it at the activation's end. */
export function outageActivation(n: number): Batch {
  const container = `c${n % 2}`;
  const t = T0 + n * 200;
  const w = new ActivationWriter(`act-${n}`, `req-${n}`, String(n % 10).repeat(32));
  const out = new ContainerOutput(info(container));
  out.write(w.begin(t, { act: `/_/outage-${container}`, ns: '_', pid: 10 + (n % 2), host: container, cold: n < 2 }), t);
  COMMON.forEach((path, i) => out.write(w.record({ t: 'fs', op: 'read', path, n: 100 }, t + 1 + i), t + 1 + i));
  out.write(w.record({ t: 'fs', op: 'write', path: `/tmp/outage-${n}`, n: 4 }, t + 20), t + 20);
  out.write(w.record({ t: 'fs', op: 'read', path: `/tmp/outage-${n}`, n: 4 }, t + 21), t + 21);
  out.write(w.log(`hello ${n}`), t + 22);
  out.write(w.record({ t: 'end', ok: true, dur: 30 }, t + 30), t + 30).sentinel(t + 31);
  return makeBatch(INVOKER, n, [out]);
}

export interface RunCost {
  n: number;
  /** the first detection run over the whole filled history, ms */
  firstMs: number;
  /** one more activation's detection run, ms */
  nextMs: number;
  nextCalls: Record<string, number>;
}

export async function measure(sizes: readonly number[]): Promise<RunCost[]> {
  const root = mkdtempSync(join(tmpdir(), 'prov-outage-detection-'));
  const dynamo = await startLocalDynamo(root);
  const out: RunCost[] = [];
  try {
    for (const n of sizes) {
      const calls = new Map<string, number>();
      const store = countedStore(await openStore({ endpoint: dynamo.endpoint, table: `detect-${n}`, region: 'us-east-1' }), calls);
      const sink = createLocalSink({ store, log: (line) => process.stderr.write(`${line}\n`), platform: () => undefined, detectAfterMs: 3_600_000 });
      for (let i = 0; i < n; i++) await sink(outageActivation(i));
      let started = performance.now();
      await sink.drain();
      const firstMs = performance.now() - started;
      calls.clear();
      await sink(outageActivation(n));
      calls.clear();
      started = performance.now();
      await sink.drain();
      out.push({ n, firstMs: Math.round(firstMs), nextMs: Math.round(performance.now() - started), nextCalls: Object.fromEntries([...calls].sort()) });
      await store.close();
    }
  } finally {
    await dynamo.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

if (require.main === module) {
  const at = process.argv.indexOf('--sizes');
  const sizes = (at >= 0 ? process.argv[at + 1]! : '100,300,1000').split(',').map(Number);
  measure(sizes).then(
    (rows) => {
      for (const r of rows) console.log(JSON.stringify(r));
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
