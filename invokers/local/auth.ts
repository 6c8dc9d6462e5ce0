// Basic-auth credentials `uuid:key`, as OpenWhisk uses them (pure, apart from random generation).
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const AUTH_FORMAT = /^[^:\s]+:\S+$/;

export function generateAuth(): string {
  return `${randomUUID()}:${randomBytes(48).toString('base64url').slice(0, 64)}`;
}

export function validateAuth(auth: string): string {
  if (!AUTH_FORMAT.test(auth)) {
    throw new Error(`the platform credentials must look like <uuid>:<key> with no spaces (got ${JSON.stringify(auth.slice(0, 20))}...)`);
  }
  return auth;
}

/** The `uuid:key` from an `Authorization: Basic …` header, or undefined. */
export function credentialsFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  return Buffer.from(m[1], 'base64').toString('utf8');
}

export function isAuthorized(header: string | undefined, expected: string): boolean {
  const given = credentialsFromHeader(header);
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `X-Request-ID` from the caller becomes the transaction id when it is a sane token. */
export function transactionIdFrom(header: string | string[] | undefined, generate: () => string): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return generate();
  if (!/^[\x21-\x7e]{1,256}$/.test(value)) {
    throw new Error('X-Request-ID must be 1 to 256 printable ASCII characters without spaces');
  }
  return value;
}

/** A transaction id for a request that brought none (32 hex characters, like OpenWhisk's). */
export function newTransactionId(): string {
  return randomBytes(16).toString('hex');
}
