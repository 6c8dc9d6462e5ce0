// The REST API of triggers and rules, and firing: a trigger activation whose logs name the
// activations its active rules started (each with `cause` = the trigger activation).
import { page } from './api-page';
import { ApiError, Errors } from './api-error';
import type { ApiReply, ApiRequest } from './api-request';
import type { ActionDoc } from './action-doc';
import { makeResponse, type ActivationRecord } from './activation-record';
import type { ActivationStore } from './activation-store';
import { withDefaults, type Activator } from './activator';
import type { AlarmFeed } from './alarm-feed';
import type { EntityStore } from './entity-store';
import { newActivationId } from './invoker';
import { isValidEntityName, parseQualifiedName, resolveNamespace } from './names';
import { buildRuleDoc, buildTriggerDoc, pathName, requestedStatus, ruleSummary, triggerView, type RuleDoc, type TriggerDoc } from './trigger-doc';
import type { WorkflowStores } from './workflow-stores';
import { isObject } from './json-object';

export interface TriggerApiDeps {
  namespace: string;
  subject: string;
  actions: EntityStore<ActionDoc>;
  stores: WorkflowStores;
  activations: ActivationStore;
  activator: Activator;
  alarms: () => AlarmFeed;
}

export interface Firing {
  transactionId: string;
  apiKey: string;
}

function checkName(name: string, what: string): void {
  if (!isValidEntityName(name)) throw new ApiError(400, `The name '${name}' is not a valid ${what} name.`);
}

export class TriggerApi {
  constructor(private readonly d: TriggerApiDeps) {}

  triggers(kind: 'triggers.list' | 'triggers.get' | 'triggers.put' | 'triggers.delete' | 'triggers.fire', ns: string, name: string, req: ApiRequest): ApiReply {
    const namespace = resolveNamespace(ns, this.d.namespace);
    const store = this.d.stores.triggers;
    if (kind === 'triggers.list') {
      return { status: 200, body: page(store.list().sort((a, b) => b.updated - a.updated), req.query, 'triggers') };
    }
    checkName(name, 'trigger');
    const existing = store.get(namespace, name);
    switch (kind) {
      case 'triggers.get':
        if (!existing) throw Errors.notFound();
        return { status: 200, body: triggerView(existing, this.rulesOf(existing)) };
      case 'triggers.put': {
        if (existing && req.query.get('overwrite') !== 'true') throw Errors.conflict();
        const doc = buildTriggerDoc(namespace, name, req.body(), existing, Date.now());
        store.put(doc);
        return { status: 200, body: doc };
      }
      case 'triggers.delete':
        if (!existing) throw Errors.notFound();
        store.delete(existing);
        // the wsk CLI deletes a trigger's feed with it; a firing alarm for a missing trigger is useless
        this.d.alarms().remove(namespace, name);
        return { status: 200, body: existing };
      case 'triggers.fire': {
        if (!existing) throw Errors.notFound();
        const body = req.body();
        if (body !== undefined && !isObject(body)) throw new ApiError(400, 'The request content was malformed: the parameters must be a JSON object.');
        const fired = this.fire(existing, body ?? {}, { transactionId: req.transactionId, apiKey: req.apiKey });
        // like OpenWhisk: no active rule, no activation
        if (!fired) return { status: 204, body: undefined };
        return { status: 202, body: { activationId: fired.activationId } };
      }
    }
  }

  rules(kind: 'rules.list' | 'rules.get' | 'rules.put' | 'rules.delete' | 'rules.status', ns: string, name: string, req: ApiRequest): ApiReply {
    const namespace = resolveNamespace(ns, this.d.namespace);
    const store = this.d.stores.rules;
    if (kind === 'rules.list') {
      const listed = page(store.list().sort((a, b) => b.updated - a.updated), req.query, 'rules');
      return { status: 200, body: Array.isArray(listed) ? listed.map(ruleSummary) : listed };
    }
    checkName(name, 'rule');
    const existing = store.get(namespace, name);
    switch (kind) {
      case 'rules.get':
        if (!existing) throw Errors.notFound();
        return { status: 200, body: existing };
      case 'rules.put': {
        if (existing && req.query.get('overwrite') !== 'true') throw Errors.conflict();
        const doc = buildRuleDoc(namespace, name, req.body(), existing, Date.now());
        if (!this.d.stores.triggers.get(doc.trigger.path, doc.trigger.name)) throw new ApiError(404, `The trigger '${pathName(doc.trigger)}' does not exist: create it before the rule.`);
        if (!this.d.actions.get(doc.action.path, doc.action.name)) throw new ApiError(404, `The action '${pathName(doc.action)}' does not exist: create it before the rule.`);
        store.put(doc);
        return { status: 200, body: doc };
      }
      case 'rules.delete':
        if (!existing) throw Errors.notFound();
        store.delete(existing);
        return { status: 200, body: existing };
      case 'rules.status': {
        if (!existing) throw Errors.notFound();
        const status = requestedStatus(req.body());
        if (status !== existing.status) store.put({ ...existing, status, updated: Date.now() });
        return { status: 200, body: {} };
      }
    }
  }

  /**
   * Fires a trigger: records the trigger activation (its result is the parameters, its logs one
   * JSON line per rule, as in OpenWhisk) and starts each active rule's action with the
   * parameters. Undefined when no rule is active.
   */
  fire(trigger: TriggerDoc, params: Record<string, unknown>, firing: Firing): { activationId: string } | undefined {
    const active = this.rulesOf(trigger).filter((r) => r.status === 'active');
    if (active.length === 0) return undefined;
    const activationId = newActivationId();
    const merged: Record<string, unknown> = {};
    for (const p of trigger.parameters) merged[p.key] = p.value;
    Object.assign(merged, params);
    const start = Date.now();
    const logs: string[] = [];
    for (const rule of active) {
      const ruleName = `${rule.namespace}/${rule.name}`;
      const ref = parseQualifiedName(`/${pathName(rule.action)}`);
      const action = this.d.actions.get(rule.action.path, rule.action.name);
      if (!ref || !action) {
        logs.push(JSON.stringify({ statusCode: 1, success: false, rule: ruleName, action: pathName(rule.action), error: 'The requested resource does not exist.' }));
        continue;
      }
      const started = this.d.activator.start(ref, action, withDefaults(action, merged), {
        transactionId: firing.transactionId, apiKey: firing.apiKey, cause: activationId, parent: { id: activationId, kind: 'trigger', name: `/${trigger.namespace}/${trigger.name}` },
      });
      logs.push(JSON.stringify({ statusCode: 0, success: true, activationId: started.activationId, rule: ruleName, action: pathName(rule.action) }));
    }
    const response = makeResponse('success', merged);
    const record: ActivationRecord = {
      namespace: trigger.namespace, name: trigger.name, version: trigger.version, subject: this.d.subject, activationId,
      start, end: start, duration: 0, statusCode: response.statusCode, response, logs,
      annotations: [{ key: 'path', value: `${trigger.namespace}/${trigger.name}` }, { key: 'transId', value: firing.transactionId }],
      publish: false,
    };
    this.d.activations.add(record);
    return { activationId };
  }

  private rulesOf(trigger: TriggerDoc): RuleDoc[] {
    return this.d.stores.rules.list().filter((r) => r.trigger.path === trigger.namespace && r.trigger.name === trigger.name);
  }
}
