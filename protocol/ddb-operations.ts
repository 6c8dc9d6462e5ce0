// DynamoDB operation names as they cross from the wrapper to the correlator: the wrapper's `ddb`
// records name an operation, and the correlator's graph labels edges with it. Both spell it the
// way DynamoDB's API does ("GetItem", "Query"), whichever client (low-level or document) made the
// call, so one operation is one name on both sides.

/** The document client's command names that differ from the API operation they perform. */
const DOCUMENT_CLIENT_OPERATIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

/** The operation name DynamoDB uses, from a command class name of either client ("GetCommand" -> "GetItem"). */
export function operationName(commandClassName: string): string {
  const base = commandClassName.replace(/Command$/, '');
  return DOCUMENT_CLIENT_OPERATIONS[base] ?? base;
}
