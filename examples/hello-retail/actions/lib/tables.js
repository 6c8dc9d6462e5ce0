'use strict';
// Where the shop keeps its data. A table's name comes from the action's parameters (bound at
// deploy time in serverless.yml, or passed with one invocation), else from the environment,
// else from the defaults in tables.json — the same file the setup script creates tables from.
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
const TABLES = require('../../tables.json');

function tableName(table, params) {
  const spec = TABLES[table];
  if (!spec) throw new Error(`unknown table "${table}" (known: ${Object.keys(TABLES).join(', ')})`);
  const fromParams = params && params[spec.param];
  if (typeof fromParams === 'string' && fromParams !== '') return fromParams;
  return process.env[spec.env] || spec.defaultName;
}

// One client per container: warm activations reuse its connections. Endpoint, region and
// credentials come from the standard AWS environment (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, ...).
let documentClient;
function db() {
  if (!documentClient) {
    documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return documentClient;
}

module.exports = { tableName, db };
