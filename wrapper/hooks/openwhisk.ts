// Records invocations made through the `openwhisk` npm client (actions invoked, triggers fired): the invoked action or trigger, whether
// blocking, and the child activation id from the platform's answer (or the error).
// Patched at Resources#invoke (openwhisk/lib/resources.js), which Actions#invoke calls via
// super for every form; there the full activation is still in hand even when the caller
// asked for `result: true` and only gets the result back.

import { currentActivation, safely, type ActivationContext } from '../context';
import { emitRecord } from '../emit';
import { patchMethod } from '../patcher';
import { registerModulePatcher } from './module-load';
import { coverApiCalls } from './http';

type AnyFn = (...args: any[]) => any;

/** The action name as the caller gave it. */
export function invokedName(options: unknown): string {
  if (typeof options === 'string') return options;
  if (options && typeof options === 'object') {
    const o = options as { name?: unknown; actionName?: unknown };
    if (typeof o.name === 'string') return o.name;
    if (typeof o.actionName === 'string') return o.actionName;
  }
  return '';
}

export function isBlocking(options: unknown): boolean {
  return !!(options && typeof options === 'object' && (options as { blocking?: unknown }).blocking === true);
}

/** The activation id in a platform answer: an activation, `{activationId}`, or an error carrying either. */
export function activationIdOf(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { activationId?: unknown; error?: unknown };
  if (typeof v.activationId === 'string') return v.activationId;
  if (v.error && typeof v.error === 'object') return activationIdOf(v.error);
  return undefined;
}

function recordOne(ctx: ActivationContext, options: unknown, sentAt: number, outcome: { value?: unknown; error?: unknown }): void {
  const fields: { to: string; blocking: boolean; child?: string; err?: string; st: number } = { to: invokedName(options), blocking: isBlocking(options), st: sentAt };
  const child = activationIdOf(outcome.error ?? outcome.value);
  if (child) fields.child = child;
  if (outcome.error !== undefined) fields.err = outcome.error instanceof Error ? outcome.error.message : String((outcome.error as { message?: unknown })?.message ?? outcome.error);
  emitRecord(ctx, 'invoke', fields);
}

function record(ctx: ActivationContext, options: unknown, sentAt: number, outcome: { value?: unknown; error?: unknown }): void {
  safely('openwhisk invoke', () => {
    if (Array.isArray(options)) {
      // Promise.all: on success one activation per entry, on failure only the first error is known.
      options.forEach((o, i) => recordOne(ctx, o, sentAt, outcome.error !== undefined ? outcome : { value: Array.isArray(outcome.value) ? outcome.value[i] : undefined }));
    } else {
      recordOne(ctx, options, sentAt, outcome);
    }
  });
}

function patchResources(exports: unknown): void {
  if (typeof exports !== 'function' || !exports.prototype) return;
  patchMethod(exports.prototype as object, 'invoke', (original: AnyFn) =>
    function (this: { resource?: string }, options: unknown, ...rest: unknown[]) {
      // firing a trigger is an invocation too: its rules' actions get what it carries
      const ctx = this && (this.resource === 'actions' || this.resource === 'triggers') ? currentActivation() : undefined;
      if (!ctx) return original.call(this, options, ...rest);
      // Resources#invoke mutates options (qs, body): read the name and flags before.
      const snapshot = Array.isArray(options) ? options.map((o) => ({ name: invokedName(o), blocking: isBlocking(o) })) : { name: invokedName(options), blocking: isBlocking(options) };
      const sentAt = Date.now();
      // the `invoke` record stands for the client's own HTTP request to the platform's API: no http record of it
      safely('openwhisk invoke', () => coverApiCalls(ctx, (this as { client?: { options?: { api?: unknown } } }).client?.options?.api, Array.isArray(options) ? options.length : 1));
      const promise = original.call(this, options, ...rest);
      if (!promise || typeof promise.then !== 'function') return promise;
      return promise.then(
        (value: unknown) => {
          record(ctx, snapshot, sentAt, { value });
          return value;
        },
        (error: unknown) => {
          record(ctx, snapshot, sentAt, { error });
          throw error;
        },
      );
    },
  );
}

export function registerOpenwhiskPatcher(): void {
  registerModulePatcher({ name: 'openwhisk', filename: /\/openwhisk\/lib\/resources\.js$/, patch: patchResources });
}
