// Errors a user can act on: one line saying what is wrong and what to do, and the exit code a command
// line should end with (2: bad usage or input, 1: the store is missing, unreachable or failing).

/** The one shape of an actionable error; the store's and the CLI's errors are this with a name. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export class StoreError extends UserError {
  override readonly name = 'StoreError';
}

/** A short reason from an SDK/network error, for the end of a one-line message. */
export function reason(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown; errors?: unknown[] };
  // Node's connect errors (and AggregateError of several addresses) carry a code such as ECONNREFUSED.
  const code = e?.code ?? (e?.cause as { code?: string } | undefined)?.code ?? (e?.errors?.[0] as { code?: string } | undefined)?.code;
  if (code && /^E[A-Z]+$/.test(code)) return code;
  const message = String(e?.message ?? err).split('\n')[0] ?? '';
  return e?.name && e.name !== 'Error' ? `${e.name}: ${message}` : message;
}

export function isConnectionError(err: unknown): boolean {
  return /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|EPIPE)$/.test(reason(err)) ||
    ['TimeoutError', 'RequestTimeout'].includes((err as { name?: string })?.name ?? '');
}
