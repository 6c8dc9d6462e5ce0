// Waiting in integration tests for something another process does: poll at a steady pace, give up
// at a deadline naming what never came. One pair of helpers, so every suite fails the same way.

/** Resolves with the probe's first value that is neither undefined nor false; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `until`, for probes that throw while the thing is not there yet (a 404 from the API): a throw counts as not yet. */
export function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  return until(what, async () => {
    try {
      return await probe();
    } catch {
      return undefined; // not there yet
    }
  }, timeoutMs, everyMs);
}
