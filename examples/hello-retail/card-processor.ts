// The card processor authorize-cc talks to: a real HTTP peer on 127.0.0.1, outside the platform.
// It approves payments on valid, unexpired cards within a credit limit, like a payment gateway's
// test mode, and remembers what it decided.
import { randomBytes } from 'node:crypto';
import { listenOnLoopback } from './loopback-http';

/** Cards this processor always declines (a gateway's "generic decline" test card). */
export const DECLINED_CARDS: ReadonlySet<string> = new Set(['4000000000000002']);
export const DEFAULT_CREDIT_LIMIT_CENTS = 500_000;

export interface AuthorizationRequest {
  card?: { number?: unknown; expiry?: unknown; holder?: unknown };
  amountCents?: unknown;
  currency?: unknown;
  reference?: unknown;
}

export type Decision = { approved: true } | { approved: false; reason: string };

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** A card expiring "MM/YY" is valid through the last day of that month. */
export function expired(expiry: string, now: Date): boolean {
  const match = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry);
  if (!match) return true;
  const firstOfNextMonth = Date.UTC(2000 + Number(match[2]), Number(match[1]), 1);
  return now.getTime() >= firstOfNextMonth;
}

/** Pure: what the processor answers to one authorization request. */
export function decide(request: AuthorizationRequest, now: Date, creditLimitCents = DEFAULT_CREDIT_LIMIT_CENTS): Decision {
  const number = typeof request.card?.number === 'string' ? request.card.number : '';
  const expiry = typeof request.card?.expiry === 'string' ? request.card.expiry : '';
  const amount = request.amountCents;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) return { approved: false, reason: 'invalid_amount' };
  if (!luhnValid(number)) return { approved: false, reason: 'invalid_number' };
  if (expired(expiry, now)) return { approved: false, reason: 'expired_card' };
  if (DECLINED_CARDS.has(number)) return { approved: false, reason: 'card_declined' };
  if (amount > creditLimitCents) return { approved: false, reason: 'insufficient_funds' };
  return { approved: true };
}

export interface AuthorizationLogEntry {
  reference?: string;
  last4: string;
  amountCents: unknown;
  approved: boolean;
  authCode?: string;
  reason?: string;
  at: number;
}

export interface CardProcessor {
  url: string;
  port: number;
  /** every decision, in order */
  authorizations: AuthorizationLogEntry[];
  stop(): Promise<void>;
}

export async function startCardProcessor(options: { port?: number; creditLimitCents?: number } = {}): Promise<CardProcessor> {
  const authorizations: AuthorizationLogEntry[] = [];
  const server = await listenOnLoopback(({ method, path, body }) => {
    if (method !== 'POST' || path !== '/authorize') return { status: 404, body: { error: `no route ${method} ${path}` } };
    if (!body || typeof body !== 'object') return { status: 400, body: { error: 'expected a JSON authorization request' } };
    const request = body as AuthorizationRequest;
    const decision = decide(request, new Date(), options.creditLimitCents);
    const number = typeof request.card?.number === 'string' ? request.card.number : '';
    const entry: AuthorizationLogEntry = {
      reference: typeof request.reference === 'string' ? request.reference : undefined,
      last4: number.slice(-4),
      amountCents: request.amountCents,
      approved: decision.approved,
      at: Date.now(),
    };
    authorizations.push(entry);
    if (!decision.approved) {
      entry.reason = decision.reason;
      return { status: 402, body: { approved: false, reason: decision.reason } };
    }
    entry.authCode = randomBytes(3).toString('hex').toUpperCase();
    return { status: 200, body: { approved: true, authCode: entry.authCode } };
  }, options.port);
  return { url: server.url, port: server.port, authorizations, stop: server.stop };
}
