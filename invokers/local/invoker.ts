// Runs activations in containers: warm reuse per action version (up to `limits.concurrency`
// activations at once per container), a prewarmed container taken over or a new one when all are
// busy (started by the launcher: processes of ours, or Docker containers), idle retirement,
// time limits enforced by killing the container, and the activation record at the end.
import { randomBytes } from 'node:crypto';
import type { ParentKind } from '../../protocol/action-runtime';
import type { ContainerInfo } from '../../protocol/batch';
import { annotation, type ActionDoc, type ActionExec, type KeyValue } from './action-doc';
import { ApiError } from './api-error';
import { classifyOutcome, formatLogs, makeResponse, type ActivationRecord, type RunOutcome } from './activation-record';
import type { ActionContainer, ContainerLauncher } from './action-container';
import type { LogCollection } from './log-collection';
import { entityPath, fullyQualified, type ActionRef } from './names';
import type { CallResult } from './runtime-client';

export interface InvokerOptions {
  /** starts a container (a process of ours, or a Docker container) */
  launch: ContainerLauncher;
  idleTimeoutMs: number;
  maxContainers: number;
  /** how long to wait for the two sentinels after /run answered */
  logGraceMs: number;
  /**
   * OpenWhisk's prewarmed ("stem cell") containers: `count` containers are kept started for
   * `kind`, and a cold start of an action of one of `takenBy` kinds takes one over
   */
  prewarm?: { kind: string; takenBy: string[]; count: number };
  /** whether actions with their own Docker image (kind blackbox) can run here */
  acceptsImages: boolean;
  onActivationEnd: () => void;
  log: (line: string) => void;
}

export interface InvokeRequest {
  ref: ActionRef;
  action: ActionDoc;
  params: Record<string, unknown>;
  activationId: string;
  transactionId: string;
  apiKey: string;
  subject: string;
  /** ms since the epoch when the platform received the request */
  received: number;
  /** the activation whose output is this one's input (a sequence's previous component, a trigger firing) */
  parent?: { id: string; kind: ParentKind; name: string };
}

export function newActivationId(): string {
  return randomBytes(16).toString('hex');
}

function answered(r: CallResult): r is { httpStatus: number; body: unknown } {
  return 'httpStatus' in r;
}

export class Invoker {
  private readonly containers = new Set<ActionContainer>();
  /** prewarmed containers no action has taken yet */
  private readonly prewarmed = new Set<ActionContainer>();
  private prewarmStarting = 0;
  private prewarmFailed = false;
  private readonly idleTimers = new Map<ActionContainer, NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private stopping = false;
  private starting = 0;

  constructor(private readonly opts: InvokerOptions) {}

  containerCount(): number {
    return this.containers.size;
  }

  /** The containers alive now (for tests and diagnostics). */
  list(): ContainerInfo[] {
    return [...this.prewarmed, ...this.containers].map((c) => ({ ...c.info }));
  }

  /** Refuses an action this platform cannot run (a Docker image without Docker), when it is created. */
  checkRunnable(exec: ActionExec): void {
    if (exec.image && !this.opts.acceptsImages) {
      throw new ApiError(501, `Docker actions (kind blackbox, image ${exec.image}) need Docker: start the platform with --containers docker.`);
    }
  }

  /** Keep the prewarmed containers at their count (started at start-up and after each take-over). */
  refillPrewarm(): void {
    const want = this.opts.prewarm;
    if (!want || this.stopping || this.prewarmFailed) return;
    while (this.prewarmed.size + this.prewarmStarting < want.count) {
      this.prewarmStarting++;
      this.opts
        .launch({ action: '', actionKey: '', concurrency: 1, namespace: '', name: '', kind: want.kind, prewarm: true, onExit: (c) => this.forget(c) })
        .then(
          (c) => {
            if (this.stopping) void c.destroy();
            else if (c.state !== 'dead') this.prewarmed.add(c);
          },
          (err: unknown) => {
            // not retried: a launch that failed once fails again; cold starts still work (or say why)
            this.prewarmFailed = true;
            this.opts.log(`invoker: cannot prewarm a ${want.kind} container: ${(err as Error).message}`);
          },
        )
        .finally(() => {
          this.prewarmStarting--;
          this.wake();
        });
    }
  }

  private takePrewarmed(kind: string): ActionContainer | undefined {
    if (!this.opts.prewarm?.takenBy.includes(kind)) return undefined;
    for (const c of this.prewarmed) {
      if (c.state !== 'ready') continue;
      this.prewarmed.delete(c);
      return c;
    }
    return undefined;
  }

  async invoke(req: InvokeRequest): Promise<ActivationRecord> {
    const { action } = req;
    const fqn = fullyQualified(req.ref);
    const key = `${fqn}@${action.version}`;
    let lease: { container: ActionContainer; cold: boolean };
    try {
      lease = await this.acquire(req, key, fqn);
    } catch (err) {
      this.opts.log(`invoker: ${(err as Error).message}`);
      const t = Date.now();
      return this.record(req, t, t, makeResponse('whisk internal error', { error: `Failed to start a container: ${(err as Error).message}` }), [], undefined);
    }
    const { container, cold } = lease;
    const timeoutMs = action.limits.timeout;
    const start = Date.now();
    const logs = action.limits.concurrency === 1 ? container.collectLogs() : undefined;
    let initTime: number | undefined;
    let outcome: RunOutcome | undefined;
    let killContainer = false;

    if (cold) {
      const initResult = await container.init(
        {
          value: {
            name: action.name,
            main: action.exec.main ?? 'main',
            code: action.exec.code,
            binary: action.exec.binary,
            env: { __OW_NAMESPACE: req.ref.namespace, __OW_ACTION_NAME: fqn, __OW_ACTION_VERSION: action.version },
          },
        },
        timeoutMs,
      );
      initTime = Date.now() - start;
      if ('timeout' in initResult) outcome = { kind: 'timeout', timeoutMs };
      else if ('crashed' in initResult) outcome = { kind: 'crashed', message: initResult.crashed };
      else if (initResult.httpStatus !== 200) outcome = { kind: 'init-failed', httpStatus: initResult.httpStatus, body: initResult.body };
      else container.initialized = true;
      // OpenWhisk discards a container whose initialization failed
      if (outcome) killContainer = true;
    }

    if (!outcome) {
      const runStart = Date.now();
      const provideKey = annotation(action, 'provide-api-key') !== false;
      const runResult = await container.run(
        {
          value: req.params,
          namespace: req.ref.namespace,
          action_name: fqn,
          action_version: action.version,
          activation_id: req.activationId,
          transaction_id: req.transactionId,
          deadline: String(runStart + timeoutMs),
          // always sent (empty when none): a warm runtime keeps __OW_* of the previous activation
          parent_activation_id: req.parent?.id ?? '',
          parent_kind: req.parent?.kind ?? '',
          parent_name: req.parent?.name ?? '',
          ...(provideKey ? { api_key: req.apiKey } : {}),
        },
        timeoutMs,
      );
      if (answered(runResult)) outcome = { kind: 'answered', httpStatus: runResult.httpStatus, body: runResult.body };
      else if ('timeout' in runResult) {
        outcome = { kind: 'timeout', timeoutMs };
        killContainer = true;
      } else {
        outcome = { kind: 'crashed', message: runResult.crashed };
        killContainer = true;
      }
    }
    const end = Date.now();

    if (killContainer) await container.destroy();
    if (logs) {
      await logs.settled(this.opts.logGraceMs);
      container.stopCollecting(logs);
    }
    this.release(container);
    this.opts.onActivationEnd();
    return this.record(req, start, end, classifyOutcome(outcome), this.logLines(logs, action), initTime, outcome.kind === 'timeout');
  }

  private logLines(logs: LogCollection | undefined, action: ActionDoc): string[] {
    return logs ? formatLogs(logs.lines, action.limits.logs * 1024 * 1024) : [];
  }

  private record(
    req: InvokeRequest,
    start: number,
    end: number,
    response: ActivationRecord['response'],
    logs: string[],
    initTime: number | undefined,
    timedOut = false,
  ): ActivationRecord {
    const { ref, action } = req;
    const annotations: KeyValue[] = [
      { key: 'path', value: `${fullyQualified(ref).slice(1)}` },
      { key: 'waitTime', value: Math.max(0, start - req.received) },
      { key: 'kind', value: action.exec.kind },
      { key: 'timeout', value: timedOut },
      { key: 'limits', value: { ...action.limits } },
      ...(initTime !== undefined ? [{ key: 'initTime', value: initTime }] : []),
      { key: 'transId', value: req.transactionId },
    ];
    return {
      namespace: action.namespace,
      name: action.name,
      version: action.version,
      subject: req.subject,
      activationId: req.activationId,
      start,
      end,
      duration: end - start,
      statusCode: response.statusCode,
      response,
      logs,
      annotations,
      publish: false,
    };
  }

  private async acquire(req: InvokeRequest, key: string, fqn: string): Promise<{ container: ActionContainer; cold: boolean }> {
    const { action } = req;
    const concurrency = action.limits.concurrency;
    for (;;) {
      if (this.stopping) throw new Error('the platform is stopping');
      for (const c of this.containers) {
        if (c.spec.actionKey === key && c.state === 'ready' && c.initialized && !c.retired && c.active < c.spec.concurrency) {
          this.take(c);
          return { container: c, cold: false };
        }
      }
      // containers still starting count too, so concurrent cold starts respect maxContainers
      if (this.containers.size + this.starting >= this.opts.maxContainers) {
        const idle = [...this.containers].filter((c) => c.active === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
        if (idle) {
          await idle.destroy();
          continue;
        }
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      // a cold start takes a prewarmed container over when there is one; it keeps its name
      const prewarmed = this.takePrewarmed(action.exec.kind);
      if (prewarmed) {
        prewarmed.assign({ action: fqn, actionKey: key, concurrency });
        this.containers.add(prewarmed);
        this.take(prewarmed);
        this.refillPrewarm();
        return { container: prewarmed, cold: true };
      }
      const container = this.opts.launch({
        action: fqn,
        actionKey: key,
        concurrency,
        namespace: req.ref.namespace,
        name: entityPath(req.ref),
        kind: action.exec.kind,
        ...(action.exec.image ? { image: action.exec.image } : {}),
        prewarm: false,
        onExit: (c) => this.forget(c),
      });
      this.starting++;
      let c: ActionContainer;
      try {
        c = await container;
      } finally {
        this.starting--;
      }
      if (this.stopping) {
        await c.destroy();
        throw new Error('the platform is stopping');
      }
      this.containers.add(c);
      this.take(c);
      return { container: c, cold: true };
    }
  }

  private take(c: ActionContainer): void {
    c.active++;
    const t = this.idleTimers.get(c);
    if (t) {
      clearTimeout(t);
      this.idleTimers.delete(c);
    }
  }

  private release(c: ActionContainer): void {
    c.active = Math.max(0, c.active - 1);
    c.lastUsed = Date.now();
    if (c.active === 0 && c.state !== 'dead') {
      if (c.retired || this.stopping) void c.destroy();
      else {
        const timer = setTimeout(() => {
          this.idleTimers.delete(c);
          if (c.active === 0) {
            this.opts.log(`invoker: container ${c.id} (${c.spec.action}) idle for ${this.opts.idleTimeoutMs} ms: retired`);
            void c.destroy();
          }
        }, this.opts.idleTimeoutMs);
        timer.unref();
        this.idleTimers.set(c, timer);
      }
    }
    this.wake();
  }

  private forget(c: ActionContainer): void {
    this.containers.delete(c);
    if (this.prewarmed.delete(c)) this.refillPrewarm();
    const t = this.idleTimers.get(c);
    if (t) clearTimeout(t);
    this.idleTimers.delete(c);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The action changed or was deleted: its containers take no new activations and go when idle. */
  retireAction(fqn: string): void {
    for (const c of this.containers) {
      if (c.spec.action !== fqn) continue;
      c.retired = true;
      if (c.active === 0) void c.destroy();
    }
  }

  /** Kill every container synchronously (the process is exiting without stop()). */
  killAllNow(): void {
    for (const c of [...this.prewarmed, ...this.containers]) c.killNow();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    for (const t of this.idleTimers.values()) clearTimeout(t);
    this.idleTimers.clear();
    await Promise.all([...this.prewarmed, ...this.containers].map((c) => c.destroy()));
    // containers that were still starting destroy themselves when their start resolves
    while (this.starting > 0 || this.prewarmStarting > 0) await new Promise((r) => setTimeout(r, 20));
  }
}
