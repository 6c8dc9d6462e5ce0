// Starts activations of any kind of action and records them: plain actions go to the invoker,
// sequences run their components in order (each result feeding the next), and every nested
// activation carries its `cause` (the sequence or trigger activation that started it).
import type { ParentKind } from '../../protocol/action-runtime';
import { isSequence, type ActionDoc } from './action-doc';
import { makeResponse, type ActivationRecord, type ActivationResponse } from './activation-record';
import type { ActivationStore } from './activation-store';
import type { EntityStore } from './entity-store';
import { newActivationId, type Invoker } from './invoker';
import { MAX_SEQUENCE_DEPTH } from './limits';
import { entityNamespace, fullyQualified, parseQualifiedName, type ActionRef } from './names';

export interface ActivationCause {
  transactionId: string;
  apiKey: string;
  /** the sequence or trigger activation that started this one (OpenWhisk's `cause`) */
  cause?: string;
  /** the activation whose output is this one's input (told to the action in /run), what it is, and its name */
  parent?: { id: string; kind: ParentKind; name: string };
  /** annotation OpenWhisk puts on sequence components */
  causedBy?: 'sequence';
  /** sequences inside sequences */
  depth?: number;
}

export interface Started {
  activationId: string;
  done: Promise<ActivationRecord>;
}

export interface ActivatorDeps {
  subject: string;
  actions: EntityStore<ActionDoc>;
  activations: ActivationStore;
  invoker: Invoker;
  log: (line: string) => void;
}

export const SEQUENCE_MESSAGES = {
  componentMissing: 'Sequence component does not exist.',
  tooDeep: 'Too many nested sequences.',
};

/** The action's default parameters under the caller's (the caller's win, as in OpenWhisk). */
export function withDefaults(action: ActionDoc, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of action.parameters) out[p.key] = p.value;
  return Object.assign(out, params);
}

export class Activator {
  /** activations started but not finished (so a non-blocking caller's record appears later) */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly d: ActivatorDeps) {}

  /** Starts one activation of `action` with `params` (defaults already merged by the caller). */
  start(ref: ActionRef, action: ActionDoc, params: Record<string, unknown>, why: ActivationCause): Started {
    const activationId = newActivationId();
    const received = Date.now();
    const run = isSequence(action)
      ? this.runSequence(ref, action, params, activationId, why, received)
      : this.d.invoker.invoke({
          ref, action, params, activationId, transactionId: why.transactionId, apiKey: why.apiKey, subject: this.d.subject, received,
          ...(why.parent ? { parent: why.parent } : {}),
        });
    const done = run
      .catch((err: unknown) => {
        this.d.log(`platform: activation ${activationId} failed inside the platform: ${(err as Error).stack ?? err}`);
        const t = Date.now();
        return this.bare(action, activationId, t, t, makeResponse('whisk internal error', { error: `internal error: ${(err as Error).message}` }), [], []);
      })
      .then((record) => {
        const annotated: ActivationRecord = {
          ...record,
          ...(why.cause ? { cause: why.cause } : {}),
          annotations: why.causedBy ? [...record.annotations, { key: 'causedBy', value: why.causedBy }] : record.annotations,
        };
        this.d.activations.add(annotated);
        return annotated;
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    return { activationId, done };
  }

  /** Resolves when every activation started so far has finished and been recorded. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * OpenWhisk's sequence: the first component gets the sequence's parameters, each next one the
   * previous result; the first failure ends the sequence with that component's response; the
   * sequence's logs are its components' activation ids.
   */
  private async runSequence(ref: ActionRef, action: ActionDoc, params: Record<string, unknown>, activationId: string, why: ActivationCause, received: number): Promise<ActivationRecord> {
    const start = Date.now();
    const logs: string[] = [];
    let input = params;
    let response: ActivationResponse = makeResponse('success', params);
    let feeder: { id: string; kind: ParentKind; name: string } = { id: activationId, kind: 'sequence', name: fullyQualified(ref) };
    const depth = (why.depth ?? 0) + 1;
    for (const name of action.exec.components ?? []) {
      if (depth > MAX_SEQUENCE_DEPTH) {
        response = makeResponse('application error', { error: SEQUENCE_MESSAGES.tooDeep });
        break;
      }
      const cref = parseQualifiedName(name);
      const component = cref ? this.d.actions.get(entityNamespace(cref), cref.name) : undefined;
      if (!cref || !component) {
        response = makeResponse('application error', { error: SEQUENCE_MESSAGES.componentMissing });
        break;
      }
      const child = this.start(cref, component, withDefaults(component, input), {
        transactionId: why.transactionId, apiKey: why.apiKey, cause: activationId, parent: feeder, causedBy: 'sequence', depth,
      });
      logs.push(child.activationId);
      const record = await child.done;
      response = record.response;
      if (!response.success) break;
      input = response.result;
      feeder = { id: child.activationId, kind: 'action', name };
    }
    const end = Date.now();
    return this.bare(action, activationId, start, end, response, logs, [
      { key: 'topmost', value: why.cause === undefined },
      { key: 'path', value: fullyQualified(ref).slice(1) },
      { key: 'waitTime', value: Math.max(0, start - received) },
      { key: 'kind', value: 'sequence' },
      { key: 'limits', value: { ...action.limits } },
      { key: 'transId', value: why.transactionId },
    ]);
  }

  private bare(action: ActionDoc, activationId: string, start: number, end: number, response: ActivationResponse, logs: string[], annotations: ActivationRecord['annotations']): ActivationRecord {
    return {
      namespace: action.namespace, name: action.name, version: action.version, subject: this.d.subject, activationId,
      start, end, duration: end - start, statusCode: response.statusCode, response, logs, annotations, publish: false,
    };
  }
}

/** The record when the activation ends within `ms`, else undefined (the caller answers 202 then). */
export async function within(done: Promise<ActivationRecord>, ms: number): Promise<ActivationRecord | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([done, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  clearTimeout(timer);
  return waited;
}
