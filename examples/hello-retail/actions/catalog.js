'use strict';
// Product catalog: merchants register products (with their price); shoppers look them up by id or
// browse a category.
const { PutCommand, GetCommand, QueryCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { failure } = require('./lib/errors');

const MAX_BROWSE = 50;

function slug(text) {
  return String(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

function readProduct(params) {
  const problems = [];
  const name = typeof params.name === 'string' ? params.name.trim() : '';
  const category = typeof params.category === 'string' ? params.category.trim().toLowerCase() : '';
  if (!name) problems.push('name (a non-empty string)');
  if (!category) problems.push('category (a non-empty string)');
  const priceCents = params.priceCents;
  if (priceCents !== undefined && !(Number.isInteger(priceCents) && priceCents > 0)) {
    problems.push('priceCents (a positive whole number of cents)');
  }
  if (problems.length > 0) return { problems };
  const id = typeof params.id === 'string' && params.id !== '' ? params.id : slug(`${category}-${name}`);
  return {
    product: {
      id,
      name,
      category,
      brand: typeof params.brand === 'string' ? params.brand : undefined,
      description: typeof params.description === 'string' ? params.description : undefined,
    },
    priceCents,
    currency: typeof params.currency === 'string' ? params.currency : 'USD',
  };
}

async function register(params) {
  const input = readProduct(params || {});
  if (input.problems) {
    return failure('bad_request', `a product needs ${input.problems.join(' and ')}`);
  }
  const product = { ...input.product, registeredAt: new Date().toISOString() };
  await db().send(new PutCommand({ TableName: tableName('products', params), Item: product }));
  if (input.priceCents !== undefined) {
    await db().send(
      new PutCommand({
        TableName: tableName('prices', params),
        Item: { productId: product.id, priceCents: input.priceCents, currency: input.currency },
      }),
    );
  }
  console.log(`registered product ${product.id} in category ${product.category}`);
  return { product, priceCents: input.priceCents };
}

async function lookup(params) {
  const { id, category } = params || {};
  if (typeof id === 'string' && id !== '') {
    const found = await db().send(new GetCommand({ TableName: tableName('products', params), Key: { id } }));
    if (!found.Item) {
      console.log(`product ${id} not found`);
      return failure('not_found', `no product with id "${id}"`);
    }
    console.log(`found product ${id}`);
    return { product: found.Item };
  }
  if (typeof category === 'string' && category !== '') {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName('products', params),
        IndexName: 'byCategory',
        KeyConditionExpression: '#category = :category',
        ExpressionAttributeNames: { '#category': 'category' },
        ExpressionAttributeValues: { ':category': category.toLowerCase() },
        Limit: MAX_BROWSE,
      }),
    );
    const products = page.Items || [];
    console.log(`category ${category}: ${products.length} products`);
    return { category: category.toLowerCase(), products };
  }
  return failure('bad_request', 'look a product up by "id" or browse by "category"');
}

module.exports = { register, lookup };
