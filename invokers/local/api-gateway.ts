// API gateway routes as OpenWhisk's `apimgmt` actions keep them (pure): a swagger document (what
// `serverless-openwhisk` and `wsk api create` send to createApi) becomes routes from
// `<basePath><relpath>` and an HTTP method to a web action; a gateway request is matched to one.
import { ApiError } from './api-error';
import { webTarget, type WebTarget } from './web-action';
import { isObject } from './json-object';

export interface GatewayRoute {
  method: string;
  /** as declared, e.g. `/items/{id}` */
  relpath: string;
  /** the web action URL path after /api/v1/web/ (namespace/package/action.ext) */
  target: string;
  /** the `X-Require-Whisk-Auth` value the gateway adds for this operation */
  secret?: string;
}

/** One API (one base path) as stored: its swagger, as the client sent it, and the routes read from it. */
export interface ApiDoc {
  namespace: string;
  /** the base path (OpenWhisk keys APIs by it) */
  name: string;
  swagger: Record<string, unknown>;
  routes: GatewayRoute[];
  updated: number;
}

const bad = (what: string) => new ApiError(400, `The API document is not valid: ${what}.`);

/** The `X-Require-Whisk-Auth` each operation id gets in the swagger's assembly (`set-variable`). */
function secretsByOperation(swagger: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const conf = swagger['x-ibm-configuration'];
  const execute = isObject(conf) && isObject(conf.assembly) && Array.isArray(conf.assembly.execute) ? conf.assembly.execute : [];
  for (const step of execute) {
    const cases = isObject(step) && isObject(step['operation-switch']) ? step['operation-switch'].case : undefined;
    if (!Array.isArray(cases)) continue;
    for (const c of cases) {
      if (!isObject(c) || !Array.isArray(c.operations) || !Array.isArray(c.execute)) continue;
      for (const e of c.execute) {
        const actions = isObject(e) && isObject(e['set-variable']) ? e['set-variable'].actions : undefined;
        if (!Array.isArray(actions)) continue;
        for (const a of actions) {
          if (isObject(a) && a.set === 'message.headers.X-Require-Whisk-Auth' && a.value !== undefined) {
            for (const op of c.operations) out.set(String(op), String(a.value));
          }
        }
      }
    }
  }
  return out;
}

/** The web action URL's path after `/api/v1/web/`, from x-openwhisk's fields (the URL's host is not ours to trust). */
function targetOf(xow: Record<string, unknown>, ownNamespace: string): string {
  const { action, namespace, package: pkg, url } = xow;
  if (typeof action !== 'string' || action === '') throw bad("an operation's x-openwhisk has no action");
  const ns = typeof namespace === 'string' && namespace !== '_' ? namespace : ownNamespace;
  const ext = typeof url === 'string' ? /\.(json|http|html|text|svg)(?:$|[/?$])/.exec(url)?.[1] ?? 'json' : 'json';
  return `${ns}/${typeof pkg === 'string' && pkg ? pkg : 'default'}/${action}.${ext}`;
}

/** createApi's `apidoc`: either a swagger document, or the single-route form of the openwhisk client. */
export function buildApiDoc(body: unknown, ownNamespace: string, now: number): ApiDoc {
  const apidoc = isObject(body) && isObject(body.apidoc) ? body.apidoc : undefined;
  if (!apidoc) throw bad("the body must be {apidoc: {...}}");
  if (isObject(apidoc.swagger)) return fromSwagger(apidoc.swagger, ownNamespace, now);
  const { gatewayBasePath, gatewayPath, gatewayMethod, action } = apidoc;
  if (typeof gatewayBasePath !== 'string' || typeof gatewayPath !== 'string' || typeof gatewayMethod !== 'string' || !isObject(action)) {
    throw bad('it needs swagger, or gatewayBasePath, gatewayPath, gatewayMethod and action');
  }
  const target = typeof action.backendUrl === 'string' ? action.backendUrl.split('/api/v1/web/')[1] : undefined;
  if (!target) throw bad("action.backendUrl must be a web action URL");
  const route: GatewayRoute = { method: gatewayMethod.toUpperCase(), relpath: gatewayPath, target, ...(typeof action.secureKey === 'string' ? { secret: action.secureKey } : {}) };
  return { namespace: ownNamespace, name: gatewayBasePath, swagger: { swagger: '2.0', basePath: gatewayBasePath, paths: {} }, routes: [route], updated: now };
}

function fromSwagger(swagger: Record<string, unknown>, ownNamespace: string, now: number): ApiDoc {
  const basePath = typeof swagger.basePath === 'string' ? swagger.basePath : '/';
  if (!basePath.startsWith('/')) throw bad("basePath must start with '/'");
  if (!isObject(swagger.paths)) throw bad('it has no paths');
  const secrets = secretsByOperation(swagger);
  const routes: GatewayRoute[] = [];
  for (const [written, ops] of Object.entries(swagger.paths)) {
    if (!isObject(ops)) throw bad(`the path '${written}' must map methods to operations`);
    // `http: GET time` in serverless.yml reaches the gateway as the path 'time': the gateway reads it as '/time'
    const relpath = written.startsWith('/') ? written : `/${written}`;
    for (const [verb, op] of Object.entries(ops)) {
      if (!isObject(op) || !isObject(op['x-openwhisk'])) throw bad(`${verb.toUpperCase()} ${relpath} has no x-openwhisk action`);
      const secret = typeof op.operationId === 'string' ? secrets.get(op.operationId) : undefined;
      routes.push({ method: verb.toUpperCase(), relpath, target: targetOf(op['x-openwhisk'], ownNamespace), ...(secret ? { secret } : {}) });
    }
  }
  return { namespace: ownNamespace, name: basePath, swagger, routes, updated: now };
}

function join(basePath: string, relpath: string): string {
  return `${basePath.replace(/\/+$/, '')}${relpath}`;
}

function matches(pattern: string, path: string): boolean {
  const p = pattern.split('/');
  const s = path.split('/');
  return p.length === s.length && p.every((seg, i) => /^\{[^}]+\}$/.test(seg) ? s[i] !== '' : seg === s[i]);
}

export interface GatewayMatch {
  route: GatewayRoute;
  target: WebTarget;
}

/** The route for `method path` (path after `/api/<namespace>`), or a 404/405 as the gateway answers. */
export function matchRoute(apis: ApiDoc[], method: string, path: string): GatewayMatch {
  let pathKnown = false;
  for (const api of apis) {
    for (const route of api.routes) {
      if (!matches(join(api.name, route.relpath), path)) continue;
      pathKnown = true;
      if (route.method === method.toUpperCase()) return { route, target: webTarget(route.target.split('/')) };
    }
  }
  if (pathKnown) throw new ApiError(405, `The method ${method.toUpperCase()} is not allowed on ${path}.`);
  throw new ApiError(404, `No API route matches ${path}.`);
}

/** getApi's answer, in the shape `wsk api list` and `sls info` read. */
export function apiListing(apis: ApiDoc[], gatewayUrl: (api: ApiDoc) => string): object {
  return {
    apis: apis.map((api) => ({
      id: `API:${api.namespace}:${api.name}`,
      key: `API:${api.namespace}:${api.name}`,
      value: { namespace: api.namespace, gwApiActivated: true, tenantId: api.namespace, gwApiUrl: gatewayUrl(api), apidoc: api.swagger },
    })),
  };
}
