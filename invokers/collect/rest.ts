// The OpenWhisk REST API as pull mode reads it, through the `openwhisk` client: activation records
// page by page (docs, since, skip, limit <= 200) and each activation's logs. Refusals come back as
// one line naming the fix; throttling (429), server errors (5xx) and dropped connections are retried
// with exponential backoff before they are reported.
import openwhisk from 'openwhisk';
import type { ActivationDoc } from './activation-batch';

/** OpenWhisk's largest page. */
export const MAX_PAGE = 200;

export interface PullSource {
  /** one page of activation records, newest first */
  listPage(query: { since: number; skip: number; limit: number }): Promise<ActivationDoc[]>;
  /** one activation's log lines, as OpenWhisk keeps them */
  logs(activationId: string): Promise<string[]>;
}

export interface RestOptions {
  apihost: string;
  auth: string;
  namespace?: string;
  /** attempts per request for retryable failures (default 5) */
  attempts?: number;
  /** first backoff, doubled each time (ms, default 500) */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** one line per retry */
  log?: (line: string) => void;
}

/** A failure of the REST API that retrying did not (or cannot) fix; its message is the one line to show. */
export class PullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullError';
  }
}

export function restSource(options: RestOptions): PullSource {
  const ow = openwhisk({ apihost: options.apihost, api_key: options.auth, ...(options.namespace ? { namespace: options.namespace } : {}) });
  const call = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, options);
  return {
    async listPage({ since, skip, limit }) {
      const page = await call(`listing activations (skip ${skip})`, () =>
        ow.activations.list({ docs: true, since, skip, limit: Math.min(limit, MAX_PAGE) } as never) as Promise<unknown>,
      );
      if (!Array.isArray(page)) throw new PullError(`${options.apihost} answered the activation list with ${typeof page}, not a list: is it an OpenWhisk API host?`);
      return page as ActivationDoc[];
    },
    async logs(activationId) {
      const body = (await call(`reading the logs of ${activationId}`, () => ow.activations.logs({ name: activationId } as never) as Promise<unknown>)) as { logs?: unknown };
      return Array.isArray(body?.logs) ? body.logs.filter((l): l is string => typeof l === 'string') : [];
    },
  };
}

/** Pure: is this failure worth retrying, and how to say it when it is final. */
export function classifyFailure(err: unknown, apihost: string, what: string): { retry: boolean; message: string } {
  const status = (err as { statusCode?: unknown })?.statusCode;
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (status === 401 || status === 403) {
    return { retry: false, message: `${apihost} refused the credentials (HTTP ${status}) while ${what}: check --auth (OW_AUTH or ~/.wskprops) and --namespace` };
  }
  if (status === 429) return { retry: true, message: `${apihost} kept throttling (HTTP 429) while ${what}: run collect again later, or less often` };
  if (typeof status === 'number' && status >= 500) return { retry: true, message: `${apihost} failed (HTTP ${status}) while ${what}: ${detail}` };
  if (typeof status === 'number') return { retry: false, message: `${apihost} refused (HTTP ${status}) while ${what}: ${detail}` };
  return { retry: true, message: `cannot reach ${apihost} while ${what}: ${detail}; check --apihost` };
}

async function withRetry<T>(what: string, fn: () => Promise<T>, options: RestOptions): Promise<T> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let delay = options.backoffMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const { retry, message } = classifyFailure(err, options.apihost, what);
      if (!retry || attempt >= attempts) throw new PullError(message);
      options.log?.(`collect: ${message} (attempt ${attempt} of ${attempts}; retrying in ${delay} ms)`);
      await sleep(delay);
      delay = Math.min(delay * 2, 8_000);
    }
  }
}
