'use strict';
// Prices a quantity of one product. Prices change rarely, so a warm container remembers the ones
// it has read in a small file cache under /tmp (shared by the activations this container serves).
const fs = require('fs');
const path = require('path');
const { GetCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { failure } = require('./lib/errors');

const DEFAULT_CACHE_FILE = '/tmp/hello-retail/price-cache.json';
const DEFAULT_CACHE_TTL_MS = 5 * 60 * 1000;
const MAX_QUANTITY = 100;

function readCache(file) {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {}; // no cache yet, or a torn write: start afresh
  }
}

function writeCache(file, cache) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // write then rename, so a concurrent reader never sees half a file
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(cache));
  fs.renameSync(partial, file);
}

async function main(params) {
  const { productId } = params || {};
  const quantity = params && params.quantity !== undefined ? params.quantity : 1;
  if (typeof productId !== 'string' || productId === '') {
    return failure('bad_request', 'get-price needs "productId"');
  }
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    return failure('bad_request', `"quantity" must be a whole number from 1 to ${MAX_QUANTITY}`);
  }
  const cacheFile = params.priceCacheFile || process.env.HELLO_RETAIL_PRICE_CACHE || DEFAULT_CACHE_FILE;
  const ttlMs = Number.isFinite(params.priceCacheTtlMs) ? params.priceCacheTtlMs : DEFAULT_CACHE_TTL_MS;

  const cache = readCache(cacheFile);
  let entry = cache[productId];
  let source = 'cache';
  if (!entry || typeof entry.at !== 'number' || Date.now() - entry.at > ttlMs) {
    const found = await db().send(new GetCommand({ TableName: tableName('prices', params), Key: { productId } }));
    if (!found.Item) {
      console.log(`no price for ${productId}`);
      return failure('not_found', `no price for product "${productId}"`);
    }
    entry = { priceCents: found.Item.priceCents, currency: found.Item.currency || 'USD', at: Date.now() };
    cache[productId] = entry;
    writeCache(cacheFile, cache);
    source = 'table';
  }
  const totalCents = entry.priceCents * quantity;
  console.log(`price of ${quantity} x ${productId}: ${totalCents} ${entry.currency} cents (from ${source})`);
  return { productId, quantity, unitPriceCents: entry.priceCents, totalCents, currency: entry.currency, source };
}

module.exports = { main };
