'use strict';
// Publishes a shop event: stores it in the events table (the shop's event log), then notifies the
// subscriber's webhook, if one is configured. Publishing the same event twice stores it once.
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

  const notifyUrl = params.notifyUrl || process.env.PURCHASE_WEBHOOK_URL;
  let notified = false;
  if (notifyUrl) {
    try {
      const answer = await postJson(notifyUrl, item);
      notified = answer.status >= 200 && answer.status < 300;
      if (!notified) console.error(`webhook answered HTTP ${answer.status} for ${item.id}`);
    } catch (err) {
      // the event is stored; the subscriber can catch up from the events table
      console.error(`webhook unreachable for ${item.id}: ${err.message}`);
    }
  }
  console.log(`published ${item.id}${notified ? ' and notified the subscriber' : ''}`);
  return { eventId: item.id, notified };
}

module.exports = { main };
