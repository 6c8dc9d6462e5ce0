// The REST API handlers: actions, packages, activations, namespaces (side effects through the
// entity stores, the activation store and the invoker).
import { actionSummary, actionView, buildActionDoc, type ActionDoc, type KeyValue } from './action-doc';
import { blockingHttpStatus, makeResponse, type ActivationRecord } from './activation-record';
import { parseActivationQuery, queryActivations, type ActivationStore } from './activation-store';
import { ApiError, Errors } from './api-error';
import type { EntityStore } from './entity-store';
import { newActivationId, type Invoker } from './invoker';
import { actionRefFrom, entityNamespace, fullyQualified, isValidEntityName, resolveNamespace } from './names';
import type { Route } from './router';

export interface PackageDoc {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  binding: Record<string, never>;
  parameters: KeyValue[];
  annotations: KeyValue[];
  updated: number;
}

export interface ApiRequest {
  route: Route;
  query: URLSearchParams;
  body: () => unknown;
  transactionId: string;
  apiKey: string;
}

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ApiDeps {
  namespace: string;
  subject: string;
  actions: EntityStore<ActionDoc>;
  packages: EntityStore<PackageDoc>;
  activations: ActivationStore;
  invoker: Invoker;
  /** how long a blocking invoke waits before it answers 202 with the activation id */
  blockingWaitMs: number;
  log: (line: string) => void;
}

const MAX_LIST_LIMIT = 200;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function page<T>(items: T[], query: URLSearchParams, collection: string): unknown {
  if (query.get('count') === 'true') return { [collection]: items.length };
  const skip = Number(query.get('skip') ?? 0);
  const rawLimit = Number(query.get('limit') ?? 0);
  if (!Number.isInteger(skip) || skip < 0) throw new ApiError(400, `'skip' must be a non-negative integer.`);
  if (!Number.isInteger(rawLimit) || rawLimit < 0 || rawLimit > MAX_LIST_LIMIT) {
    throw new ApiError(400, `'limit' must be an integer from 0 to ${MAX_LIST_LIMIT}.`);
  }
  return items.slice(skip, skip + (rawLimit === 0 ? 30 : rawLimit));
}

export class Api {
  /** activations started but not finished (so a non-blocking caller's record appears later) */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly d: ApiDeps) {}

  async handle(req: ApiRequest): Promise<ApiReply> {
    const r = req.route;
    switch (r.kind) {
      case 'info':
        return { status: 200, body: { description: 'OpenWhisk-compatible local platform (serverless-provenance)', api_paths: ['/api/v1'] } };
      case 'namespaces.list':
        return { status: 200, body: [this.d.namespace] };
      case 'routes.list':
        return { status: 200, body: { apis: [] } };
      case 'unsupported':
        throw Errors.notImplemented(r.what);
      case 'empty.list':
        resolveNamespace(r.ns, this.d.namespace);
        return { status: 200, body: [] };
      case 'actions.list':
        return this.listActions(r.ns, req.query);
      case 'actions.get':
      case 'actions.put':
      case 'actions.delete':
      case 'actions.invoke':
        return this.action(r.kind, r.ns, r.segments, req);
      case 'packages.list': {
        resolveNamespace(r.ns, this.d.namespace);
        const all = this.d.packages.list().sort((a, b) => b.updated - a.updated);
        return { status: 200, body: page(all, req.query, 'packages') };
      }
      case 'packages.get':
      case 'packages.put':
      case 'packages.delete':
        return this.pkg(r.kind, r.ns, r.name, req);
      case 'activations.list': {
        resolveNamespace(r.ns, this.d.namespace);
        return { status: 200, body: queryActivations(this.d.activations.all(), parseActivationQuery(req.query)) };
      }
      case 'activations.get':
      case 'activations.logs':
      case 'activations.result': {
        resolveNamespace(r.ns, this.d.namespace);
        const record = this.d.activations.get(r.id);
        if (!record) throw Errors.notFound();
        if (r.kind === 'activations.logs') return { status: 200, body: { logs: record.logs } };
        if (r.kind === 'activations.result') return { status: 200, body: record.response };
        return { status: 200, body: record };
      }
    }
  }

  /** Resolves when every activation started so far has finished and been recorded. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private listActions(ns: string, query: URLSearchParams): ApiReply {
    resolveNamespace(ns, this.d.namespace);
    const all = this.d.actions.list().sort((a, b) => b.updated - a.updated);
    const listed = page(all, query, 'actions');
    return { status: 200, body: Array.isArray(listed) ? listed.map(actionSummary) : listed };
  }

  private async action(kind: 'actions.get' | 'actions.put' | 'actions.delete' | 'actions.invoke', ns: string, segments: string[], req: ApiRequest): Promise<ApiReply> {
    const ref = actionRefFrom(resolveNamespace(ns, this.d.namespace), segments);
    const docNs = entityNamespace(ref);
    const existing = this.d.actions.get(docNs, ref.name);
    switch (kind) {
      case 'actions.get':
        if (!existing) throw Errors.notFound();
        return { status: 200, body: actionView(existing, req.query.get('code') !== 'false') };
      case 'actions.delete':
        if (!existing) throw Errors.notFound();
        this.d.actions.delete(existing);
        this.d.invoker.retireAction(fullyQualified(ref));
        return { status: 200, body: existing };
      case 'actions.put': {
        if (ref.pkg && !this.d.packages.get(ref.namespace, ref.pkg)) {
          throw new ApiError(404, `The package '${ref.pkg}' does not exist: create it before putting actions in it.`);
        }
        if (existing && req.query.get('overwrite') !== 'true') throw Errors.conflict();
        const doc = buildActionDoc(ref, req.body(), existing, Date.now());
        this.d.actions.put(doc);
        if (existing) this.d.invoker.retireAction(fullyQualified(ref));
        return { status: 200, body: doc };
      }
      case 'actions.invoke':
        if (!existing) throw Errors.notFound();
        return this.invoke(ref, existing, req);
    }
  }

  private async invoke(ref: ReturnType<typeof actionRefFrom>, action: ActionDoc, req: ApiRequest): Promise<ApiReply> {
    const received = Date.now();
    const body = req.body();
    if (body !== undefined && !isObject(body)) throw new ApiError(400, 'The request content was malformed: the parameters must be a JSON object.');
    const params: Record<string, unknown> = {};
    for (const p of action.parameters) params[p.key] = p.value;
    Object.assign(params, body ?? {});
    const activationId = newActivationId();
    const headers = { 'x-openwhisk-activation-id': activationId };

    const running: Promise<ActivationRecord> = this.d.invoker
      .invoke({ ref, action, params, activationId, transactionId: req.transactionId, apiKey: req.apiKey, subject: this.d.subject, received })
      .catch((err: unknown) => {
        const t = Date.now();
        this.d.log(`platform: activation ${activationId} failed inside the platform: ${(err as Error).stack ?? err}`);
        const response = makeResponse('whisk internal error', { error: `internal error: ${(err as Error).message}` });
        return {
          namespace: action.namespace, name: action.name, version: action.version, subject: this.d.subject, activationId,
          start: t, end: t, duration: 0, statusCode: response.statusCode, response, logs: [], annotations: [], publish: false,
        } satisfies ActivationRecord;
      })
      .then((record) => {
        this.d.activations.add(record);
        return record;
      });
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));

    if (req.query.get('blocking') !== 'true') return { status: 202, body: { activationId }, headers };

    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      running,
      new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), this.d.blockingWaitMs))),
    ]);
    clearTimeout(timer);
    // like OpenWhisk: a blocking call that outlives the wait is answered as if it were non-blocking
    if (!waited) return { status: 202, body: { activationId }, headers };
    const status = blockingHttpStatus(waited.response);
    return { status, body: req.query.get('result') === 'true' ? waited.response.result : waited, headers };
  }

  private pkg(kind: 'packages.get' | 'packages.put' | 'packages.delete', ns: string, name: string, req: ApiRequest): ApiReply {
    const namespace = resolveNamespace(ns, this.d.namespace);
    if (!isValidEntityName(name)) throw new ApiError(400, `The name '${name}' is not a valid package name.`);
    const existing = this.d.packages.get(namespace, name);
    switch (kind) {
      case 'packages.get':
        if (!existing) throw Errors.notFound();
        return { status: 200, body: { ...existing, actions: this.actionsIn(namespace, name).map(actionSummary) } };
      case 'packages.delete': {
        if (!existing) throw Errors.notFound();
        const inside = this.actionsIn(namespace, name).length;
        if (inside > 0) throw new ApiError(409, `Package not empty (contains ${inside} ${inside === 1 ? 'entity' : 'entities'})`);
        this.d.packages.delete(existing);
        return { status: 200, body: existing };
      }
      case 'packages.put': {
        if (existing && req.query.get('overwrite') !== 'true') throw Errors.conflict();
        const body = req.body() ?? {};
        if (!isObject(body)) throw new ApiError(400, 'The request content was malformed: expected a JSON object describing the package.');
        if (body.binding !== undefined && isObject(body.binding) && Object.keys(body.binding).length > 0) {
          throw Errors.notImplemented('package bindings');
        }
        const kv = (v: unknown, field: string, old: KeyValue[]): KeyValue[] => {
          if (v === undefined) return old;
          if (!Array.isArray(v) || !v.every((e) => isObject(e) && typeof e.key === 'string')) {
            throw new ApiError(400, `'${field}' must be an array of {"key": string, "value": any}.`);
          }
          return v.map((e) => ({ key: e.key as string, value: e.value }));
        };
        const doc: PackageDoc = {
          namespace,
          name,
          version: existing ? existing.version.replace(/(\d+)$/, (m) => String(Number(m) + 1)) : '0.0.1',
          publish: typeof body.publish === 'boolean' ? body.publish : existing?.publish ?? false,
          binding: {},
          parameters: kv(body.parameters, 'parameters', existing?.parameters ?? []),
          annotations: kv(body.annotations, 'annotations', existing?.annotations ?? []),
          updated: Date.now(),
        };
        this.d.packages.put(doc);
        return { status: 200, body: doc };
      }
    }
  }

  private actionsIn(namespace: string, pkg: string): ActionDoc[] {
    return this.d.actions.list().filter((a) => a.namespace === `${namespace}/${pkg}`);
  }
}
