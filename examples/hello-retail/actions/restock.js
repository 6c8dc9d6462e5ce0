'use strict';
// Restocking: a supplier's delivery note lists several products; each line raises one product's
// stock. A batch-processing action: one DynamoDB write per line, logged before and after, so each
// iteration of the loop is one execution unit in the provenance graph (issue 5).
const { UpdateCommand } = require('@aws-sdk/lib-dynamodb');
const { tableName, db } = require('./lib/tables');
const { failure } = require('./lib/errors');

async function main(params) {
  const lines = Array.isArray(params && params.lines) ? params.lines : [];
  if (lines.length === 0) return failure('bad_request', 'a delivery needs lines: [{productId, quantity}, ...]');
  const table = tableName('products', params);
  const delivery = typeof params.deliveryId === 'string' && params.deliveryId !== '' ? params.deliveryId : 'unnamed';
  console.log(`delivery ${delivery}: ${lines.length} line(s)`);
  const restocked = [];
  for (const line of lines) {
    if (typeof line.productId !== 'string' || !Number.isInteger(line.quantity) || line.quantity <= 0) {
      console.warn(`skipping a line of delivery ${delivery}: needs productId and a positive quantity`);
      continue;
    }
    console.log(`restocking ${line.productId} by ${line.quantity}`);
    const { Attributes } = await db().send(
      new UpdateCommand({
        TableName: table,
        Key: { id: line.productId },
        UpdateExpression: 'ADD stock :q',
        ExpressionAttributeValues: { ':q': line.quantity },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    console.log(`restocked ${line.productId}: stock now ${Attributes.stock}`);
    restocked.push({ productId: line.productId, stock: Attributes.stock });
  }
  console.log(`delivery ${delivery} done: ${restocked.length} product(s) restocked`);
  return { delivery, restocked };
}

module.exports = { main };
