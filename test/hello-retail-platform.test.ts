// The hello-retail app itself on the embedded platform, without the Serverless Framework and without
// provenance: the actions are created from one service zip as serverless-openwhisk would (package.json
// `main` names the handler file), and purchases go through the real nested invocations, the real card
// processor, the real webhook and a real DynamoDB (dynalite on 127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import AdmZip from 'adm-zip';
import openwhisk from 'openwhisk';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalDynamo, type LocalDynamo } from '../store/local';
import { startPlatform } from '../invokers/local/index';
import { setupShop, tableNames } from '../examples/hello-retail/setup';
import { startCardProcessor, type CardProcessor } from '../examples/hello-retail/card-processor';
import { startWebhookReceiver, type WebhookReceiver } from '../examples/hello-retail/webhook-receiver';
import { invokeOverHttp, type PlatformAccess, type Step } from '../examples/hello-retail/traffic';

const serviceDir = join(__dirname, '..', 'examples', 'hello-retail');
const PREFIX = 'hello-retail-dev-';
const HANDLERS: Record<string, { file: string; main: string; params?: () => Record<string, string> }> = {
  'get-price': { file: 'actions/get-price.js', main: 'main' },
  'authorize-cc': { file: 'actions/authorize-cc.js', main: 'main', params: () => ({ processorUrl: processor.url }) },
  purchase: {
    file: 'actions/purchase.js',
    main: 'main',
    params: () => ({ getPriceAction: `${PREFIX}get-price`, authorizeAction: `${PREFIX}authorize-cc`, publishAction: `${PREFIX}publish` }),
  },
  publish: { file: 'actions/publish.js', main: 'main', params: () => ({ notifyUrl: webhook.url }) },
};
const CARD = { number: '4242424242424242', expiry: '12/34', holder: 'Ada Shopper' };
const ADA = { email: 'ada@example.com', name: 'Ada Shopper' };

let storeDir: string;
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let processor: CardProcessor;
let webhook: WebhookReceiver;
let platform: Awaited<ReturnType<typeof startPlatform>>;
let access: PlatformAccess;
let ow: ReturnType<typeof openwhisk>;

/** The service's files as the framework zips them (actions and tables.json; no TypeScript). */
function serviceZip(handlerFile: string): Buffer {
  const zip = new AdmZip();
  const add = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) add(path);
      else zip.addFile(relative(serviceDir, path), readFileSync(path));
    }
  };
  add(join(serviceDir, 'actions'));
  zip.addFile('tables.json', readFileSync(join(serviceDir, 'tables.json')));
  zip.addFile('package.json', Buffer.from(JSON.stringify({ main: handlerFile })));
  return zip.toBuffer();
}

function purchaseStep(productId: string, quantity: number, card: object = CARD): Step {
  return { kind: 'purchase', fn: 'purchase', label: `buy ${quantity} ${productId}`, params: { productId, quantity, card, customer: ADA } };
}

const requestId = (what: string) => `hr-test-${what}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'hello-retail-platform-'));
  dynamo = await startLocalDynamo(storeDir);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
  await setupShop(client);
  processor = await startCardProcessor();
  webhook = await startWebhookReceiver();
  platform = await startPlatform({
    storeDir,
    containerEnv: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    log: () => {},
  });
  access = { apihost: platform.apihost, auth: platform.auth, actionPrefix: PREFIX };
  ow = openwhisk({ apihost: platform.apihost, api_key: platform.auth });
  for (const [fn, handler] of Object.entries(HANDLERS)) {
    await ow.actions.create({
      name: `${PREFIX}${fn}`,
      action: serviceZip(handler.file),
      kind: 'nodejs:20',
      exec: { main: handler.main },
      params: handler.params?.(),
    } as never);
  }
});

afterAll(async () => {
  await platform?.stop();
  await processor?.stop();
  await webhook?.stop();
  client?.destroy();
  await dynamo?.stop();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

async function activation(id: string): Promise<{ name: string; logs: string[]; response: { success: boolean } }> {
  return (await ow.activations.get({ name: id })) as never;
}

describe('hello-retail on the embedded platform', () => {
  it('a purchase prices, authorizes, records and publishes, through nested blocking invocations', async () => {
    const id = requestId('purchase');
    const outcome = await invokeOverHttp(access, purchaseStep('shoe-trail-runner', 2), id);
    expect(outcome.ok, JSON.stringify(outcome.result)).toBe(true);
    expect(outcome.result).toMatchObject({ status: 'authorized', totalCents: 17800, currency: 'USD' });
    const purchaseId = outcome.result.purchaseId as string;

    const doc = DynamoDBDocumentClient.from(client);
    const names = tableNames();
    const stored = (await doc.send(new GetCommand({ TableName: names.purchases, Key: { id: purchaseId } }))).Item!;
    expect(stored).toMatchObject({ productId: 'shoe-trail-runner', quantity: 2, status: 'authorized', cardLast4: '4242' });
    const event = (await doc.send(new GetCommand({ TableName: names.events, Key: { id: `purchase.completed:${purchaseId}` } }))).Item;
    expect(event?.data).toMatchObject({ productId: 'shoe-trail-runner', totalCents: 17800 });
    expect(webhook.received).toContainEqual(expect.objectContaining({ subject: purchaseId }));
    expect(processor.authorizations).toContainEqual(expect.objectContaining({ reference: purchaseId, approved: true, amountCents: 17800 }));

    // the child activations named on the purchase record ran the right actions, and both kinds of
    // log lines (console text and winston JSON) are in the activation logs
    const price = await activation(stored.priceActivation);
    expect(price.name).toBe(`${PREFIX}get-price`);
    expect(price.logs.join('\n')).toMatch(/price of 2 x shoe-trail-runner: 17800 USD cents/);
    const auth = await activation(stored.authorizationActivation);
    expect(auth.name).toBe(`${PREFIX}authorize-cc`);
    expect(auth.logs.join('\n')).toMatch(/"message":"payment authorized"/);
    const parent = await activation(outcome.activationId!);
    expect(parent.logs.join('\n')).toMatch(/"message":"purchase recorded"/);
  });

  it('a warm get-price container answers the next purchase from its /tmp price cache', async () => {
    await invokeOverHttp(access, purchaseStep('hat-wool-beanie', 1), requestId('cache-1'));
    const second = await invokeOverHttp(access, purchaseStep('hat-wool-beanie', 3), requestId('cache-2'));
    expect(second.result).toMatchObject({ status: 'authorized', totalCents: 7200, priceSource: 'cache' });
  });

  it('a declined card is recorded as declined and publishes nothing', async () => {
    const received = webhook.received.length;
    const outcome = await invokeOverHttp(access, purchaseStep('coat-storm-shell', 1, { number: '4000000000000002', expiry: '12/34' }), requestId('declined'));
    expect(outcome.result).toMatchObject({ status: 'declined', declineReason: 'card_declined' });
    expect(outcome.result.eventId).toBeUndefined();
    expect(webhook.received.length).toBe(received);
  });

  it.each([
    [{ productId: 'shoe-trail-runner', quantity: 1, card: CARD }, 'bad_request'],
    [{ productId: 'no-such-product', quantity: 1, card: CARD, customer: ADA }, 'not_priced'],
  ])('refuses %j with %s as an application error', async (params, code) => {
    const outcome = await invokeOverHttp(access, { kind: 'purchase', fn: 'purchase', label: 'bad purchase', params }, requestId('bad'));
    expect(outcome.ok).toBe(false);
    expect((outcome.result.error as { code: string }).code).toBe(code);
  });
});
