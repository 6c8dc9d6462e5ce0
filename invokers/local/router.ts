// Maps (method, path) of the OpenWhisk REST API subset to a route (pure; no I/O).
import { ApiError, Errors } from './api-error';

export type Route =
  | { kind: 'info' }
  | { kind: 'namespaces.list' }
  | { kind: 'actions.list'; ns: string }
  | { kind: 'actions.get' | 'actions.put' | 'actions.delete' | 'actions.invoke'; ns: string; segments: string[] }
  | { kind: 'activations.list'; ns: string }
  | { kind: 'activations.get' | 'activations.logs' | 'activations.result'; ns: string; id: string }
  | { kind: 'packages.list'; ns: string }
  | { kind: 'packages.get' | 'packages.put' | 'packages.delete'; ns: string; name: string }
  | { kind: 'empty.list'; ns: string; collection: 'triggers' | 'rules' }
  | { kind: 'routes.list' }
  | { kind: 'unsupported'; what: string };

/** Routes that answer without credentials, like OpenWhisk's API info endpoints. */
export function isPublicRoute(route: Route): boolean {
  return route.kind === 'info';
}

function decodeSegments(pathname: string): string[] {
  const raw = pathname.split('/').filter((s) => s.length > 0);
  return raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(400, `The path segment '${s}' is not valid URL encoding.`);
    }
  });
}

function only(method: string, allowed: string[]): void {
  if (!allowed.includes(method)) throw Errors.methodNotAllowed();
}

export function route(method: string, pathname: string): Route {
  const s = decodeSegments(pathname);
  if (s.length === 0 || (s.length === 2 && s[0] === 'api' && s[1] === 'v1')) {
    only(method, ['GET']);
    return { kind: 'info' };
  }
  if (s[0] !== 'api' || s[1] !== 'v1') throw Errors.notFound();
  const rest = s.slice(2);

  if (rest[0] === 'web') {
    // `routes.list()` of the openwhisk client asks the API gateway's management action; we have no gateway.
    if (rest[1] === 'whisk.system' && rest[2] === 'apimgmt' && /^getApi(\.http)?$/.test(rest[3] ?? '')) {
      only(method, ['GET']);
      return { kind: 'routes.list' };
    }
    return { kind: 'unsupported', what: 'web actions and API gateway routes' };
  }
  if (rest[0] !== 'namespaces') throw Errors.notFound();
  if (rest.length === 1) {
    only(method, ['GET']);
    return { kind: 'namespaces.list' };
  }
  const ns = rest[1];
  const collection = rest[2];
  const tail = rest.slice(3);
  if (collection === undefined) throw Errors.notFound();

  switch (collection) {
    case 'actions': {
      if (tail.length === 0) {
        only(method, ['GET']);
        return { kind: 'actions.list', ns };
      }
      if (tail.length > 2) throw Errors.notFound();
      const kinds: Record<string, 'actions.get' | 'actions.put' | 'actions.delete' | 'actions.invoke'> = {
        GET: 'actions.get',
        PUT: 'actions.put',
        DELETE: 'actions.delete',
        POST: 'actions.invoke',
      };
      const kind = kinds[method];
      if (!kind) throw Errors.methodNotAllowed();
      return { kind, ns, segments: tail };
    }
    case 'activations': {
      if (tail.length === 0) {
        only(method, ['GET']);
        return { kind: 'activations.list', ns };
      }
      only(method, ['GET']);
      if (tail.length === 1) return { kind: 'activations.get', ns, id: tail[0] };
      if (tail.length === 2 && tail[1] === 'logs') return { kind: 'activations.logs', ns, id: tail[0] };
      if (tail.length === 2 && tail[1] === 'result') return { kind: 'activations.result', ns, id: tail[0] };
      throw Errors.notFound();
    }
    case 'packages': {
      if (tail.length === 0) {
        only(method, ['GET']);
        return { kind: 'packages.list', ns };
      }
      if (tail.length !== 1) throw Errors.notFound();
      const kinds: Record<string, 'packages.get' | 'packages.put' | 'packages.delete'> = {
        GET: 'packages.get',
        PUT: 'packages.put',
        DELETE: 'packages.delete',
      };
      const kind = kinds[method];
      if (!kind) throw Errors.methodNotAllowed();
      return { kind, ns, name: tail[0] };
    }
    case 'triggers':
    case 'rules':
      if (tail.length === 0 && method === 'GET') return { kind: 'empty.list', ns, collection };
      return { kind: 'unsupported', what: collection };
    default:
      throw Errors.notFound();
  }
}
