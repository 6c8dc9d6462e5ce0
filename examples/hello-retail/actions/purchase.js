'use strict';
// A shopper buys a product: price it (get-price), authorize the card for the total (authorize-cc),
// record the purchase, render the order confirmation, and publish a purchase event (publish). The
// other actions are invoked blocking, so each step's activation id is known and kept on the
// purchase record. A shopper pays with a card given with the order or with a card saved in the
// shop's card vault (`savedCardId`); a storefront selling through the shop may send its own receipt
// template and ask to be called back with the order fields it needs (`callback`).
const crypto = require('crypto');
const openwhisk = require('openwhisk');
const winston = require('winston');
const { GetCommand, PutCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { failure } = require('./lib/errors');
const { readLocale, prepareReceipt, renderReceipt } = require('./lib/receipts');

const logger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  defaultMeta: { service: 'purchase' },
  transports: [new winston.transports.Console()],
});

// Which actions to call: bound as parameters in serverless.yml (the deployed names carry the
// service and stage), with the names of a default `dev` deployment as a fallback.
function actionNames(params) {
  return {
    getPrice: params.getPriceAction || 'hello-retail-dev-get-price',
    authorize: params.authorizeAction || 'hello-retail-dev-authorize-cc',
    publish: params.publishAction || 'hello-retail-dev-publish',
  };
}

// A blocking invocation answers with the child's activation record; an application error comes
// back as HTTP 502 carrying the same record, which the client raises as an error.
async function call(ow, name, params) {
  try {
    const activation = await ow.actions.invoke({ name, params, blocking: true });
    return { activationId: activation.activationId, result: activation.response.result };
  } catch (err) {
    const activation = err && err.error && err.error.response ? err.error : undefined;
    if (activation) return { activationId: activation.activationId, result: activation.response.result };
    return { result: failure('invoke_failed', `could not invoke ${name}: ${err.message}`) };
  }
}

function readOrder(params) {
  const problems = [];
  if (typeof params.productId !== 'string' || params.productId === '') problems.push('"productId"');
  const quantity = params.quantity === undefined ? 1 : params.quantity;
  if (!Number.isInteger(quantity) || quantity < 1) problems.push('"quantity" (a whole number from 1)');
  const savedCardId = typeof params.savedCardId === 'string' && params.savedCardId !== '' ? params.savedCardId : undefined;
  if (!savedCardId && (!params.card || typeof params.card !== 'object')) problems.push('"card" ({number, expiry, holder}) or "savedCardId"');
  const customer = params.customer && typeof params.customer.email === 'string' ? params.customer : undefined;
  if (!customer) problems.push('"customer" ({email, name})');
  const { locale, problem: localeProblem } = readLocale(customer ? customer.locale : undefined);
  if (localeProblem) problems.push(localeProblem);
  const receipt = params.receipt && typeof params.receipt === 'object' ? params.receipt : {};
  if (receipt.template !== undefined && (typeof receipt.template !== 'string' || receipt.template.length > 2000)) {
    problems.push('"receipt.template" (a template text of at most 2000 characters)');
  }
  const callback = readCallback(params.callback, problems);
  if (problems.length > 0) return { problems };
  return {
    order: { productId: params.productId, quantity, card: savedCardId ? undefined : params.card, savedCardId, customer, locale, storefrontTemplate: receipt.template, callback },
  };
}

// A storefront's callback: where to POST the purchase event, and which order fields to add to it.
function readCallback(value, problems) {
  if (value === undefined) return undefined;
  let url;
  try {
    url = value && typeof value.url === 'string' ? new URL(value.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    problems.push('"callback.url" (an http(s) URL)');
    return undefined;
  }
  const fields = value.fields === undefined ? [] : value.fields;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) {
    problems.push('"callback.fields" (a list of order field names)');
    return undefined;
  }
  return { url: url.toString(), fields };
}

// A saved card belongs to one customer: it pays only for orders of that customer.
async function loadSavedCard(params, order) {
  const found = await db().send(new GetCommand({ TableName: tableName('cards', params), Key: { id: order.savedCardId } }));
  const saved = found.Item;
  if (!saved || saved.customerEmail !== order.customer.email) return undefined;
  return { number: saved.number, expiry: saved.expiry, holder: saved.holder, billingAddress: saved.billingAddress, savedCardId: saved.id };
}

/** The order fields a storefront callback asked for (unknown names are ignored). */
function pick(view, fields) {
  const out = {};
  for (const field of fields) if (Object.prototype.hasOwnProperty.call(view, field)) out[field] = view[field];
  return out;
}

async function main(params) {
  const { order, problems } = readOrder(params || {});
  if (problems) return failure('bad_request', `a purchase needs ${problems.join(', ')}`);
  const names = actionNames(params);
  const purchaseId = `pur-${crypto.randomUUID()}`;
  const ow = openwhisk();
  logger.info('purchase started', { purchaseId, productId: order.productId, quantity: order.quantity });

  try {
    prepareReceipt(order.locale, order.storefrontTemplate);
  } catch (err) {
    logger.warn('receipt template rejected', { purchaseId, error: err.message });
    return failure('bad_request', `the receipt template does not compile: ${err.message}`);
  }

  const price = await call(ow, names.getPrice, { productId: order.productId, quantity: order.quantity });
  if (price.result.error) {
    logger.warn('purchase not priced', { purchaseId, error: price.result.error });
    return failure('not_priced', `could not price ${order.productId}`, { cause: price.result.error });
  }

  let card = order.card;
  if (order.savedCardId) {
    card = await loadSavedCard(params, order);
    if (!card) {
      logger.warn('saved card not usable', { purchaseId, savedCardId: order.savedCardId });
      return failure('bad_request', `no saved card "${order.savedCardId}" for ${order.customer.email}`);
    }
  }

  const auth = await call(ow, names.authorize, {
    card: { number: card.number, expiry: card.expiry, holder: card.holder },
    amountCents: price.result.totalCents,
    currency: price.result.currency,
    reference: purchaseId,
  });
  if (auth.result.error) {
    logger.error('payment not authorized', { purchaseId, error: auth.result.error });
    return failure('payment_failed', 'the card could not be authorized', { cause: auth.result.error });
  }

  const purchase = {
    id: purchaseId,
    productId: order.productId,
    quantity: order.quantity,
    totalCents: price.result.totalCents,
    currency: price.result.currency,
    customer: order.customer,
    status: auth.result.approved ? 'authorized' : 'declined',
    authCode: auth.result.authCode,
    declineReason: auth.result.reason,
    cardLast4: auth.result.last4,
    savedCardId: order.savedCardId,
    priceActivation: price.activationId,
    authorizationActivation: auth.activationId,
    createdAt: new Date().toISOString(),
  };
  await db().send(new PutCommand({ TableName: tableName('purchases', params), Item: purchase }));
  logger.info('purchase recorded', { purchaseId, status: purchase.status, totalCents: purchase.totalCents });

  let eventId;
  let receipt;
  if (purchase.status === 'authorized') {
    // the order as the shop knows it: what receipts and storefront callbacks draw from
    const view = { ...order, ...purchase, purchaseId, card, payment: card, total: (purchase.totalCents / 100).toFixed(2) };
    try {
      receipt = renderReceipt(order.locale, view);
    } catch (err) {
      // the purchase stands without its confirmation text
      logger.error('receipt not rendered', { purchaseId, error: err.message });
    }
    const published = await call(ow, names.publish, {
      event: {
        type: 'purchase.completed',
        subject: purchaseId,
        data: {
          productId: purchase.productId,
          quantity: purchase.quantity,
          totalCents: purchase.totalCents,
          currency: purchase.currency,
          ...(order.callback ? pick(view, order.callback.fields) : {}),
        },
      },
      ...(order.callback ? { callbackUrl: order.callback.url } : {}),
    });
    if (published.result.error) {
      // the purchase stands; the event can be published again from the purchases table
      logger.error('purchase event not published', { purchaseId, error: published.result.error });
    } else {
      eventId = published.result.eventId;
    }
  }
  return {
    purchaseId,
    status: purchase.status,
    totalCents: purchase.totalCents,
    currency: purchase.currency,
    authCode: purchase.authCode,
    declineReason: purchase.declineReason,
    priceSource: price.result.source,
    receipt,
    eventId,
  };
}

module.exports = { main };
