// The items the correlator writes are pinned: ingesting these fixed batches into a real dynalite on
// 127.0.0.1 must send exactly these items and updates, and leave exactly this table. The write path
// is tuned for speed (store/chunks.ts, store/compact-graph.ts, store/instance-values.ts); none of
// that may change a stored byte, since readers of older items and the stored sizes depend on it.
//
// The digests below were taken from the write path before it was tuned. A change that alters what
// is stored on purpose updates them (PROV_WRITE_DUMP=<dir> writes the canonical items to compare).
// Changed on purpose since: an activation's state records where the runtime's sentinels closed its
// output (`o` in its `m` attribute); every other byte compared equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ingestBatches } from '../correlator/index';
import { openStore, startLocalDynamo, type LocalDynamo } from '../store/index';
import { helloRetailBatches } from '../bench/ingest-traffic';
import { ActivationWriter, ContainerOutput, makeBatch } from './batch-builder';
import type { Batch, KernelEventLite } from '../protocol/batch';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const T0 = Date.UTC(2026, 11, 3, 12);

/** Activations cut over two batches (their items are merged on the second write), with odd values. */
function splitBatches(): Batch[] {
  const out: Batch[] = [];
  let pending: ContainerOutput[] = [];
  for (let r = 0; r < 5; r++) {
    const t = T0 + r * 1000;
    const W = new ActivationWriter(`act-split-${r}`, `req-split-${r}`, String(r % 10).repeat(64));
    const c = new ContainerOutput({ container: `c${r % 2}`, invoker: 'inv', action: '/_/worker', started: T0 - 1000 });
    c.write(W.begin(t, { act: '/_/worker', ns: '_', pid: 3, host: `c${r % 2}`, cold: r < 2 }), t)
      .write(W.record({ t: 'fs', op: 'write', path: `/tmp/out-${r % 3}`, n: 10 }, t + 1), t + 1)
      // keys whose JSON does not read back in the same order, or holds a key JSON.parse treats specially
      .write(W.record({ t: 'ddb', op: 'GetItem', table: 'odd', key: r % 2 ? { b: r, 2: 'two', a: 'x' } : { ['__proto__']: `p${r}`, id: r } }, t + 1), t + 1);
    out.push(makeBatch('inv', out.length + 1, [...pending, c]));
    const rest = new ContainerOutput(c.info);
    rest
      .write(W.log(`worked on ${r} ${'long '.repeat(r === 3 ? 900 : 1)}`), t + 2)
      .write(W.record({ t: 'http', method: 'GET', url: `http://127.0.0.1:9/x?n=${r}`, host: '127.0.0.1', port: 9, status: 200 }, t + 3), t + 3)
      .write(W.record({ t: 'end', ok: r !== 4, dur: 4 }, t + 4), t + 4)
      .sentinel(t + 5);
    pending = [rest];
  }
  out.push(makeBatch('inv', out.length + 1, pending));
  return out;
}

/** hello-retail traffic with kernel events for some of its activations (files, a process, a socket). */
function kernelBatches(): Batch[] {
  const batches = helloRetailBatches({ requests: 6, requestsPerBatch: 3, containersPerAction: 2, coldModules: 5, run: 'k' });
  return batches.map((b, i) => {
    const kernel: KernelEventLite[] = [];
    for (const line of b.lines) {
      const begin = /"t":"begin".*?"a":"([0-9a-z]+)".*?"r":"([^"]+)"/.exec(line.line) ?? /"a":"([0-9a-z]+)".*?"t":"begin".*?"r":"([^"]+)"/.exec(line.line);
      if (!begin) continue;
      const [, a, r] = begin as unknown as [string, string, string];
      const ts = line.time + 1;
      kernel.push(
        { container: line.container, a, r, op: 'read', ts, te: ts + 2, n: 4, bytes: 4096, pid: 7, rt: true, path: '/action/index.js' },
        { container: line.container, a, r, op: 'write', ts: ts + 1, n: 2, bytes: 64, pid: 7, rt: true, path: `/tmp/k-${i % 2}` },
        { container: line.container, a, r, op: 'exec', ts: ts + 1, pid: 9, comm: 'cat', path: '/bin/cat', args: ['cat', '/tmp/x'] },
        { container: line.container, a, r, op: 'connect', ts: ts + 2, pid: 7, rt: true, addr: '127.0.0.1', port: 4222, proto: 'tcp' },
      );
    }
    return { ...b, kernel, kernelComplete: [] };
  });
}

const traffic = (): Batch[] => [...helloRetailBatches({ requests: 24, requestsPerBatch: 5, containersPerAction: 3, coldModules: 12, run: 'g' }), ...splitBatches(), ...kernelBatches()];

/** JSON with sorted keys and binary as base64: the same items give the same text. */
function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify({ $b: Buffer.from(value).toString('base64') });
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const digest = (lines: readonly string[]): string => createHash('sha256').update([...lines].sort().join('\n')).digest('hex').slice(0, 32);

let root: string;
let dynamo: LocalDynamo;
const written = { puts: [] as string[], updates: [] as string[], table: [] as string[] };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'prov-write-identical-'));
  dynamo = await startLocalDynamo(root);
  const store = await openStore({ endpoint: dynamo.endpoint, table: 'identical', region: 'us-east-1' });
  const client = (store as unknown as { client: DynamoDBClient }).client;
  client.middlewareStack.add(
    (next, context) => (args) => {
      const input = args.input as { RequestItems?: Record<string, Array<{ PutRequest?: { Item: Record<string, AttributeValue> } }>> };
      if (context.commandName === 'BatchWriteItemCommand') {
        for (const r of Object.values(input.RequestItems ?? {}).flat()) if (r.PutRequest) written.puts.push(canonical(r.PutRequest.Item));
      } else if (context.commandName === 'UpdateItemCommand') written.updates.push(canonical(input));
      return next(args);
    },
    { step: 'initialize', name: 'recordWrites' },
  );
  try {
    const results = await ingestBatches(traffic(), store, { detection: false });
    // every batch is taken whole, the kernel events included: otherwise the digests pin less than they seem to
    if (results.some((r) => Object.keys(r.rejected).length > 0)) throw new Error(`batches were refused: ${JSON.stringify(results.map((r) => r.rejected))}`);
    if (results.reduce((n, r) => n + (r.kernelEvents ?? 0), 0) === 0) throw new Error('no kernel event reached a graph');
  } finally {
    await store.close();
  }
  const reader = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await reader.send(new ScanCommand({ TableName: 'identical', ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) written.table.push(canonical(item));
    start = page.LastEvaluatedKey;
  } while (start);
  reader.destroy();
  const dump = process.env.PROV_WRITE_DUMP;
  if (dump) {
    mkdirSync(dump, { recursive: true });
    for (const [name, lines] of Object.entries(written)) writeFileSync(join(dump, `${name}.jsonl`), [...lines].sort().join('\n') + '\n');
  }
});

afterAll(async () => {
  await dynamo?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the write path stores exactly what it stored before it was tuned', () => {
  it.each([
    ['BatchWriteItem puts', 'puts', 240, '0d927055ffc59f1072a514ac9786f2db'],
    ['UpdateItem calls', 'updates', 40, 'e3b9cace143fdcd7bb32584b03bdaf3f'],
    ['the table afterwards', 'table', 270, '45f838a9d21d47f24e70d0bb3ec12265'],
  ] as const)('%s', (_name, kind, count, sha) => {
    const lines = written[kind];
    expect({ count: lines.length, digest: digest(lines) }).toEqual({ count, digest: sha });
  });
});
