// The `/whisk.system/alarms/alarm` feed: a client (serverless-openwhisk, `wsk trigger create
// --feed`) invokes it with {lifecycleEvent, triggerName, authKey, cron, trigger_payload,
// maxTriggers}; while the platform runs, a real timer fires the trigger on that schedule.
// Alarms are kept with the platform's entities, so a restarted platform keeps firing them.
import { ApiError } from './api-error';
import { nextFire, parseCron } from './cron';
import type { EntityStore } from './entity-store';
import { parseQualifiedName } from './names';
import { isObject } from './json-object';

export const ALARM_FEED = '/whisk.system/alarms/alarm';

export interface AlarmDoc {
  /** the trigger's namespace and name */
  namespace: string;
  name: string;
  cron: string;
  /** the parameters each firing carries */
  payload: Record<string, unknown>;
  /** firings left; -1: no limit */
  remaining: number;
  status: 'active' | 'inactive';
  apiKey: string;
  created: number;
}

export type FireAlarm = (alarm: AlarmDoc) => void;

/** `trigger_payload` arrives as a JSON string (serverless-openwhisk) or an object (`wsk -p`). */
function payloadOf(v: unknown): Record<string, unknown> {
  if (v === undefined || v === '') return {};
  let parsed = v;
  if (typeof v === 'string') {
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new ApiError(400, `trigger_payload must be a JSON object (got ${JSON.stringify(v.slice(0, 40))}).`);
    }
  }
  if (!isObject(parsed)) throw new ApiError(400, 'trigger_payload must be a JSON object.');
  return parsed;
}

/** Longest single wait: setTimeout's limit is 2^31-1 ms; longer waits re-arm. */
const MAX_WAIT_MS = 2 ** 31 - 1;

export class AlarmFeed {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly store: EntityStore<AlarmDoc>,
    private readonly ownNamespace: string,
    private readonly fire: FireAlarm,
    private readonly log: (line: string) => void,
  ) {
    for (const alarm of store.list()) this.arm(alarm);
  }

  /** The feed action's body: answers what the feed action's result would be. */
  handle(params: Record<string, unknown>, callerKey: string): Record<string, unknown> {
    const event = String(params.lifecycleEvent ?? '').toUpperCase();
    const trigger = typeof params.triggerName === 'string' ? parseQualifiedName(params.triggerName, this.ownNamespace) : undefined;
    if (!trigger || trigger.pkg) throw new ApiError(400, `The alarms feed needs triggerName as '/_/<trigger>' (got ${JSON.stringify(params.triggerName)}).`);
    if (trigger.namespace !== this.ownNamespace) throw new ApiError(403, `The supplied authentication is not authorized to access '${trigger.namespace}'.`);
    const existing = this.store.get(trigger.namespace, trigger.name);
    switch (event) {
      case 'CREATE':
      case 'UPDATE': {
        if (event === 'CREATE' && existing) throw new ApiError(409, `an alarm for trigger '${trigger.name}' already exists: delete it first.`);
        const cron = typeof params.cron === 'string' ? params.cron : existing?.cron;
        if (!cron) throw new ApiError(400, "The alarms feed needs a 'cron' schedule such as '*/1 * * * *'.");
        try {
          parseCron(cron);
        } catch (err) {
          throw new ApiError(400, (err as Error).message);
        }
        const max = params.maxTriggers ?? existing?.remaining ?? -1;
        if (typeof max !== 'number' || !Number.isInteger(max) || max === 0 || max < -1) throw new ApiError(400, 'maxTriggers must be a positive integer, or -1 for no limit.');
        const alarm: AlarmDoc = {
          namespace: trigger.namespace,
          name: trigger.name,
          cron,
          payload: params.trigger_payload !== undefined ? payloadOf(params.trigger_payload) : existing?.payload ?? {},
          remaining: max,
          status: 'active',
          apiKey: typeof params.authKey === 'string' ? params.authKey : callerKey,
          created: existing?.created ?? Date.now(),
        };
        this.store.put(alarm);
        this.arm(alarm);
        return {};
      }
      case 'READ':
        if (!existing) throw new ApiError(404, `no alarm for trigger '${trigger.name}'.`);
        return { config: { cron: existing.cron, payload: existing.payload, maxTriggers: existing.remaining, triggerName: `/${existing.namespace}/${existing.name}` }, status: { active: existing.status === 'active' } };
      case 'DELETE':
        if (!existing) throw new ApiError(404, `no alarm for trigger '${trigger.name}'.`);
        this.remove(trigger.namespace, trigger.name);
        return {};
      case 'PAUSE':
      case 'UNPAUSE': {
        if (!existing) throw new ApiError(404, `no alarm for trigger '${trigger.name}'.`);
        const alarm: AlarmDoc = { ...existing, status: event === 'PAUSE' ? 'inactive' : 'active' };
        this.store.put(alarm);
        this.arm(alarm);
        return {};
      }
      default:
        throw new ApiError(400, `lifecycleEvent must be CREATE, READ, UPDATE, DELETE, PAUSE or UNPAUSE (got ${JSON.stringify(params.lifecycleEvent)}).`);
    }
  }

  /** The trigger is gone: its alarm goes with it. */
  remove(namespace: string, name: string): void {
    this.disarm(`${namespace}/${name}`);
    const doc = this.store.get(namespace, name);
    if (doc) this.store.delete(doc);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private disarm(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  private arm(alarm: AlarmDoc): void {
    const key = `${alarm.namespace}/${alarm.name}`;
    this.disarm(key);
    if (this.closed || alarm.status !== 'active' || alarm.remaining === 0) return;
    let schedule;
    try {
      schedule = parseCron(alarm.cron);
    } catch (err) {
      this.log(`platform: alarm of trigger ${key} not armed: ${(err as Error).message}`);
      return;
    }
    const at = nextFire(schedule, Date.now());
    if (at === undefined) return;
    const wait = Math.min(at - Date.now(), MAX_WAIT_MS);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const current = this.store.get(alarm.namespace, alarm.name);
      if (!current || this.closed) return;
      if (Date.now() + 5 < at) return this.arm(current); // a long wait that re-arms
      const next = current.remaining > 0 ? { ...current, remaining: current.remaining - 1 } : current;
      if (next !== current) this.store.put(next);
      try {
        this.fire(current);
      } catch (err) {
        this.log(`platform: alarm of trigger ${key} failed to fire: ${(err as Error).message}`);
      }
      this.arm(next);
    }, Math.max(0, wait));
    timer.unref();
    this.timers.set(key, timer);
  }
}
