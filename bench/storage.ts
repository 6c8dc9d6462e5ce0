// What provenance costs in storage: DynamoDB items and bytes (as DynamoDB JSON, the wire and
// export form) per activation, after the correlator ingested benign hello-retail-like traffic
// (bench/ingest-traffic.ts) into a fresh table. Counted by scanning the table (benchmark only; the
// store never scans), broken down by item kind so the floor is visible.
//   npx tsx bench/storage.ts [--requests N]      (4 activations per request; default 200)
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { benchIngest, numberArg } from './ingest';
import { ACTIVATIONS_PER_REQUEST } from './ingest-traffic';

export interface StorageBench {
  activations: number;
  items: number;
  bytes: number;
  itemsPerActivation: number;
  bytesPerActivation: number;
  /** items and bytes by kind (the entity name dynamodb-toolbox stores in `_et`) */
  byKind: Record<string, { items: number; bytes: number }>;
}

export const STORAGE_DEFAULTS = { requests: 200 } as const;

export async function benchStorage(requests: number = STORAGE_DEFAULTS.requests): Promise<StorageBench> {
  let scanned: Array<Record<string, AttributeValue>> = [];
  // The warm-up traffic benchIngest sends first is left out of the count by its own run prefix.
  await benchIngest({ requests, run: 'st' }, async (_store, endpoint) => {
    scanned = await scanTable(endpoint, 'provenance');
  });
  const byKind: StorageBench['byKind'] = {};
  let items = 0;
  let bytes = 0;
  for (const item of scanned) {
    if (isWarmup(item)) continue;
    const size = dynamoJsonBytes(item);
    const kind = item._et?.S ?? '(none)';
    const k = (byKind[kind] ??= { items: 0, bytes: 0 });
    k.items++;
    k.bytes += size;
    items++;
    bytes += size;
  }
  const activations = requests * ACTIVATIONS_PER_REQUEST;
  return { activations, items, bytes, itemsPerActivation: items / activations, bytesPerActivation: bytes / activations, byKind };
}

/** Items of the warm-up run (ids and container names start with "warmup"); shared items count once, as the run's. */
function isWarmup(item: Record<string, AttributeValue>): boolean {
  const pk = item.pk?.S ?? '';
  return /^(REQ#|META#)warmup/.test(pk) || (item.cpk?.S ?? '').includes('warmup-');
}

/** The item's size as DynamoDB JSON, the wire form: binary values travel base64-encoded. */
export function dynamoJsonBytes(item: Record<string, AttributeValue>): number {
  const json = JSON.stringify(item, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
  return Buffer.byteLength(json, 'utf8');
}

async function scanTable(endpoint: string, table: string): Promise<Array<Record<string, AttributeValue>>> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const out: Array<Record<string, AttributeValue>> = [];
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return out;
}

export function formatStorage(s: StorageBench): string[] {
  const lines = [
    `storage: ${s.items} items, ${(s.bytes / 1024).toFixed(1)} KB for ${s.activations} activations = ${s.itemsPerActivation.toFixed(2)} items and ${Math.round(s.bytesPerActivation)} bytes per activation (DynamoDB JSON)`,
  ];
  for (const [kind, k] of Object.entries(s.byKind).sort((a, b) => b[1].items - a[1].items)) {
    lines.push(`  ${kind.padEnd(16)} ${(k.items / s.activations).toFixed(2).padStart(6)} items/act ${Math.round(k.bytes / s.activations).toString().padStart(6)} B/act`);
  }
  return lines;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  benchStorage(numberArg('requests', STORAGE_DEFAULTS.requests))
    .then((s) => console.log(formatStorage(s).join('\n')))
    .catch((e) => {
      console.error(`bench/storage: ${(e as Error).message}`);
      process.exit(1);
    });
}
