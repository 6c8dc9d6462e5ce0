// The REST API handlers: actions (plain and sequences), packages, activations, namespaces,
// triggers and rules, the alarms feed, web actions and API routes (side effects through the
// entity stores, the activation store and the activator).
import { actionSummary, actionView, buildActionDoc, isSequence, type ActionDoc, type KeyValue } from './action-doc';
import { blockingHttpStatus, makeResponse, type ActivationRecord } from './activation-record';
import { parseActivationQuery, queryActivations, type ActivationStore } from './activation-store';
import { Activator, SEQUENCE_MESSAGES, withDefaults, within } from './activator';
import { AlarmFeed } from './alarm-feed';
import { page } from './api-page';
import { ApiError, Errors } from './api-error';
import type { EntityStore } from './entity-store';
import { newTransactionId } from './auth';
import { newActivationId, type Invoker } from './invoker';
import { actionRefFrom, DEFAULT_NAMESPACE_ALIAS, entityNamespace, fullyQualified, isValidEntityName, parseQualifiedName, resolveNamespace, type ActionRef } from './names';
import type { ApiReply, ApiRequest } from './api-request';
import { TriggerApi } from './trigger-api';
import { WebApi } from './web-api';
import type { WorkflowStores } from './workflow-stores';
import { isObject } from './json-object';

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

export interface ApiDeps {
  namespace: string;
  subject: string;
  actions: EntityStore<ActionDoc>;
  packages: EntityStore<PackageDoc>;
  activations: ActivationStore;
  invoker: Invoker;
  /** triggers, rules, alarms and API routes */
  workflows: WorkflowStores;
  /** the platform's `uuid:key`: what web actions and alarm firings run as */
  auth: string;
  /** how long a blocking invoke waits before it answers 202 with the activation id */
  blockingWaitMs: number;
  log: (line: string) => void;
}

export class Api {
  private readonly activator: Activator;
  private readonly triggers: TriggerApi;
  private readonly webApi: WebApi;
  private readonly alarms: AlarmFeed;

  constructor(private readonly d: ApiDeps) {
    this.activator = new Activator({ subject: d.subject, actions: d.actions, activations: d.activations, invoker: d.invoker, log: d.log });
    this.triggers = new TriggerApi({
      namespace: d.namespace, subject: d.subject, actions: d.actions, stores: d.workflows, activations: d.activations,
      activator: this.activator, alarms: () => this.alarms,
    });
    this.webApi = new WebApi({ namespace: d.namespace, actions: d.actions, apis: d.workflows.apis, activator: this.activator, blockingWaitMs: d.blockingWaitMs, ownerKey: d.auth });
    this.alarms = new AlarmFeed(d.workflows.alarms, d.namespace, (alarm) => this.fireAlarm(alarm.namespace, alarm.name, alarm.payload, alarm.apiKey), d.log);
  }

  async handle(req: ApiRequest): Promise<ApiReply> {
    const r = req.route;
    switch (r.kind) {
      case 'info':
        return { status: 200, body: { description: 'OpenWhisk-compatible local platform (serverless-provenance)', api_paths: ['/api/v1'] } };
      case 'namespaces.list':
        return { status: 200, body: [this.d.namespace] };
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
      case 'triggers.list':
        return this.triggers.triggers(r.kind, r.ns, '', req);
      case 'triggers.get':
      case 'triggers.put':
      case 'triggers.delete':
      case 'triggers.fire':
        return this.triggers.triggers(r.kind, r.ns, r.name, req);
      case 'rules.list':
        return this.triggers.rules(r.kind, r.ns, '', req);
      case 'rules.get':
      case 'rules.put':
      case 'rules.delete':
      case 'rules.status':
        return this.triggers.rules(r.kind, r.ns, r.name, req);
      case 'feed.alarm':
        return this.alarmFeed(req);
      case 'routes.list':
      case 'routes.create':
      case 'routes.delete':
        return this.webApi.routes(r.kind, req);
      case 'web':
        return this.webApi.web(r.segments, req);
      case 'gateway':
        return this.webApi.gateway(r.ns, r.path, req);
    }
  }

  /** Resolves when every activation started so far has finished and been recorded. */
  async settle(): Promise<void> {
    await this.activator.settle();
  }

  /** Stops the alarms (the platform is stopping): nothing fires after this. */
  close(): void {
    this.alarms.close();
  }

  private fireAlarm(namespace: string, name: string, payload: Record<string, unknown>, apiKey: string): void {
    const trigger = this.d.workflows.triggers.get(namespace, name);
    if (!trigger) {
      this.d.log(`platform: the alarm of trigger /${namespace}/${name} fired but the trigger does not exist`);
      return;
    }
    this.triggers.fire(trigger, payload, { transactionId: newTransactionId(), apiKey });
  }

  /**
   * The alarms feed action, invoked as OpenWhisk's `/whisk.system/alarms/alarm`: its answer is
   * an activation, a failed one (502, like any failed blocking invoke) when the request is wrong.
   */
  private alarmFeed(req: ApiRequest): ApiReply {
    const body = req.body() ?? {};
    if (!isObject(body)) throw new ApiError(400, 'The request content was malformed: the parameters must be a JSON object.');
    let response;
    try {
      response = makeResponse('success', this.alarms.handle(body, req.apiKey));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      response = makeResponse('application error', { error: err.message });
    }
    const t = Date.now();
    const record: ActivationRecord = {
      namespace: 'whisk.system/alarms', name: 'alarm', version: '0.0.1', subject: this.d.subject, activationId: newActivationId(),
      start: t, end: t, duration: 0, statusCode: response.statusCode, response, logs: [],
      annotations: [{ key: 'path', value: 'whisk.system/alarms/alarm' }, { key: 'kind', value: 'nodejs:20' }], publish: false,
    };
    this.d.activations.add(record);
    const headers = { 'x-openwhisk-activation-id': record.activationId };
    if (req.query.get('blocking') !== 'true') return { status: 202, body: { activationId: record.activationId }, headers };
    return { status: blockingHttpStatus(response), body: req.query.get('result') === 'true' ? response.result : record, headers };
  }

  private listActions(ns: string, query: URLSearchParams): ApiReply {
    resolveNamespace(ns, this.d.namespace);
    const all = this.d.actions.list().sort((a, b) => b.updated - a.updated);
    const listed = page(all, query, 'actions');
    return { status: 200, body: Array.isArray(listed) ? listed.map(actionSummary) : listed };
  }

  private async action(kind: 'actions.get' | 'actions.put' | 'actions.delete' | 'actions.invoke', ns: string, segments: string[], req: ApiRequest): Promise<ApiReply> {
    if (ns !== DEFAULT_NAMESPACE_ALIAS && ns !== this.d.namespace && (kind === 'actions.get' || kind === 'actions.invoke')) {
      return this.sharedAction(kind, ns, segments, req);
    }
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
        this.d.invoker.checkRunnable(doc.exec);
        if (isSequence(doc)) this.checkComponents(ref, doc.exec.components ?? []);
        this.d.actions.put(doc);
        if (existing) this.d.invoker.retireAction(fullyQualified(ref));
        return { status: 200, body: doc };
      }
      case 'actions.invoke':
        if (!existing) throw Errors.notFound();
        return this.invoke(ref, existing, req);
    }
  }

  /**
   * An action in another namespace's published (shared) package: anyone may read and invoke it, as
   * in OpenWhisk. The activation is the caller's (its subject and its activation list), while the
   * action, and so its provenance, stays the owner's. Anything else of another namespace is 403,
   * whether it exists or not.
   */
  private async sharedAction(kind: 'actions.get' | 'actions.invoke', ns: string, segments: string[], req: ApiRequest): Promise<ApiReply> {
    const ref = segments.length === 2 ? actionRefFrom(ns, segments) : undefined;
    const shared = ref?.pkg !== undefined ? this.d.packages.get(ns, ref.pkg) : undefined;
    if (!ref || !shared?.publish) throw new ApiError(403, `The supplied authentication is not authorized to access '${ns}'.`);
    const action = this.d.actions.get(entityNamespace(ref), ref.name);
    if (!action) throw Errors.notFound();
    if (kind === 'actions.get') return { status: 200, body: actionView(action, false) };
    return this.invoke(ref, action, req);
  }

  /** OpenWhisk refuses a sequence naming a missing action or itself. */
  private checkComponents(ref: ActionRef, components: string[]): void {
    for (const c of components) {
      const cref = parseQualifiedName(c);
      if (!cref || cref.namespace !== ref.namespace) throw new ApiError(400, SEQUENCE_MESSAGES.componentMissing);
      if (fullyQualified(cref) === fullyQualified(ref)) throw new ApiError(400, 'Sequence may not refer to itself.');
      if (!this.d.actions.get(entityNamespace(cref), cref.name)) throw new ApiError(400, SEQUENCE_MESSAGES.componentMissing);
    }
  }

  private async invoke(ref: ActionRef, action: ActionDoc, req: ApiRequest): Promise<ApiReply> {
    const body = req.body();
    if (body !== undefined && !isObject(body)) throw new ApiError(400, 'The request content was malformed: the parameters must be a JSON object.');
    const started = this.activator.start(ref, action, withDefaults(action, body ?? {}), { transactionId: req.transactionId, apiKey: req.apiKey });
    const headers = { 'x-openwhisk-activation-id': started.activationId };
    if (req.query.get('blocking') !== 'true') return { status: 202, body: { activationId: started.activationId }, headers };
    const record = await within(started.done, this.d.blockingWaitMs);
    // like OpenWhisk: a blocking call that outlives the wait is answered as if it were non-blocking
    if (!record) return { status: 202, body: { activationId: started.activationId }, headers };
    const status = blockingHttpStatus(record.response);
    return { status, body: req.query.get('result') === 'true' ? record.response.result : record, headers };
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
