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
  | { kind: 'triggers.list'; ns: string }
  | { kind: 'triggers.get' | 'triggers.put' | 'triggers.delete' | 'triggers.fire'; ns: string; name: string }
  | { kind: 'rules.list'; ns: string }
  | { kind: 'rules.get' | 'rules.put' | 'rules.delete' | 'rules.status'; ns: string; name: string }
  /** the one feed this platform provides: POST /namespaces/whisk.system/actions/alarms/alarm */
  | { kind: 'feed.alarm' }
  | { kind: 'routes.list' | 'routes.create' | 'routes.delete' }
  /** a web action: /api/v1/web/<ns>/<pkg>/<action>[.ext][/path], any method */
  | { kind: 'web'; segments: string[] }
  /** an API gateway route: /api/<ns>/<basePath>/<relpath> */
  | { kind: 'gateway'; ns: string; path: string };

/**
 * Routes that answer without the platform's credentials: API info, and web actions and gateway
 * routes, which are public unless the action asks for authentication (checked by the handler).
 */
export function isPublicRoute(route: Route): boolean {
  return route.kind === 'info' || route.kind === 'web' || route.kind === 'gateway';
}

/** GET|PUT|DELETE|POST on /<collection>/<name> of triggers and rules. */
function entityRoute<K extends string>(method: string, kinds: Record<string, K>): K {
  const kind = kinds[method];
  if (!kind) throw Errors.methodNotAllowed();
  return kind;
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
  if (s[0] !== 'api' || s.length < 2) throw Errors.notFound();
  if (s[1] !== 'v1') return { kind: 'gateway', ns: s[1], path: `/${s.slice(2).join('/')}` };
  const rest = s.slice(2);

  if (rest[0] === 'web') {
    // the API gateway's management actions, as the openwhisk client's routes.* call them
    const mgmt = rest[1] === 'whisk.system' && rest[2] === 'apimgmt' && rest.length === 4 ? /^(getApi|createApi|deleteApi)(\.http|\.json)?$/.exec(rest[3]) : null;
    if (mgmt) {
      const [kind, allowed] = ({ getApi: ['routes.list', 'GET'], createApi: ['routes.create', 'POST'], deleteApi: ['routes.delete', 'DELETE'] } as const)[mgmt[1] as 'getApi'];
      only(method, [allowed]);
      return { kind };
    }
    return { kind: 'web', segments: rest.slice(1) };
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
  if (ns === 'whisk.system' && collection === 'actions' && tail.join('/') === 'alarms/alarm') {
    only(method, ['POST']);
    return { kind: 'feed.alarm' };
  }

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
    case 'triggers': {
      if (tail.length === 0) {
        only(method, ['GET']);
        return { kind: 'triggers.list', ns };
      }
      if (tail.length !== 1) throw Errors.notFound();
      const kind = entityRoute(method, { GET: 'triggers.get', PUT: 'triggers.put', DELETE: 'triggers.delete', POST: 'triggers.fire' } as const);
      return { kind, ns, name: tail[0] };
    }
    case 'rules': {
      if (tail.length === 0) {
        only(method, ['GET']);
        return { kind: 'rules.list', ns };
      }
      if (tail.length !== 1) throw Errors.notFound();
      const kind = entityRoute(method, { GET: 'rules.get', PUT: 'rules.put', DELETE: 'rules.delete', POST: 'rules.status' } as const);
      return { kind, ns, name: tail[0] };
    }
    default:
      throw Errors.notFound();
  }
}
