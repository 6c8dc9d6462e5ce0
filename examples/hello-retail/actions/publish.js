'use strict';
// Publishes a shop event: stores it in the events table (the shop's event log), then notifies the
// subscriber's webhook, if one is configured, and the storefront's callback, if the event came with
// one (`callbackUrl`). Publishing the same event twice stores it once.
const { PutCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { postJson } = require('./lib/http-json');
const { failure } = require('./lib/errors');

async function main(params) {
  const event = params && params.event;
  if (!event || typeof event !== 'object' || typeof event.type !== 'string' || typeof event.subject !== 'string') {
    return failure('bad_request', 'publish needs "event" with a "type" and a "subject" (e.g. the purchase id)');
  }
  const item = {
    id: `${event.type}:${event.subject}`,
    type: event.type,
    subject: event.subject,
    data: event.data,
    publishedAt: new Date().toISOString(),
  };
  await db().send(new PutCommand({ TableName: tableName('events', params), Item: item }));

  const notified = await notify(params.notifyUrl || process.env.PURCHASE_WEBHOOK_URL, item, 'webhook');
  const calledBack = await notify(params.callbackUrl, item, 'storefront callback');
  console.log(`published ${item.id}${notified ? ' and notified the subscriber' : ''}`);
  if (calledBack) console.log(`called the storefront back for ${item.id}`);
  return { eventId: item.id, notified, ...(params.callbackUrl ? { calledBack } : {}) };
}

// POSTs the event; false when there is nowhere to send it or it did not arrive (the event is
// stored, so a subscriber can catch up from the events table).
async function notify(url, item, who) {
  if (!url) return false;
  try {
    const answer = await postJson(url, item);
    if (answer.status >= 200 && answer.status < 300) return true;
    console.error(`${who} answered HTTP ${answer.status} for ${item.id}`);
  } catch (err) {
    console.error(`${who} unreachable for ${item.id}: ${err.message}`);
  }
  return false;
}

module.exports = { main };
