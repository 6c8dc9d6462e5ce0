// The pieces of the example attacks on their own: the receipt compiler's flaw (and that the shop's
// own templates render safely), the attack plans against the shop's data (which cards are declined,
// which are saved), what the attacker's server collects, and the demo's check of the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decide } from '../examples/hello-retail/card-processor';
import { SAVED_CARDS } from '../examples/hello-retail/setup';
import {
  ATTACKER_HOST,
  CALLBACK_PATH,
  containerReusePlan,
  exfiltrationPlan,
  maskCard,
  PLANT_PATH,
  plantingTemplate,
  startAttackerServer,
  stolenCards,
  type AttackerServer,
  type Loot,
} from '../examples/hello-retail/attacks';
import { checkReport } from '../examples/hello-retail/attack-run';
import type { Incident } from '../upg/analyses/types';

const requireHere = createRequire(__filename);
const receipts = requireHere('../examples/hello-retail/actions/lib/receipts.js') as {
  compile(template: string): string;
  prepareReceipt(locale: string, template: string | undefined, options: { dir: string }): void;
  renderReceipt(locale: string, order: unknown, options: { dir: string }): string;
  readLocale(value: unknown): { locale?: string; problem?: string };
};

const NOW = new Date(Date.UTC(2026, 10, 22));
const ORDER = { customer: { name: 'Ada <b>' }, purchaseId: 'pur-1', quantity: 2, productId: 'hat-wool-beanie', total: '48.00', currency: 'USD', card: { number: '5105105105105100', holder: 'Ada' } };

let dir: string;
let attacker: AttackerServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'receipts-'));
  attacker = await startAttackerServer();
});
afterAll(async () => {
  await attacker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('receipts (actions/lib/receipts.js)', () => {
  it.each([
    ['en', 'Thank you, Ada &#60;b&#62;! Order pur-1: 2 x hat-wool-beanie, 48.00 USD, paid by card (Ada).'],
    ['fr', 'Merci, Ada &#60;b&#62; ! Commande pur-1 : 2 x hat-wool-beanie, 48.00 USD, payée par carte (Ada).'],
    ['de-AT', 'Danke, Ada &#60;b&#62;! Bestellung pur-1: 2 x hat-wool-beanie, 48.00 USD, bezahlt mit Karte (Ada).'],
  ])('renders the shop\u2019s %s template with escaped values, compiled once to <dir>/<locale>.js', (locale, text) => {
    receipts.prepareReceipt(locale, undefined, { dir });
    expect(readFileSync(join(dir, `${locale}.js`), 'utf8')).toContain('module.exports = function render(d)');
    expect(receipts.renderReceipt(locale, ORDER, { dir })).toBe(text);
  });

  it.each([
    [undefined, { locale: 'en' }],
    ['fr-CA', { locale: 'fr-CA' }],
    ['../x', { problem: expect.stringContaining('customer.locale') }],
    [7, { problem: expect.stringContaining('customer.locale') }],
  ])('reads locale %j', (value, expected) => {
    expect(receipts.readLocale(value)).toEqual(expected);
  });

  it('rejects a storefront template that does not compile, before anything is written', () => {
    expect(() => receipts.prepareReceipt('it', 'Grazie ${ (', { dir })).toThrow();
    expect(() => readFileSync(join(dir, 'it.js'))).toThrow();
  });

  it('has the flaw the attack uses: template text inside ${…} becomes code of the compiled module', () => {
    expect(receipts.compile('a `b` {{x}}')).toContain('return `a \\`b\\` ${esc(get(d, "x"))}`;');
    expect(receipts.compile('${process.pid}')).toContain('return `${process.pid}`;');
  });

  it('a planted template renders like a receipt and POSTs the order\u2019s card to the attacker', async () => {
    receipts.prepareReceipt('pt', plantingTemplate(attacker), { dir });
    const text = receipts.renderReceipt('pt', ORDER, { dir });
    expect(text).toBe('Merci, Ada &#60;b&#62; ! Commande pur-1 : 2 x hat-wool-beanie, 48.00 USD.');
    const deadline = Date.now() + 3000;
    while (stolenCards(attacker.loot, PLANT_PATH).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(stolenCards(attacker.loot, PLANT_PATH)).toEqual(['5105105105105100']);
  });
});

describe('attack plans', () => {
  const where = { host: ATTACKER_HOST, port: 4242, url: `http://${ATTACKER_HOST}:4242` };

  it('plants with a declined card (so the attacker never renders the template) in the locale the victim uses', () => {
    const [plant, victim] = containerReusePlan(where);
    const card = (step: typeof plant) => step.params.card as { number: string; expiry: string };
    expect(decide({ card: { number: card(plant).number.replace(/\s/g, ''), expiry: card(plant).expiry }, amountCents: 2400 }, NOW)).toEqual({ approved: false, reason: 'card_declined' });
    expect(decide({ card: { number: card(victim).number.replace(/\s/g, ''), expiry: card(victim).expiry }, amountCents: 4800 }, NOW)).toEqual({ approved: true });
    expect((plant.params.customer as { locale: string }).locale).toBe((victim.params.customer as { locale: string }).locale);
    expect((plant.params.receipt as { template: string }).template).toContain(`host: "${ATTACKER_HOST}", port: 4242`);
    expect(victim.params.receipt).toBeUndefined();
    expect([plant.group, victim.group]).toEqual([undefined, undefined]);
  });

  it('exfiltrates a card that is in the vault, for the customer it belongs to, to the attacker', () => {
    const [step] = exfiltrationPlan(where);
    const saved = SAVED_CARDS.find((c) => c.id === step.params.savedCardId);
    expect(saved?.customerEmail).toBe((step.params.customer as { email: string }).email);
    expect(step.params.callback).toEqual({ url: `${where.url}${CALLBACK_PATH}`, fields: ['customer', 'payment'] });
  });
});

describe('stolenCards', () => {
  const loot = (path: string, body: unknown): Loot => ({ path, body, at: 0 });
  it.each<[Loot[], string, string[]]>([
    [[loot('/r', { card: { number: '5105 1051 0510 5100' } })], '/r', ['5105105105105100']],
    [[loot('/cb', { data: { payment: { number: '5555555555554444', last4: '4444' } } })], '/cb', ['5555555555554444']],
    [[loot('/r', { card: { number: '5105105105105100' } })], '/cb', []],
    [[loot('/r', { number: '12' }), loot('/r', { reference: '4242424242424242' })], '/r', []],
    [[loot('/r', { a: { number: '4111111111111111' } }), loot('/r', { b: { number: '4111-1111-1111-1111' } })], '/r', ['4111111111111111']],
  ])('%j on %s -> %j', (entries, path, expected) => {
    expect(stolenCards(entries, path)).toEqual(expected);
  });
  it('masks a card number', () => expect(maskCard('5105105105105100')).toBe('5105…5100'));
});

describe('checkReport', () => {
  const party = (request: string, action: string) => ({ request, activation: `a-${request}`, action: `/guest/hello-retail-dev-${action}` });
  const incident = (over: Partial<Incident>): Incident => ({
    id: 'x',
    kind: 'container-reuse',
    verdict: 'attack',
    container: 'ctr:c1',
    planter: party('plant', 'purchase'),
    victims: [party('victim', 'purchase')],
    artifact: { kind: 'file', path: '/tmp/hello-retail/receipts/fr.js', node: 'file:c1:/tmp/hello-retail/receipts/fr.js' },
    sink: { kind: 'socket', address: ATTACKER_HOST, port: 4242, node: 'sock:tcp:127.0.0.66:4242' },
    path: [],
    timeline: [],
    requests: ['plant', 'victim'],
    reason: '',
    evidence: [],
    detectedAt: '2026-11-22T00:00:00.000Z',
    ...over,
  });
  const reuse = incident({ id: 'r' });
  const exfil = incident({
    id: 'e',
    kind: 'exfiltration',
    planter: party('steal', 'purchase'),
    victims: [party('steal', 'publish')],
    artifact: { kind: 'item', table: 'hello-retail-cards', key: { id: 'card-eve-mc' }, node: 'item:cards' },
    requests: ['steal'],
  });
  const cache = incident({ id: 'c', verdict: 'benign-shared-state', planter: party('b1', 'get-price'), victims: [party('b2', 'get-price')], artifact: { kind: 'file', path: '/tmp/hello-retail/price-cache.json', node: 'f' }, requests: ['b1', 'b2'] });
  const run = { planter: 'plant', victim: 'victim', exfiltrator: 'steal' };

  it.each<[string, Incident[], boolean, RegExp]>([
    ['both attacks and a benign cache', [reuse, exfil, cache], true, /✔ exfiltration attack: steal carried hello-retail-cards data/],
    ['the exfiltration missing', [reuse, cache], false, /✘ exfiltration attack: steal carried card data outside: not reported/],
    ['the reuse with the wrong victim', [incident({ victims: [party('other', 'purchase')] }), exfil], false, /✘ container-reuse attack: planted by plant, loaded by victim: not reported/],
    ['an attack verdict on benign traffic', [reuse, exfil, { ...cache, verdict: 'attack' }], false, /✘ attack verdicts on other requests: container-reuse b1,b2/],
    ['a suspicious incident', [reuse, exfil, { ...cache, verdict: 'suspicious' }], false, /✘ suspicious: container-reuse b1,b2/],
    ['an exfiltration to somewhere else', [reuse, { ...exfil, sink: { kind: 'socket', address: '10.0.0.1', port: 80, node: 's' } }], false, /✘ exfiltration attack/],
  ])('%s', (_name, incidents, ok, line) => {
    const check = checkReport(incidents, run, ATTACKER_HOST);
    expect(check.ok).toBe(ok);
    expect(check.lines.join('\n')).toMatch(line);
  });
});
