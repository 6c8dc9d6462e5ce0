'use strict';
// Authorizes a card payment with the card processor over HTTP. Only the last four digits of a
// card number are ever logged.
const winston = require('winston');
const { postJson } = require('./lib/http-json');
const { failure } = require('./lib/errors');

const logger = winston.createLogger({
  level: 'info',
  format: winston.format.json(),
  defaultMeta: { service: 'authorize-cc' },
  transports: [new winston.transports.Console()],
});

function readCard(card) {
  if (!card || typeof card !== 'object') return { problem: '"card" ({number, expiry, holder})' };
  const number = String(card.number || '').replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(number)) return { problem: 'card.number (12 to 19 digits)' };
  if (typeof card.expiry !== 'string' || !/^(0[1-9]|1[0-2])\/\d{2}$/.test(card.expiry)) {
    return { problem: 'card.expiry (MM/YY)' };
  }
  return { card: { number, expiry: card.expiry, holder: typeof card.holder === 'string' ? card.holder : undefined } };
}

async function main(params) {
  const processorUrl = (params && params.processorUrl) || process.env.CARD_PROCESSOR_URL;
  if (!processorUrl) {
    return failure('not_configured', 'no card processor: deploy with CARD_PROCESSOR_URL set (bound as processorUrl)');
  }
  const { card, problem } = readCard(params.card);
  if (problem) return failure('bad_request', `authorize-cc needs ${problem}`);
  const { amountCents, currency = 'USD', reference } = params;
  if (!Number.isInteger(amountCents) || amountCents <= 0) {
    return failure('bad_request', '"amountCents" must be a positive whole number');
  }
  const last4 = card.number.slice(-4);
  logger.info('authorizing payment', { last4, amountCents, currency, reference });

  let answer;
  try {
    answer = await postJson(new URL('/authorize', processorUrl).toString(), {
      card,
      amountCents,
      currency,
      reference,
      merchant: 'hello-retail',
    });
  } catch (err) {
    logger.error('card processor unreachable', { error: err.message });
    return failure('processor_unavailable', `card processor unreachable: ${err.message}`);
  }
  if (answer.status === 200 && answer.body && answer.body.approved === true) {
    logger.info('payment authorized', { last4, authCode: answer.body.authCode });
    return { approved: true, authCode: answer.body.authCode, last4, amountCents, currency };
  }
  if (answer.status === 402 && answer.body) {
    logger.warn('payment declined', { last4, reason: answer.body.reason });
    return { approved: false, reason: answer.body.reason || 'declined', last4, amountCents, currency };
  }
  logger.error('unexpected answer from card processor', { status: answer.status });
  return failure('processor_error', `card processor answered HTTP ${answer.status}`);
}

module.exports = { main };
