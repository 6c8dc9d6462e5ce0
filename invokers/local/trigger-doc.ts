// Trigger and rule documents: validating what a client PUTs and shaping what the API returns,
// as OpenWhisk does (pure).
import { nextVersion, type KeyValue } from './action-doc';
import { ApiError } from './api-error';
import { parseQualifiedName } from './names';
import { isObject } from './json-object';

export interface TriggerDoc {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  parameters: KeyValue[];
  /** `feed` names the feed action that fires it (e.g. /whisk.system/alarms/alarm) */
  annotations: KeyValue[];
  limits: Record<string, never>;
  updated: number;
}

export type RuleStatus = 'active' | 'inactive';

/** How OpenWhisk names an entity inside a rule: `{path: "guest", name: "t"}` (`path` is ns or ns/pkg). */
export interface EntityPath {
  path: string;
  name: string;
}

export interface RuleDoc {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  status: RuleStatus;
  trigger: EntityPath;
  action: EntityPath;
  annotations: KeyValue[];
  updated: number;
}

function keyValues(v: unknown, field: string, old: KeyValue[]): KeyValue[] {
  if (v === undefined) return old;
  if (!Array.isArray(v) || !v.every((kv) => isObject(kv) && typeof kv.key === 'string')) {
    throw new ApiError(400, `'${field}' must be an array of {"key": string, "value": any}.`);
  }
  return v.map((kv) => ({ key: kv.key as string, value: kv.value }));
}

export function buildTriggerDoc(namespace: string, name: string, body: unknown, existing: TriggerDoc | undefined, now: number): TriggerDoc {
  const b = body ?? {};
  if (!isObject(b)) throw new ApiError(400, 'The request content was malformed: expected a JSON object describing the trigger.');
  return {
    namespace,
    name,
    version: existing ? nextVersion(existing.version) : '0.0.1',
    publish: typeof b.publish === 'boolean' ? b.publish : existing?.publish ?? false,
    parameters: keyValues(b.parameters, 'parameters', existing?.parameters ?? []),
    annotations: keyValues(b.annotations, 'annotations', existing?.annotations ?? []),
    limits: {},
    updated: now,
  };
}

/** `path/name` as OpenWhisk writes an entity in rule listings and trigger activation logs. */
export function pathName(e: EntityPath): string {
  return `${e.path}/${e.name}`;
}

function entityPathOf(field: 'trigger' | 'action', v: unknown, own: string): EntityPath {
  const ref = typeof v === 'string' ? parseQualifiedName(v.startsWith('/') ? v : `/_/${v}`, own) : undefined;
  if (!ref) throw new ApiError(400, `The rule's '${field}' must be a fully qualified name like '/_/name' (got ${JSON.stringify(v)}).`);
  if (ref.namespace !== own) throw new ApiError(403, `The supplied authentication is not authorized to access '${ref.namespace}'.`);
  if (field === 'trigger' && ref.pkg) throw new ApiError(400, 'A trigger cannot be in a package.');
  return { path: ref.pkg ? `${ref.namespace}/${ref.pkg}` : ref.namespace, name: ref.name };
}

/** A new rule is active, as in OpenWhisk; an update keeps the status. */
export function buildRuleDoc(namespace: string, name: string, body: unknown, existing: RuleDoc | undefined, now: number): RuleDoc {
  if (!isObject(body)) throw new ApiError(400, 'The request content was malformed: expected {"trigger": "/_/t", "action": "/_/a"}.');
  if (body.trigger === undefined || body.action === undefined) throw new ApiError(400, "A rule needs both 'trigger' and 'action'.");
  return {
    namespace,
    name,
    version: existing ? nextVersion(existing.version) : '0.0.1',
    publish: typeof body.publish === 'boolean' ? body.publish : existing?.publish ?? false,
    status: existing?.status ?? 'active',
    trigger: entityPathOf('trigger', body.trigger, namespace),
    action: entityPathOf('action', body.action, namespace),
    annotations: keyValues(body.annotations, 'annotations', existing?.annotations ?? []),
    updated: now,
  };
}

/** POST /rules/<name> {status}: the new status, or a 400 naming what is accepted. */
export function requestedStatus(body: unknown): RuleStatus {
  const status = isObject(body) ? body.status : undefined;
  if (status === 'active' || status === 'inactive') return status;
  throw new ApiError(400, `Rule status must be 'active' or 'inactive' (got ${JSON.stringify(status)}).`);
}

/** GET of a trigger: with its rules, keyed `ns/rule`, like OpenWhisk. */
export function triggerView(doc: TriggerDoc, rules: RuleDoc[]): object {
  const byName: Record<string, { action: EntityPath; status: RuleStatus }> = {};
  for (const r of rules) byName[`${r.namespace}/${r.name}`] = { action: r.action, status: r.status };
  return { ...doc, rules: byName };
}

export function ruleSummary(r: RuleDoc): object {
  const { namespace, name, version, publish, status, trigger, action, annotations, updated } = r;
  return { namespace, name, version, publish, status, trigger, action, annotations, updated };
}
