// The demo's shoppers: benign traffic sent to the deployed actions over OpenWhisk's REST API, each
// request with its own X-Request-ID so the demo knows every request id it caused.
import { randomBytes } from 'node:crypto';

export type StepKind = 'register' | 'lookup' | 'purchase' | 'restock';

export interface Step {
  kind: StepKind;
  /** the function name in serverless.yml */
  fn: string;
  params: Record<string, unknown>;
  /** steps sharing a group number run at the same time (so a second container starts) */
  group?: number;
  label: string;
}

export interface StepOutcome {
  step: Step;
  requestId: string;
  activationId?: string;
  ok: boolean;
  result: Record<string, unknown>;
  ms: number;
}

const CARD_OK = { number: '4242 4242 4242 4242', expiry: '12/34', holder: 'Ada Shopper' };
const CARD_DECLINED = { number: '4000 0000 0000 0002', expiry: '12/34', holder: 'Bob Shopper' };
/** The demo's delivery: each line raises one product's stock (one DynamoDB write, one unit). */
export const RESTOCK_LINES = [
  { productId: 'shoe-trail-runner', quantity: 5 },
  { productId: 'hat-wool-beanie', quantity: 12 },
  { productId: 'coat-storm-shell', quantity: 2 },
];
const ADA = { email: 'ada@example.com', name: 'Ada Shopper' };
const BOB = { email: 'bob@example.com', name: 'Bob Shopper' };

/** Pure: what the shoppers do, in order. */
export function demoPlan(): Step[] {
  return [
    { kind: 'register', fn: 'product-register', label: 'register Canvas Sneaker', params: { name: 'Canvas Sneaker', category: 'shoes', brand: 'Marlow', priceCents: 6900 } },
    { kind: 'register', fn: 'product-register', label: 'register Rain Hat', params: { name: 'Rain Hat', category: 'hats', brand: 'Northfork', priceCents: 3200 } },
    { kind: 'lookup', fn: 'product-lookup', label: 'browse shoes', params: { category: 'shoes' } },
    { kind: 'lookup', fn: 'product-lookup', label: 'look up shoe-trail-runner', params: { id: 'shoe-trail-runner' } },
    { kind: 'lookup', fn: 'product-lookup', label: 'look up hats-rain-hat', params: { id: 'hats-rain-hat' } },
    { kind: 'purchase', fn: 'purchase', label: 'Ada buys 1 Trail Runner', params: { productId: 'shoe-trail-runner', quantity: 1, card: CARD_OK, customer: ADA } },
    { kind: 'purchase', fn: 'purchase', label: 'Ada buys 2 more Trail Runners', params: { productId: 'shoe-trail-runner', quantity: 2, card: CARD_OK, customer: ADA } },
    { kind: 'purchase', fn: 'purchase', label: 'Bob buys a Storm Shell (card declined)', params: { productId: 'coat-storm-shell', quantity: 1, card: CARD_DECLINED, customer: BOB } },
    { kind: 'purchase', fn: 'purchase', label: 'Ada buys 3 Wool Beanies', group: 1, params: { productId: 'hat-wool-beanie', quantity: 3, card: CARD_OK, customer: ADA } },
    { kind: 'purchase', fn: 'purchase', label: 'Bob buys a Canvas Sneaker', group: 1, params: { productId: 'shoes-canvas-sneaker', quantity: 1, card: { ...CARD_OK, holder: 'Bob Shopper' }, customer: BOB } },
    { kind: 'purchase', fn: 'purchase', label: 'Ada buys a Rain Hat with her saved card', params: { productId: 'hats-rain-hat', quantity: 1, savedCardId: 'card-ada-visa', customer: ADA } },
    // a batch: one execution unit per delivery line
    { kind: 'restock', fn: 'restock', label: 'restock a delivery of 3 products', params: { deliveryId: 'delivery-1', lines: RESTOCK_LINES } },
  ];
}

/** Pure: a fresh request id per request; the run id keeps runs apart in a persistent store. */
export function requestIdFor(runId: string, index: number, step: Step): string {
  return `hr-${runId}-${String(index + 1).padStart(2, '0')}-${step.kind}`;
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export interface PlatformAccess {
  apihost: string;
  auth: string;
  /** what the deployed action names start with: Serverless v3 names them <service>-<stage>-<function> */
  actionPrefix: string;
}

export function apiBase(apihost: string): string {
  const withScheme = /^https?:\/\//.test(apihost) ? apihost : `http://${apihost}`;
  return withScheme.replace(/\/+$/, '');
}

/** One blocking invocation over HTTP, as an external client would send it. */
export async function invokeOverHttp(access: PlatformAccess, step: Step, requestId: string, signal?: AbortSignal): Promise<StepOutcome> {
  const url = `${apiBase(access.apihost)}/api/v1/namespaces/_/actions/${encodeURIComponent(`${access.actionPrefix}${step.fn}`)}?blocking=true`;
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(access.auth).toString('base64')}`,
      'content-type': 'application/json',
      'x-request-id': requestId,
    },
    body: JSON.stringify(step.params),
    ...(signal ? { signal } : {}),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${step.label}: the platform answered HTTP ${response.status} with no JSON (${text.slice(0, 120)})`);
  }
  const result = (body?.response?.result ?? body) as Record<string, unknown>;
  const ok = response.status === 200 && body?.response?.success === true && result.error === undefined;
  return { step, requestId, activationId: body?.activationId, ok, result, ms: Date.now() - started };
}

/**
 * Runs the plan: steps in order, steps of one group together. `firstIndex` numbers the request ids
 * of a plan that continues an earlier one in the same run (so ids never repeat).
 */
export async function driveTraffic(
  access: PlatformAccess,
  plan: Step[],
  runId: string,
  onOutcome: (outcome: StepOutcome) => void = () => {},
  signal?: AbortSignal,
  firstIndex = 0,
): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  let index = 0;
  while (index < plan.length) {
    const group = plan[index].group;
    const batch: Array<{ step: Step; index: number }> = [];
    do {
      batch.push({ step: plan[index], index });
      index++;
    } while (group !== undefined && index < plan.length && plan[index].group === group);
    const done = await Promise.all(batch.map(({ step, index: i }) => invokeOverHttp(access, step, requestIdFor(runId, firstIndex + i, step), signal)));
    for (const outcome of done) {
      outcomes.push(outcome);
      onOutcome(outcome);
    }
  }
  return outcomes;
}

/** Pure: the purchase whose provenance the demo prints — preferably one priced from the warm
 * container's /tmp cache (it shows state one request left for another), else the first approved one. */
export function purchaseToShow(outcomes: StepOutcome[]): StepOutcome | undefined {
  const approved = outcomes.filter((o) => o.step.kind === 'purchase' && o.ok && o.result.status === 'authorized');
  return approved.find((o) => o.result.priceSource === 'cache') ?? approved[0];
}
