// Pure parts of the hello-retail demo: the traffic plan, request ids, which purchase is shown,
// the deploy environment, the demo's options, and the card processor's decisions.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { demoPlan, requestIdFor, purchaseToShow, apiBase, type StepOutcome } from '../examples/hello-retail/traffic';
import { deployEnv } from '../examples/hello-retail/deploy';
import { parseDemoArgs } from '../examples/hello-retail/demo-options';
import { SEED_PRODUCTS, createTableInput } from '../examples/hello-retail/setup';
import { decide, expired, luhnValid } from '../examples/hello-retail/card-processor';

describe('demo plan', () => {
  const plan = demoPlan();

  it('buys only products that are seeded or registered before the purchase', () => {
    const known = new Set(SEED_PRODUCTS.map((p) => p.id));
    for (const step of plan) {
      if (step.kind === 'register') known.add(`${step.params.category}-${String(step.params.name).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
      if (step.kind === 'purchase') expect(known, step.label).toContain(step.params.productId);
    }
  });

  it('has repeated purchases of one product back to back (a warm container and its price cache) and a concurrent pair', () => {
    const purchases = plan.filter((s) => s.kind === 'purchase');
    expect(purchases.length).toBeGreaterThanOrEqual(4);
    const firstTwo = purchases.slice(0, 2).map((s) => s.params.productId);
    expect(firstTwo[0]).toBe(firstTwo[1]);
    const groups = purchases.filter((s) => s.group !== undefined).map((s) => s.group);
    expect(groups.length).toBeGreaterThanOrEqual(2);
    expect(new Set(groups).size).toBeLessThan(groups.length);
  });

  it('gives every step its own request id, and different runs different ids', () => {
    const ids = plan.map((step, i) => requestIdFor('run1', i, step));
    expect(new Set(ids).size).toBe(plan.length);
    expect(ids[0]).toBe('hr-run1-01-register');
    expect(requestIdFor('run2', 0, plan[0])).not.toBe(ids[0]);
  });
});

describe('purchaseToShow', () => {
  const outcome = (label: string, ok: boolean, result: Record<string, unknown>, kind: 'purchase' | 'lookup' = 'purchase'): StepOutcome => ({
    step: { kind, fn: kind, params: {}, label },
    requestId: label,
    ok,
    result,
    ms: 1,
  });
  it.each([
    [[outcome('a', true, { status: 'authorized', priceSource: 'table' }), outcome('b', true, { status: 'authorized', priceSource: 'cache' })], 'b'],
    [[outcome('a', true, { status: 'declined', priceSource: 'cache' }), outcome('b', true, { status: 'authorized', priceSource: 'table' })], 'b'],
    [[outcome('a', false, { status: 'authorized', priceSource: 'cache' }), outcome('b', true, { status: 'authorized', priceSource: 'table' })], 'b'],
    [[outcome('a', true, { status: 'authorized', priceSource: 'cache' }, 'lookup')], undefined],
    [[], undefined],
  ])('picks the right purchase (%#)', (outcomes, expected) => {
    expect(purchaseToShow(outcomes)?.requestId).toBe(expected);
  });
});

describe('deploy environment', () => {
  it('points the CLI at the platform, hides foreign OpenWhisk settings, and uses a fresh HOME', () => {
    const env = deployEnv({ apihost: 'http://127.0.0.1:1234', auth: 'u:k', env: { CARD_PROCESSOR_URL: 'http://127.0.0.1:9' } }, '/tmp/home', {
      PATH: '/bin',
      HOME: '/root',
      OW_APIHOST: 'https://elsewhere',
      __OW_API_KEY: 'secret',
      WSK_CONFIG_FILE: '/root/.wskprops',
    });
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/tmp/home', OW_APIHOST: 'http://127.0.0.1:1234', OW_AUTH: 'u:k', CARD_PROCESSOR_URL: 'http://127.0.0.1:9', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' });
    expect(env.__OW_API_KEY).toBeUndefined();
    expect(env.WSK_CONFIG_FILE).toBeUndefined();
  });

  it.each([
    ['127.0.0.1:3233', 'http://127.0.0.1:3233'],
    ['http://127.0.0.1:3233/', 'http://127.0.0.1:3233'],
    ['https://ow.example', 'https://ow.example'],
  ])('api base of %s is %s', (apihost, base) => expect(apiBase(apihost)).toBe(base));
});

describe('demo options', () => {
  it.each([
    [[], {}, resolve('.provenance')],
    [[], { PROVENANCE_STORE: '/tmp/p' }, '/tmp/p'],
    [['--store', 'x'], { PROVENANCE_STORE: '/tmp/p' }, resolve('x')],
    [['--store=/tmp/y'], {}, '/tmp/y'],
  ])('%j with %j uses %s', (argv, env, dir) => expect(parseDemoArgs(argv, env).storeDir).toBe(dir));

  it.each([[['--store']], [['--verbose']]])('refuses %j with a clear message', (argv) => {
    expect(() => parseDemoArgs(argv, {})).toThrow(/--store/);
  });
});

describe('shop tables', () => {
  it('declares the products category index with its attributes', () => {
    const input = createTableInput('products', 'p');
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'category', AttributeType: 'S' },
      { AttributeName: 'id', AttributeType: 'S' },
    ]);
    expect(input.GlobalSecondaryIndexes?.[0].IndexName).toBe('byCategory');
    expect(createTableInput('prices', 'q')).toMatchObject({ TableName: 'q', KeySchema: [{ AttributeName: 'productId', KeyType: 'HASH' }] });
    expect(createTableInput('prices', 'q').GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe('card processor decisions', () => {
  const now = new Date(Date.UTC(2026, 10, 21)); // 21 Nov 2026
  it.each([
    ['4242424242424242', true],
    ['4000000000000002', true],
    ['79927398713', false], // valid Luhn but too short for a card
    ['4242424242424241', false],
    ['4242-4242-4242-4242', false],
  ])('luhnValid(%s) = %s', (number, valid) => expect(luhnValid(number)).toBe(valid));

  it.each([
    ['11/26', false],
    ['10/26', true],
    ['12/26', false],
    ['13/26', true],
    ['1/27', true],
  ])('expired(%s) on 21 Nov 2026 = %s', (expiry, result) => expect(expired(expiry, now)).toBe(result));

  it.each([
    [{ card: { number: '4242424242424242', expiry: '12/30' }, amountCents: 100 }, { approved: true }],
    [{ card: { number: '4000000000000002', expiry: '12/30' }, amountCents: 100 }, { approved: false, reason: 'card_declined' }],
    [{ card: { number: '4242424242424242', expiry: '12/30' }, amountCents: 500_001 }, { approved: false, reason: 'insufficient_funds' }],
    [{ card: { number: '4242424242424242', expiry: '12/30' }, amountCents: '100' }, { approved: false, reason: 'invalid_amount' }],
    [{ card: { number: 4242424242424242, expiry: '12/30' }, amountCents: 100 }, { approved: false, reason: 'invalid_number' }],
    [{ amountCents: 100 }, { approved: false, reason: 'invalid_number' }],
  ])('decide(%j)', (request, decision) => expect(decide(request, now)).toEqual(decision));
});
