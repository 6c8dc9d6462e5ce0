import { describe, expect, it } from 'vitest';
import { displayDir, isLoopback, planLocal, regionFromEndpoint, resolveLocation, type StoreOptions } from './location';
import { StoreError } from './errors';

const cwd = '/home/u/app';

describe('resolveLocation', () => {
  it.each<[string, StoreOptions, Record<string, string>, object]>([
    ['default: ./.provenance, table provenance', {}, {}, { dir: '/home/u/app/.provenance', table: 'provenance' }],
    ['PROVENANCE_STORE moves it', {}, { PROVENANCE_STORE: 'data/prov' }, { dir: '/home/u/app/data/prov', table: 'provenance' }],
    ['empty PROVENANCE_STORE is ignored', {}, { PROVENANCE_STORE: '' }, { dir: '/home/u/app/.provenance', table: 'provenance' }],
    ['--store beats the environment', { store: '/srv/p' }, { PROVENANCE_STORE: 'x' }, { dir: '/srv/p', table: 'provenance' }],
    ['--table and region from the environment', { table: 'prov-dev' }, { AWS_REGION: 'eu-west-1' }, { dir: '/home/u/app/.provenance', table: 'prov-dev', region: 'eu-west-1' }],
    ['--endpoint: a DynamoDB, region from its host name', { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com' }, {}, { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', table: 'provenance', region: 'eu-west-1' }],
    ['--region beats the environment and the host', { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'us-east-2' }, { AWS_REGION: 'x' }, { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', table: 'provenance', region: 'us-east-2' }],
    ['AWS_DEFAULT_REGION is used last', { endpoint: 'http://127.0.0.1:8000' }, { AWS_DEFAULT_REGION: 'ap-south-1' }, { endpoint: 'http://127.0.0.1:8000', table: 'provenance', region: 'ap-south-1' }],
    ['--endpoint ignores PROVENANCE_STORE', { endpoint: 'http://127.0.0.1:8000' }, { PROVENANCE_STORE: '/x' }, { endpoint: 'http://127.0.0.1:8000', table: 'provenance' }],
  ])('%s', (_name, options, env, expected) => {
    expect(resolveLocation(options, env, cwd)).toEqual(expected);
  });

  it.each<[string, StoreOptions, RegExp]>([
    ['both --store and --endpoint', { store: 'a', endpoint: 'http://127.0.0.1:1' }, /either --store DIR .* or --endpoint URL/],
    ['an endpoint that is not a URL', { endpoint: '127.0.0.1:8000' }, /bad --endpoint "127.0.0.1:8000": give an http\(s\) URL/],
    ['an endpoint without a scheme', { endpoint: 'localhost:8000' }, /bad --endpoint "localhost:8000": give an http\(s\) URL/],
    ['an endpoint with another scheme', { endpoint: 'ftp://x' }, /bad --endpoint "ftp:\/\/x": give an http\(s\) URL/],
    ['a table name DynamoDB refuses', { table: 'a b' }, /bad --table "a b"/],
    ['a table name too short', { table: 'ab' }, /bad --table "ab"/],
  ])('refuses %s with a usage error', (_name, options, message) => {
    let error: unknown;
    try {
      resolveLocation(options, {}, cwd);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });
});

describe('planLocal', () => {
  const platform = { pid: 123, dynamodb: 'http://127.0.0.1:4567' };
  it.each([
    ['a running platform owns the store: use its endpoint', { platform, pidAlive: true, dataExists: true, create: false }, { use: 'running', endpoint: platform.dynamodb, pid: 123 }],
    ['a stale platform.json is ignored', { platform, pidAlive: false, dataExists: true, create: false }, { use: 'own', create: false }],
    ['no platform, data present: open it ourselves', { pidAlive: false, dataExists: true, create: false }, { use: 'own', create: false }],
    ['no data and reading: missing', { pidAlive: false, dataExists: false, create: false }, { use: 'missing' }],
    ['no data and creating: open (and create) it', { pidAlive: false, dataExists: false, create: true }, { use: 'own', create: true }],
  ])('%s', (_name, facts, expected) => {
    expect(planLocal(facts)).toEqual(expected);
  });
});

describe('helpers', () => {
  it.each([
    ['http://127.0.0.1:8000', true],
    ['http://127.3.4.5', true],
    ['http://localhost:8000', true],
    ['http://[::1]:8000', true],
    ['https://dynamodb.eu-west-1.amazonaws.com', false],
    ['http://10.0.0.1:8000', false],
  ])('isLoopback(%s) = %s', (url, expected) => {
    expect(isLoopback(url)).toBe(expected);
  });

  it.each([
    ['https://dynamodb.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['https://dynamodb-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1'],
    ['https://dynamodb.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
    ['http://127.0.0.1:8000', undefined],
  ])('regionFromEndpoint(%s) = %s', (url, expected) => {
    expect(regionFromEndpoint(new URL(url))).toBe(expected);
  });

  it.each([
    ['/home/u/app/.provenance', './.provenance'],
    ['/home/u/app', '.'],
    ['/srv/p', '/srv/p'],
    ['/home/u/application', '/home/u/application'],
  ])('displayDir(%s) = %s', (dir, expected) => {
    expect(displayDir(dir, cwd)).toBe(expected);
  });
});
