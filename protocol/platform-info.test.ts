import { describe, expect, it } from 'vitest';
import { parsePlatformInfo } from './platform-info';

describe('parsePlatformInfo', () => {
  it.each([
    ['{"pid":5,"dynamodb":"http://127.0.0.1:1","apihost":"x"}', { pid: 5, dynamodb: 'http://127.0.0.1:1', apihost: 'x' }],
    ['{"pid":"5","dynamodb":"http://127.0.0.1:1"}', undefined],
    ['{"pid":5}', undefined],
    ['not json', undefined],
  ])('%s', (text, expected) => {
    expect(parsePlatformInfo(text)).toEqual(expected);
  });
});
