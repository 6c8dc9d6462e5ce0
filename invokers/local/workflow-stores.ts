// Where the platform keeps what workflows are made of (triggers, rules, alarms, API routes):
// next to its actions, one JSON file each, so a restarted platform keeps them.
import * as path from 'node:path';
import type { AlarmDoc } from './alarm-feed';
import type { ApiDoc } from './api-gateway';
import { EntityStore } from './entity-store';
import type { RuleDoc, TriggerDoc } from './trigger-doc';

export interface WorkflowStores {
  triggers: EntityStore<TriggerDoc>;
  rules: EntityStore<RuleDoc>;
  alarms: EntityStore<AlarmDoc>;
  apis: EntityStore<ApiDoc>;
}

export function openWorkflowStores(platformDir: string): WorkflowStores {
  return {
    triggers: EntityStore.open<TriggerDoc>(path.join(platformDir, 'triggers'), 'trigger'),
    rules: EntityStore.open<RuleDoc>(path.join(platformDir, 'rules'), 'rule'),
    alarms: EntityStore.open<AlarmDoc>(path.join(platformDir, 'alarms'), 'alarm'),
    apis: EntityStore.open<ApiDoc>(path.join(platformDir, 'apis'), 'API route'),
  };
}

/** One namespace's view: it lists only its own triggers, rules, alarms and routes. */
export function scopeWorkflowStores(stores: WorkflowStores, namespace: string): WorkflowStores {
  return {
    triggers: stores.triggers.scoped(namespace),
    rules: stores.rules.scoped(namespace),
    alarms: stores.alarms.scoped(namespace),
    apis: stores.apis.scoped(namespace),
  };
}
