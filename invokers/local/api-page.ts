// `skip`, `limit` and `count` of OpenWhisk's entity lists (pure).
import { ApiError } from './api-error';

const MAX_LIST_LIMIT = 200;

export function page<T>(items: T[], query: URLSearchParams, collection: string): unknown {
  if (query.get('count') === 'true') return { [collection]: items.length };
  const skip = Number(query.get('skip') ?? 0);
  const rawLimit = Number(query.get('limit') ?? 0);
  if (!Number.isInteger(skip) || skip < 0) throw new ApiError(400, `'skip' must be a non-negative integer.`);
  if (!Number.isInteger(rawLimit) || rawLimit < 0 || rawLimit > MAX_LIST_LIMIT) {
    throw new ApiError(400, `'limit' must be an integer from 0 to ${MAX_LIST_LIMIT}.`);
  }
  return items.slice(skip, skip + (rawLimit === 0 ? 30 : rawLimit));
}
