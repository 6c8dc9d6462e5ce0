// The library hooks against real counterparts: the AWS SDK v3 DynamoDB clients against a
// dynalite on 127.0.0.1, and the `openwhisk` client against a local HTTP server answering
// like OpenWhisk's invoke API. The libraries are loaded through the CommonJS loader after the
// wrapper installed, as an action loads them.

import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureOutput, setActivationEnv, type Captured } from '../../test/wrapper-capture';
import { installWrapper, uninstallWrapper, wrapHandler } from '../index';
import type { ProvRecord } from '../../protocol/wrapper-records';

const requireFromAction = createRequire(path.join(process.cwd(), 'package.json'));
let out: Captured;

beforeAll(() => {
  out = captureOutput();
  installWrapper({ artifactRoot: process.cwd() });
});
afterAll(() => {
  uninstallWrapper();
  out.restore();
});
beforeEach(() => {
  out.stdout.length = 0;
});

async function activation<T>(id: string, fn: () => Promise<T>): Promise<{ value: T; records: Array<Record<string, unknown>> }> {
  setActivationEnv(id, `r-${id}`);
  const value = (await wrapHandler(() => ({ main: fn }), 'main')({})) as T;
  const all = out.records();
  expect(all.at(-1)).toMatchObject({ t: 'end', ok: true });
  expect((all.at(-1) as { hf?: number }).hf).toBeUndefined();
  return { value, records: all.slice(1, -1).map(({ a: _a, r: _r, ts: _ts, s: _s, m: _m, ...rest }: ProvRecord) => rest) };
}

describe('DynamoDB (AWS SDK v3) against dynalite', () => {
  let server: http.Server;
  let endpoint: string;
  let ddb: any;
  let lib: any;
  let client: any;
  let doc: any;

  beforeAll(async () => {
    const dynalite = requireFromAction('dynalite');
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ddb = requireFromAction('@aws-sdk/client-dynamodb');
    lib = requireFromAction('@aws-sdk/lib-dynamodb');
    client = new ddb.DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    doc = lib.DynamoDBDocumentClient.from(client);
    for (const [TableName, keys] of [['Products', ['id']], ['Orders', ['customer', 'order']], ['Fresh', ['pk']]] as const) {
      await client.send(
        new ddb.CreateTableCommand({
          TableName,
          KeySchema: keys.map((k, i) => ({ AttributeName: k, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
          AttributeDefinitions: keys.map((k) => ({ AttributeName: k, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
    // Seeded outside any activation: not recorded.
    await doc.send(new lib.PutCommand({ TableName: 'Orders', Item: { customer: 'c1', order: 'o1', total: 5 } }));
    await doc.send(new lib.PutCommand({ TableName: 'Orders', Item: { customer: 'c1', order: 'o2', total: 7 } }));
    out.stdout.length = 0;
  });

  afterAll(async () => {
    client?.destroy();
    await new Promise((r) => server.close(r));
  });

  it('records one ddb record per call with op, table and unmarshalled key, and leaves results alone', async () => {
    const { value, records } = await activation('ddb1', async () => {
      await doc.send(new lib.PutCommand({ TableName: 'Products', Item: { id: 'p1', price: 3 } }));
      const got = await doc.send(new lib.GetCommand({ TableName: 'Products', Key: { id: 'p1' } }));
      const low = await client.send(new ddb.GetItemCommand({ TableName: 'Products', Key: { id: { S: 'p1' } } }));
      await doc.send(new lib.UpdateCommand({ TableName: 'Products', Key: { id: 'p1' }, UpdateExpression: 'SET price = :p', ExpressionAttributeValues: { ':p': 4 } }));
      return { item: got.Item, low: low.Item };
    });
    expect(value).toEqual({ item: { id: 'p1', price: 3 }, low: { id: { S: 'p1' }, price: { N: '3' } } });
    const ddbRecords = records.filter((r) => r.t === 'ddb');
    expect(ddbRecords).toEqual([
      { t: 'ddb', op: 'PutItem', table: 'Products', key: { id: 'p1' } },
      { t: 'ddb', op: 'GetItem', table: 'Products', key: { id: 'p1' } },
      { t: 'ddb', op: 'GetItem', table: 'Products', key: { id: 'p1' } },
      { t: 'ddb', op: 'UpdateItem', table: 'Products', key: { id: 'p1' } },
    ]);
    // The peer is seen too, once per user call: the wrapper's own DescribeTable is not recorded.
    const httpRecords = records.filter((r) => r.t === 'http');
    expect(httpRecords).toHaveLength(4);
    expect(httpRecords.every((r) => r.url === `${endpoint}/` && r.method === 'POST' && r.status === 200)).toBe(true);
  });

  it('learns a written item\'s key from DescribeTable when the action never named the key', async () => {
    const { records } = await activation('ddb2', async () => {
      await doc.send(new lib.PutCommand({ TableName: 'Fresh', Item: { pk: 'k1', payload: 'x'.repeat(100) } }));
    });
    expect(records.filter((r) => r.t === 'ddb')).toEqual([{ t: 'ddb', op: 'PutItem', table: 'Fresh', key: { pk: 'k1' } }]);
    expect(records.filter((r) => r.t === 'ddb' && r.op === 'DescribeTable')).toEqual([]);
  });

  it('records keys of items a Query returns and of batch writes', async () => {
    const { records } = await activation('ddb3', async () => {
      await doc.send(new lib.QueryCommand({ TableName: 'Orders', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': 'c1' } }));
      await client.send(
        new ddb.BatchWriteItemCommand({
          RequestItems: { Orders: [{ PutRequest: { Item: { customer: { S: 'c2' }, order: { S: 'o9' } } } }, { DeleteRequest: { Key: { customer: { S: 'c1' }, order: { S: 'o2' } } } }] },
        }),
      );
    });
    expect(records.filter((r) => r.t === 'ddb')).toEqual([
      { t: 'ddb', op: 'Query', table: 'Orders', keys: [{ customer: 'c1', order: 'o1' }, { customer: 'c1', order: 'o2' }] },
      { t: 'ddb', op: 'BatchWriteItem', table: 'Orders', keys: [{ customer: 'c1', order: 'o2' }, { customer: 'c2', order: 'o9' }] },
    ]);
  });

  it('records a failed call with its error and rethrows it unchanged', async () => {
    const { value, records } = await activation('ddb4', async () => {
      try {
        await doc.send(new lib.GetCommand({ TableName: 'Missing', Key: { id: 'x' } }));
        return 'no error';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(value).toBe('ResourceNotFoundException');
    expect(records.filter((r) => r.t === 'ddb')).toEqual([{ t: 'ddb', op: 'GetItem', table: 'Missing', key: { id: 'x' }, err: expect.stringMatching(/^ResourceNotFoundException: /) }]);
  });
});

describe('openwhisk client against a local OpenWhisk-shaped server', () => {
  let server: http.Server;
  let ow: any;
  const seen: string[] = [];

  beforeAll(async () => {
    let n = 0;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} x-request-id=${req.headers['x-request-id']}`);
        const url = new URL(req.url!, 'http://x');
        const name = url.pathname.split('/').pop()!;
        const activationId = `child-${name}-${++n}`;
        res.setHeader('content-type', 'application/json');
        if (name === 'missing') {
          res.statusCode = 404;
          return res.end(JSON.stringify({ error: 'The requested resource does not exist.', code: 'x' }));
        }
        if (url.searchParams.get('blocking') !== 'true') {
          res.statusCode = 202;
          return res.end(JSON.stringify({ activationId }));
        }
        if (name === 'fails') {
          res.statusCode = 502;
          return res.end(JSON.stringify({ activationId, response: { status: 'application error', success: false, result: { error: 'card declined' } } }));
        }
        res.end(JSON.stringify({ activationId, response: { status: 'success', success: true, result: { echo: JSON.parse(body || '{}') } } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const openwhisk = requireFromAction('openwhisk');
    ow = openwhisk({ apihost: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, api_key: 'user:pass', namespace: '_' });
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('records each invocation with the child activation id, blocking or not, and errors', async () => {
    const { value, records } = await activation('ow1', async () => {
      const full = await ow.actions.invoke({ name: 'get-price', blocking: true, params: { id: 1 } });
      const resultOnly = await ow.actions.invoke({ name: 'authorize-cc', blocking: true, result: true, params: { n: 2 } });
      const async = await ow.actions.invoke({ name: 'publish' });
      const failed = await ow.actions.invoke({ name: 'fails', blocking: true }).catch((e: Error) => e.message);
      const missing = await ow.actions.invoke({ name: 'missing' }).catch((e: Error) => e.message);
      const many = await ow.actions.invoke([{ name: 'a' }, { name: 'b' }]);
      return { full: full.response.result, resultOnly, async, failed, missing, many: many.length };
    });
    expect(value).toMatchObject({ full: { echo: { id: 1 } }, resultOnly: { echo: { n: 2 } }, async: { activationId: 'child-publish-3' }, many: 2 });
    expect(records.filter((r) => r.t === 'invoke')).toEqual([
      { t: 'invoke', to: 'get-price', blocking: true, st: expect.any(Number), child: 'child-get-price-1' },
      { t: 'invoke', to: 'authorize-cc', blocking: true, st: expect.any(Number), child: 'child-authorize-cc-2' },
      { t: 'invoke', to: 'publish', blocking: false, st: expect.any(Number), child: 'child-publish-3' },
      { t: 'invoke', to: 'fails', blocking: true, st: expect.any(Number), child: 'child-fails-4', err: expect.stringContaining('card declined') },
      { t: 'invoke', to: 'missing', blocking: false, st: expect.any(Number), err: expect.stringContaining('does not exist') },
      { t: 'invoke', to: 'a', blocking: false, st: expect.any(Number), child: expect.stringMatching(/^child-a-\d+$/) },
      { t: 'invoke', to: 'b', blocking: false, st: expect.any(Number), child: expect.stringMatching(/^child-b-\d+$/) },
    ]);
    // `st` is when the call was made: before the record (written when the platform answered) and in order.
    const sent = records.filter((r) => r.t === 'invoke').map((r) => (r as unknown as { st: number }).st);
    expect(sent).toEqual([...sent].sort((x, y) => x - y));
    // The request id travels to the platform with every invocation.
    expect(seen.every((s) => s.endsWith('x-request-id=r-ow1'))).toBe(true);
    // The invoke records stand for the client's own requests to the API: no http record repeats them.
    expect(records.filter((r) => r.t === 'http')).toEqual([]);
  });

  it('still records a request to the API that no invoke record stands for', async () => {
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { records } = await activation('ow2', async () => {
      await ow.actions.invoke({ name: 'get-price', blocking: true });
      // a raw invocation by hand, and a GET through the client, after the client's invocation
      await new Promise<void>((resolve, reject) => {
        const req = http.request(`${api}/api/v1/namespaces/_/actions/by-hand?blocking=true`, { method: 'POST' }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end('{}');
      });
      return 1;
    });
    expect(records.filter((r) => r.t === 'invoke')).toEqual([expect.objectContaining({ to: 'get-price', child: expect.stringMatching(/^child-get-price-/) })]);
    expect(records.filter((r) => r.t === 'http')).toEqual([
      { t: 'http', method: 'POST', url: `${api}/api/v1/namespaces/_/actions/by-hand?blocking=true`, host: '127.0.0.1', port: (server.address() as AddressInfo).port, status: 200 },
    ]);
  });
});
