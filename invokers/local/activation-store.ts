// Activations kept in memory, newest last, bounded (the oldest are forgotten first), with the
// list query of GET /activations (name, skip, limit, since, upto, docs, count).
import { ApiError } from './api-error';
import { summary, type ActivationRecord } from './activation-record';

export interface ActivationQuery {
  name?: string;
  skip: number;
  limit: number;
  since?: number;
  upto?: number;
  docs: boolean;
  count: boolean;
}

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 30;

function intParam(q: URLSearchParams, key: string, min: number, max: number): number | undefined {
  const raw = q.get(key);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(400, `The query parameter '${key}' must be an integer from ${min} to ${max} (got '${raw}').`);
  }
  return n;
}

function boolParam(q: URLSearchParams, key: string): boolean {
  const raw = q.get(key);
  if (raw === null || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ApiError(400, `The query parameter '${key}' must be true or false (got '${raw}').`);
}

export function parseActivationQuery(q: URLSearchParams): ActivationQuery {
  const limit = intParam(q, 'limit', 0, MAX_LIMIT);
  return {
    name: q.get('name') || undefined,
    skip: intParam(q, 'skip', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    limit: limit === undefined || limit === 0 ? DEFAULT_LIMIT : limit,
    since: intParam(q, 'since', 0, Number.MAX_SAFE_INTEGER),
    upto: intParam(q, 'upto', 0, Number.MAX_SAFE_INTEGER),
    docs: boolParam(q, 'docs'),
    count: boolParam(q, 'count'),
  };
}

/** `name` matches the action's name, or `package/name` for an action in a package. */
function matchesName(r: ActivationRecord, name: string): boolean {
  if (r.name === name) return true;
  const slash = r.namespace.indexOf('/');
  return slash >= 0 && `${r.namespace.slice(slash + 1)}/${r.name}` === name;
}

/** Newest first, like OpenWhisk. */
export function queryActivations(records: readonly ActivationRecord[], q: ActivationQuery): object {
  const selected = records
    .filter((r) => (q.name ? matchesName(r, q.name) : true))
    .filter((r) => (q.since !== undefined ? r.start >= q.since : true))
    .filter((r) => (q.upto !== undefined ? r.start <= q.upto : true))
    .sort((a, b) => b.start - a.start);
  if (q.count) return { activations: selected.length };
  const page = selected.slice(q.skip, q.skip + q.limit);
  return q.docs ? page : page.map(summary);
}

export class ActivationStore {
  private readonly byId = new Map<string, ActivationRecord>();

  constructor(private readonly capacity = 10_000) {}

  add(record: ActivationRecord): void {
    this.byId.set(record.activationId, record);
    // Maps iterate in insertion order: the first key is the oldest activation.
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value as string);
  }

  get(id: string): ActivationRecord | undefined {
    return this.byId.get(id);
  }

  all(): ActivationRecord[] {
    return [...this.byId.values()];
  }
}
