// The hello-retail actions' own logic against a real DynamoDB (dynalite on 127.0.0.1) and the real
// card processor and webhook receiver, calling each action's exported function in this process.
// purchase (which needs a platform to invoke the others) is covered by hello-retail-platform.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { setupShop, tableNames, SEED_PRODUCTS } from '../examples/hello-retail/setup';
import { startCardProcessor, type CardProcessor } from '../examples/hello-retail/card-processor';
import { startWebhookReceiver, type WebhookReceiver } from '../examples/hello-retail/webhook-receiver';

const requireHere = createRequire(__filename);
type Action = (params: Record<string, unknown>) => Promise<Record<string, any>>;
const actionsDir = join(__dirname, '..', 'examples', 'hello-retail', 'actions');
const catalog = requireHere(join(actionsDir, 'catalog.js')) as { register: Action; lookup: Action };
const getPrice = (requireHere(join(actionsDir, 'get-price.js')) as { main: Action }).main;
const authorize = (requireHere(join(actionsDir, 'authorize-cc.js')) as { main: Action }).main;
const publish = (requireHere(join(actionsDir, 'publish.js')) as { main: Action }).main;

const VISA_OK = '4242424242424242';
const VISA_DECLINED = '4000000000000002';

let dynamo: Server;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let processor: CardProcessor;
let webhook: WebhookReceiver;
let scratch: string;
const names = tableNames();

beforeAll(async () => {
  const dynalite = requireHere('dynalite') as (options: object) => Server;
  dynamo = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  // the actions take endpoint, region and credentials from the standard AWS environment
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  client = new DynamoDBClient({ endpoint });
  doc = DynamoDBDocumentClient.from(client);
  await setupShop(client, names);
  processor = await startCardProcessor();
  webhook = await startWebhookReceiver();
  scratch = mkdtempSync(join(tmpdir(), 'hello-retail-'));
});

afterAll(async () => {
  await processor?.stop();
  await webhook?.stop();
  client?.destroy();
  await new Promise<void>((resolve) => (dynamo ? dynamo.close(() => resolve()) : resolve()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('setup', () => {
  it('creates every table (products with its category index) and is idempotent', async () => {
    const again = await setupShop(client, names);
    expect(again.created).toEqual([]);
    expect(again.seeded).toBe(SEED_PRODUCTS.length);
    const products = await client.send(new DescribeTableCommand({ TableName: names.products }));
    expect(products.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byCategory']);
    const prices = await doc.send(new ScanCommand({ TableName: names.prices }));
    expect(prices.Items).toHaveLength(SEED_PRODUCTS.length);
  });
});

describe('catalog', () => {
  it.each([
    [{ category: 'shoes' }, /name/],
    [{ name: 'Boot' }, /category/],
    [{ name: 'Boot', category: 'shoes', priceCents: 12.5 }, /priceCents/],
    [{ name: 'Boot', category: 'shoes', priceCents: -1 }, /priceCents/],
  ])('register refuses %j', async (params, message) => {
    const result = await catalog.register(params);
    expect(result.error.code).toBe('bad_request');
    expect(result.error.message).toMatch(message);
  });

  it('registers a product with its price, then finds it by id and in its category', async () => {
    const registered = await catalog.register({ name: 'Desert Boot', category: 'Shoes', brand: 'Marlow', priceCents: 15900 });
    expect(registered.product.id).toBe('shoes-desert-boot');
    const price = await doc.send(new GetCommand({ TableName: names.prices, Key: { productId: 'shoes-desert-boot' } }));
    expect(price.Item).toEqual({ productId: 'shoes-desert-boot', priceCents: 15900, currency: 'USD' });

    const byId = await catalog.lookup({ id: 'shoes-desert-boot' });
    expect(byId.product).toMatchObject({ name: 'Desert Boot', category: 'shoes', brand: 'Marlow' });

    const shoes = await catalog.lookup({ category: 'shoes' });
    expect(shoes.products.map((p: { id: string }) => p.id).sort()).toEqual(['shoe-city-loafer', 'shoe-trail-runner', 'shoes-desert-boot']);
    const hats = await catalog.lookup({ category: 'HATS' });
    expect(hats.products.map((p: { id: string }) => p.id)).toEqual(['hat-wool-beanie']);
  });

  it('answers not_found for an unknown id and bad_request without id or category', async () => {
    expect((await catalog.lookup({ id: 'no-such-product' })).error.code).toBe('not_found');
    expect((await catalog.lookup({})).error.code).toBe('bad_request');
  });

  it('takes a table name from its parameters', async () => {
    await expect(catalog.lookup({ id: 'shoe-trail-runner', productsTable: 'no-such-table' })).rejects.toThrow(/not found|non-existent/i);
  });
});

describe('get-price', () => {
  it('reads the price table once, then answers from its /tmp-style cache file', async () => {
    const cacheFile = join(scratch, 'cache-a', 'price-cache.json');
    const first = await getPrice({ productId: 'coat-storm-shell', quantity: 2, priceCacheFile: cacheFile });
    expect(first).toEqual({ productId: 'coat-storm-shell', quantity: 2, unitPriceCents: 19900, totalCents: 39800, currency: 'USD', source: 'table' });
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(cached['coat-storm-shell']).toMatchObject({ priceCents: 19900, currency: 'USD' });

    const second = await getPrice({ productId: 'coat-storm-shell', quantity: 1, priceCacheFile: cacheFile });
    expect(second).toMatchObject({ totalCents: 19900, source: 'cache' });
    // a stale entry is read again from the table
    const stale = await getPrice({ productId: 'coat-storm-shell', priceCacheFile: cacheFile, priceCacheTtlMs: -1 });
    expect(stale.source).toBe('table');
  });

  it('keeps entries for several products in one cache file', async () => {
    const cacheFile = join(scratch, 'cache-b', 'price-cache.json');
    await getPrice({ productId: 'hat-wool-beanie', priceCacheFile: cacheFile });
    await getPrice({ productId: 'shoe-city-loafer', priceCacheFile: cacheFile });
    expect(Object.keys(JSON.parse(readFileSync(cacheFile, 'utf8'))).sort()).toEqual(['hat-wool-beanie', 'shoe-city-loafer']);
  });

  it.each([
    [{}, 'bad_request'],
    [{ productId: 'hat-wool-beanie', quantity: 0 }, 'bad_request'],
    [{ productId: 'hat-wool-beanie', quantity: 1.5 }, 'bad_request'],
    [{ productId: 'hat-wool-beanie', quantity: 101 }, 'bad_request'],
    [{ productId: 'no-such-product' }, 'not_found'],
  ])('answers %j with %s', async (params, code) => {
    const cacheFile = join(scratch, 'cache-c', 'price-cache.json');
    const result = await getPrice({ ...params, priceCacheFile: cacheFile });
    expect(result.error.code).toBe(code);
    expect(existsSync(cacheFile)).toBe(false);
  });
});

describe('authorize-cc', () => {
  const card = { number: VISA_OK, expiry: '12/99', holder: 'Ada Shopper' };

  it('gets an approval with an auth code from the card processor', async () => {
    const result = await authorize({ processorUrl: processor.url, card, amountCents: 8900, currency: 'USD', reference: 'pur-1' });
    expect(result).toMatchObject({ approved: true, last4: '4242', amountCents: 8900, currency: 'USD' });
    expect(result.authCode).toMatch(/^[0-9A-F]{6}$/);
    expect(processor.authorizations.at(-1)).toMatchObject({ reference: 'pur-1', last4: '4242', approved: true, authCode: result.authCode });
  });

  it.each([
    [VISA_DECLINED, '12/99', 100, 'card_declined'],
    ['4242424242424241', '12/99', 100, 'invalid_number'],
    [VISA_OK, '01/20', 100, 'expired_card'],
    [VISA_OK, '12/99', 10_000_000, 'insufficient_funds'],
  ])('passes on the decline of card %s exp %s for %d cents (%s)', async (number, expiry, amountCents, reason) => {
    const result = await authorize({ processorUrl: processor.url, card: { number, expiry }, amountCents });
    expect(result).toMatchObject({ approved: false, reason });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ card, amountCents: 100 }, 'not_configured'],
    [{ processorUrl: 'PROCESSOR', card: { number: '42', expiry: '12/99' }, amountCents: 100 }, 'bad_request'],
    [{ processorUrl: 'PROCESSOR', card: { number: VISA_OK, expiry: '2099-12' }, amountCents: 100 }, 'bad_request'],
    [{ processorUrl: 'PROCESSOR', card, amountCents: 0 }, 'bad_request'],
    [{ processorUrl: 'PROCESSOR' }, 'bad_request'],
  ])('refuses %j with %s', async (params, code) => {
    const withUrl = params.processorUrl ? { ...params, processorUrl: processor.url } : params;
    const before = processor.authorizations.length;
    expect((await authorize(withUrl)).error.code).toBe(code);
    expect(processor.authorizations.length).toBe(before);
  });

  it('reports an unreachable processor', async () => {
    const gone = await startCardProcessor();
    await gone.stop();
    const result = await authorize({ processorUrl: gone.url, card, amountCents: 100 });
    expect(result.error.code).toBe('processor_unavailable');
  });
});

describe('publish', () => {
  const event = { type: 'purchase.completed', subject: 'pur-42', data: { productId: 'hat-wool-beanie', totalCents: 2400 } };

  it('stores the event once (publishing twice is idempotent) and notifies the webhook', async () => {
    const first = await publish({ event, notifyUrl: webhook.url });
    expect(first).toEqual({ eventId: 'purchase.completed:pur-42', notified: true });
    await publish({ event, notifyUrl: webhook.url });
    const stored = await doc.send(new ScanCommand({ TableName: names.events }));
    expect(stored.Items?.filter((item) => item.subject === 'pur-42')).toHaveLength(1);
    expect(stored.Items?.[0]).toMatchObject({ id: 'purchase.completed:pur-42', type: 'purchase.completed', data: event.data });
    expect(webhook.received.at(-1)).toMatchObject({ id: 'purchase.completed:pur-42', subject: 'pur-42' });
  });

  it('stores the event without a webhook, and when the webhook is down', async () => {
    expect(await publish({ event: { ...event, subject: 'pur-43' } })).toEqual({ eventId: 'purchase.completed:pur-43', notified: false });
    const down = await startWebhookReceiver();
    await down.stop();
    expect(await publish({ event: { ...event, subject: 'pur-44' }, notifyUrl: down.url })).toMatchObject({ notified: false });
    const stored = await doc.send(new GetCommand({ TableName: names.events, Key: { id: 'purchase.completed:pur-44' } }));
    expect(stored.Item?.subject).toBe('pur-44');
  });

  it.each([[{}], [{ event: { type: 'x' } }], [{ event: 'purchase' }]])('refuses %j', async (params) => {
    expect((await publish(params)).error.code).toBe('bad_request');
  });
});
