// DynamoDB's batch calls may leave part of a request unprocessed (throttling): send what is left
// again, with exponential backoff, and give up with the caller's message after MAX_ATTEMPTS.

/** calls at most, the first included */
export const MAX_ATTEMPTS = 8;
const RETRY_BASE_MS = 25;

/**
 * Sends `requests` with `send`, which answers what it left unprocessed, until nothing is left.
 * Throws `giveUp(left)` when requests are still left after MAX_ATTEMPTS calls.
 */
export async function untilProcessed<T>(requests: T[], send: (pending: T[]) => Promise<T[]>, giveUp: (left: number) => Error): Promise<void> {
  let pending = requests;
  for (let attempt = 1; ; attempt++) {
    pending = await send(pending);
    if (pending.length === 0) return;
    if (attempt >= MAX_ATTEMPTS) throw giveUp(pending.length);
    await new Promise<void>((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** attempt));
  }
}
