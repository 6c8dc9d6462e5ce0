// Creates the shop's tables (idempotently: existing tables are left as they are) and seeds the
// catalog with a few products and their prices. Table layouts come from tables.json, which the
// actions read too. Run on its own: `npx tsx examples/hello-retail/setup.ts` with the usual AWS
// environment (AWS_ENDPOINT_URL_DYNAMODB for a local DynamoDB, AWS_REGION, credentials).
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import TABLES from './tables.json';

export type TableKey = keyof typeof TABLES;
export type TableNames = Record<TableKey, string>;
export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];

export interface SeedProduct {
  id: string;
  name: string;
  category: string;
  brand: string;
  description: string;
  priceCents: number;
}

export const SEED_PRODUCTS: readonly SeedProduct[] = [
  { id: 'shoe-trail-runner', name: 'Trail Runner', category: 'shoes', brand: 'Northfork', description: 'Light trail running shoe', priceCents: 8900 },
  { id: 'shoe-city-loafer', name: 'City Loafer', category: 'shoes', brand: 'Marlow', description: 'Leather loafer', priceCents: 12500 },
  { id: 'coat-storm-shell', name: 'Storm Shell', category: 'coats', brand: 'Northfork', description: 'Waterproof shell jacket', priceCents: 19900 },
  { id: 'hat-wool-beanie', name: 'Wool Beanie', category: 'hats', brand: 'Marlow', description: 'Merino beanie', priceCents: 2400 },
];

export interface SavedCard {
  id: string;
  customerEmail: string;
  number: string;
  expiry: string;
  holder: string;
  billingAddress: { street: string; city: string; postcode: string; country: string };
}

/** The card vault: cards customers saved for later purchases (sensitive data, like a real vault's). */
export const SAVED_CARDS: readonly SavedCard[] = [
  { id: 'card-ada-visa', customerEmail: 'ada@example.com', number: '4111111111111111', expiry: '09/33', holder: 'Ada Shopper', billingAddress: { street: '12 Analytical Row', city: 'London', postcode: 'N1 7AA', country: 'GB' } },
  { id: 'card-eve-mc', customerEmail: 'eve@example.com', number: '5555555555554444', expiry: '03/32', holder: 'Eve Customer', billingAddress: { street: '3 Rue des Lilas', city: 'Lyon', postcode: '69003', country: 'FR' } },
];

/** Table names: the defaults from tables.json, overridden per table. */
export function tableNames(overrides: Partial<TableNames> = {}): TableNames {
  const names = {} as TableNames;
  for (const key of TABLE_KEYS) names[key] = overrides[key] ?? TABLES[key].defaultName;
  return names;
}

/** Pure: the CreateTable request for one of the shop's tables. */
export function createTableInput(key: TableKey, name: string): CreateTableCommandInput {
  const spec: { key: string; indexes?: Record<string, { hash: string; range: string }> } = TABLES[key];
  const attributes = new Set<string>([spec.key]);
  const indexes = Object.entries(spec.indexes ?? {}).map(([indexName, index]) => {
    attributes.add(index.hash);
    attributes.add(index.range);
    return {
      IndexName: indexName,
      KeySchema: [
        { AttributeName: index.hash, KeyType: 'HASH' as const },
        { AttributeName: index.range, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    };
  });
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: spec.key, KeyType: 'HASH' }],
    AttributeDefinitions: [...attributes].sort().map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw err;
  }
}

function active(table: TableDescription | undefined): boolean {
  return table?.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
}

async function waitActive(client: DynamoDBClient, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!active(await describe(client, name))) {
    if (Date.now() > deadline) throw new Error(`table ${name} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates every missing table and waits until all are ACTIVE. Returns the names it created. */
export async function createTables(client: DynamoDBClient, names: TableNames = tableNames()): Promise<string[]> {
  const created: string[] = [];
  for (const key of TABLE_KEYS) {
    if (await describe(client, names[key])) continue;
    try {
      await client.send(new CreateTableCommand(createTableInput(key, names[key])));
      created.push(names[key]);
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err; // created concurrently: fine
    }
  }
  for (const key of TABLE_KEYS) await waitActive(client, names[key]);
  return created;
}

/** Puts the seed products, their prices and the saved cards (plain puts: seeding twice changes nothing). */
export async function seedCatalog(client: DynamoDBClient, names: TableNames = tableNames()): Promise<number> {
  const doc = DynamoDBDocumentClient.from(client);
  let pending: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> = {
    [names.products]: SEED_PRODUCTS.map(({ priceCents, ...product }) => {
      void priceCents;
      return { PutRequest: { Item: product } };
    }),
    [names.prices]: SEED_PRODUCTS.map((product) => ({
      PutRequest: { Item: { productId: product.id, priceCents: product.priceCents, currency: 'USD' } },
    })),
    [names.cards]: SAVED_CARDS.map((card) => ({ PutRequest: { Item: { ...card } } })),
  };
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt === 5) throw new Error('seeding the catalog: DynamoDB kept items unprocessed after 5 attempts');
    const answer = await doc.send(new BatchWriteCommand({ RequestItems: pending }));
    pending = (answer.UnprocessedItems ?? {}) as typeof pending;
    if (Object.keys(pending).length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
  }
  return SEED_PRODUCTS.length;
}

export async function setupShop(client: DynamoDBClient, names: TableNames = tableNames()): Promise<{ created: string[]; seeded: number }> {
  const created = await createTables(client, names);
  const seeded = await seedCatalog(client, names);
  return { created, seeded };
}

if (require.main === module) {
  const client = new DynamoDBClient({});
  setupShop(client)
    .then(({ created, seeded }) => {
      console.log(`hello-retail: tables ready (${created.length > 0 ? `created ${created.join(', ')}` : 'all existed'}), ${seeded} products seeded`);
    })
    .catch((err: unknown) => {
      console.error(`hello-retail setup failed: ${err instanceof Error ? err.message : String(err)} (is AWS_ENDPOINT_URL_DYNAMODB or AWS_REGION set?)`);
      process.exitCode = 1;
    })
    .finally(() => client.destroy());
}
