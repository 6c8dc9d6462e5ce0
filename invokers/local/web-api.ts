// Web actions and the API gateway over HTTP: a request to `/api/v1/web/...` or to a gateway
// route is a blocking activation of the web action (its request id is the X-Request-ID or a new
// one), answered with the HTTP response its result describes; and the gateway's management API.
import type { ApiReply, ApiRequest } from './api-request';
import type { ActionDoc } from './action-doc';
import { ApiError, Errors } from './api-error';
import { apiListing, buildApiDoc, matchRoute, type ApiDoc } from './api-gateway';
import { within, type Activator } from './activator';
import type { EntityStore } from './entity-store';
import { entityNamespace } from './names';
import { isWebAction, webAuth, webParams, webResponse, webTarget, type WebTarget } from './web-action';

export interface WebApiDeps {
  namespace: string;
  actions: EntityStore<ActionDoc>;
  apis: EntityStore<ApiDoc>;
  activator: Activator;
  blockingWaitMs: number;
  /** web actions run as their owner, as in OpenWhisk: the key their `openwhisk` client uses */
  ownerKey: string;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
  'access-control-allow-headers': 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent',
};

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export class WebApi {
  constructor(private readonly d: WebApiDeps) {}

  /** /api/v1/web/<ns>/<pkg>/<action>[.ext][/path] */
  web(segments: string[], req: ApiRequest): Promise<ApiReply> {
    const target = webTarget(segments);
    if (target.ref.namespace !== this.d.namespace && target.ref.namespace !== '_') throw Errors.notFound();
    return this.run({ ...target, ref: { ...target.ref, namespace: this.d.namespace } }, req, undefined);
  }

  /** /api/<ns>/<basePath>/<relpath>: the route's web action, with the secret the gateway adds. */
  gateway(ns: string, path: string, req: ApiRequest): Promise<ApiReply> {
    if (ns !== this.d.namespace) throw new ApiError(404, `No API route matches /api/${ns}${path}.`);
    const { route, target } = matchRoute(this.d.apis.list(), req.method, path);
    return this.run({ ...target, path }, req, route.secret);
  }

  routes(kind: 'routes.list' | 'routes.create' | 'routes.delete', req: ApiRequest): ApiReply {
    const base = `http://${header(req, 'host') ?? '127.0.0.1'}/api/${this.d.namespace}`;
    const url = (api: ApiDoc) => `${base}${api.name === '/' ? '' : api.name}`;
    switch (kind) {
      case 'routes.list': {
        const basepath = req.query.get('basepath');
        const apis = this.d.apis.list().filter((a) => !basepath || a.name === basepath);
        return { status: 200, body: apiListing(apis, url) };
      }
      case 'routes.create': {
        const doc = buildApiDoc(req.body(), this.d.namespace, Date.now());
        for (const r of doc.routes) {
          const t = webTarget(r.target.split('/'));
          const action = this.d.actions.get(entityNamespace({ ...t.ref, namespace: this.d.namespace }), t.ref.name);
          if (!action || !isWebAction(action)) throw new ApiError(400, `The action of ${r.method} ${r.relpath} (${r.target}) is not a web action: annotate it with web-export.`);
        }
        this.d.apis.put(doc);
        return { status: 200, body: { ...apiListing([doc], url), gwApiUrl: url(doc) } };
      }
      case 'routes.delete': {
        const basepath = req.query.get('basepath');
        const existing = basepath ? this.d.apis.get(this.d.namespace, basepath) : undefined;
        if (!existing) throw new ApiError(404, `API '${basepath ?? ''}' does not exist.`);
        const relpath = req.query.get('relpath');
        const operation = req.query.get('operation')?.toUpperCase();
        const kept = existing.routes.filter((r) => (relpath && r.relpath !== relpath) || (operation && r.method !== operation));
        if (relpath && kept.length > 0) this.d.apis.put({ ...existing, routes: kept, updated: Date.now() });
        else this.d.apis.delete(existing);
        return { status: 200, body: {} };
      }
    }
  }

  private async run(target: WebTarget, req: ApiRequest, gatewaySecret: string | undefined): Promise<ApiReply> {
    const action = this.d.actions.get(entityNamespace(target.ref), target.ref.name);
    if (!action || !isWebAction(action)) throw Errors.notFound();
    if (req.method === 'OPTIONS' && !action.annotations.some((a) => a.key === 'web-custom-options' && a.value === true)) {
      return { status: 200, body: undefined, headers: CORS, raw: Buffer.alloc(0) };
    }
    const auth = webAuth(action);
    const given = gatewaySecret ?? header(req, 'x-require-whisk-auth');
    if (auth.kind === 'basic' && !req.authorized) throw Errors.unauthorized();
    if (auth.kind === 'secret' && given !== auth.value && !req.authorized) throw Errors.unauthorized();
    const headers = gatewaySecret ? { ...req.headers, 'x-require-whisk-auth': gatewaySecret } : req.headers;
    const params = webParams(action, target, { method: req.method, headers, query: req.query, rawQuery: req.rawQuery, body: req.rawBody }, req.authorized ? this.d.namespace : undefined);
    const started = this.d.activator.start(target.ref, action, params, { transactionId: req.transactionId, apiKey: this.d.ownerKey });
    const activationHeader = { 'x-openwhisk-activation-id': started.activationId };
    const record = await within(started.done, this.d.blockingWaitMs);
    if (!record) return { status: 202, body: { activationId: started.activationId }, headers: activationHeader };
    const reply = webResponse(target, record.response);
    return { status: reply.status, body: undefined, raw: reply.body, headers: { ...CORS, ...reply.headers, ...activationHeader } };
  }
}
