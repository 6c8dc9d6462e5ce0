'use strict';
// A shopper buys a product: price it (get-price), authorize the card for the total (authorize-cc),
// record the purchase, and publish a purchase event (publish). The other actions are invoked
// blocking, so each step's activation id is known and kept on the purchase record.
const crypto = require('crypto');
const openwhisk = require('openwhisk');
const winston = require('winston');
const { PutCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { failure } = require('./lib/errors');

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
  if (!params.card || typeof params.card !== 'object') problems.push('"card" ({number, expiry, holder})');
  const customer = params.customer && typeof params.customer.email === 'string' ? params.customer : undefined;
  if (!customer) problems.push('"customer" ({email, name})');
  return problems.length > 0 ? { problems } : { order: { productId: params.productId, quantity, card: params.card, customer } };
}

async function main(params) {
  const { order, problems } = readOrder(params || {});
  if (problems) return failure('bad_request', `a purchase needs ${problems.join(', ')}`);
  const names = actionNames(params);
  const purchaseId = `pur-${crypto.randomUUID()}`;
  const ow = openwhisk();
  logger.info('purchase started', { purchaseId, productId: order.productId, quantity: order.quantity });

  const price = await call(ow, names.getPrice, { productId: order.productId, quantity: order.quantity });
  if (price.result.error) {
    logger.warn('purchase not priced', { purchaseId, error: price.result.error });
    return failure('not_priced', `could not price ${order.productId}`, { cause: price.result.error });
  }

  const auth = await call(ow, names.authorize, {
    card: order.card,
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
    priceActivation: price.activationId,
    authorizationActivation: auth.activationId,
    createdAt: new Date().toISOString(),
  };
  await db().send(new PutCommand({ TableName: tableName('purchases', params), Item: purchase }));
  logger.info('purchase recorded', { purchaseId, status: purchase.status, totalCents: purchase.totalCents });

  let eventId;
  if (purchase.status === 'authorized') {
    const published = await call(ow, names.publish, {
      event: {
        type: 'purchase.completed',
        subject: purchaseId,
        data: { productId: purchase.productId, quantity: purchase.quantity, totalCents: purchase.totalCents, currency: purchase.currency },
      },
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
    eventId,
  };
}

module.exports = { main };
