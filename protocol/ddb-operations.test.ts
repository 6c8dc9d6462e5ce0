import { describe, expect, it } from 'vitest';
import { operationName } from './ddb-operations';

describe('operationName', () => {
  it.each([
    ['GetItemCommand', 'GetItem'],
    ['GetCommand', 'GetItem'],
    ['PutCommand', 'PutItem'],
    ['QueryCommand', 'Query'],
    ['BatchWriteCommand', 'BatchWriteItem'],
    ['DescribeTableCommand', 'DescribeTable'],
  ])('%s -> %s', (cls, op) => expect(operationName(cls)).toBe(op));
});
