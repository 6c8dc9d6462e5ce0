// The node agent on a worker thread of this process (node-agent-worker.ts, from dist/ made by
// `npm run build`), for the embedded platform: on an OpenWhisk node the agent is a daemon of its
// own and the invoker never waits for it, while in the platform's process its log reading, record
// parsing, kernel capture and batching ran on the event loop that serves the REST API and the
// containers' `/run`, so requests waited behind them. Here the agent has its own loop and a
// lower priority; only each finished batch comes back, to the sink given (one call per batch,
// awaited, as the Agent does with any sink). A worker dies with the process, so a platform killed
// with SIGKILL leaves nothing behind. If the worker fails, the failure is said in one line and
// the agent is started again on the same state directory: it resumes each log from its saved
// position (lines already sent are stored once) and its spool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../../package/root';
import type { Batch } from '../../../protocol/batch';
import { BatchTooLargeError } from '../batch-size';
import type { NodeAgent } from './node-agent';
import type { AgentCall, AgentState, FromAgentWorker, ToAgentWorker, WorkerAgentSpec } from './node-agent-messages';

export type { WorkerAgentSpec } from './node-agent-messages';

export function nodeAgentWorkerPath(): string {
  return path.join(packageRoot(), 'dist', 'invokers', 'agent', 'daemon', 'node-agent-worker.js');
}

/** Whether the worker's code is built (else the agent must run on the calling thread). */
export function nodeAgentWorkerBuilt(): boolean {
  return fs.existsSync(nodeAgentWorkerPath());
}

/** a call's worker died before it answered */
class WorkerExited extends Error {}

/** restarts after a failure before the agent is given up (said in one line) */
const MAX_RESTARTS = 3;

export async function startNodeAgentThread(spec: WorkerAgentSpec, sink: (batch: Batch) => Promise<void>, log: (line: string) => void): Promise<NodeAgent> {
  const file = nodeAgentWorkerPath();
  if (!fs.existsSync(file)) throw new Error(`the node agent's worker ${file} is missing: run \`npm run build\``);
  // libuv's thread pool is made by the thread that first uses it, and threads inherit their maker's
  // nice value: make sure it is this thread, so that the platform's own file and crypto work does
  // not run at the agent's lower priority
  await fs.promises.stat(file);

  let worker!: Worker;
  let state: AgentState;
  let nextCall = 0;
  const calls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let stopped = false;
  let restarts = 0;

  const send = (m: ToAgentWorker) => worker.postMessage(m);
  const onBatch = (id: number, batch: Batch, w: Worker) => {
    sink(batch).then(
      () => w.postMessage({ t: 'sunk', id } satisfies ToAgentWorker),
      (err: Error) => w.postMessage({ t: 'sunk', id, error: { message: err?.message ?? String(err), tooLarge: err instanceof BatchTooLargeError } } satisfies ToAgentWorker),
    );
  };

  /** Starts a worker; resolves with what it reports once its agent runs. */
  const spawn = () =>
    new Promise<Extract<FromAgentWorker, { t: 'started' }>>((resolve, reject) => {
      const w = new Worker(file, { workerData: spec });
      worker = w;
      let started = false;
      w.on('message', (m: FromAgentWorker) => {
        if (m.t === 'log') log(m.line);
        else if (m.t === 'batch') onBatch(m.id, m.batch, w);
        else if (m.t === 'state') state = m.state;
        else if (m.t === 'started') {
          started = true;
          state = m.state;
          resolve(m);
        } else if (m.t === 'failed') {
          if (started) return log(`agent: the agent thread failed: ${m.message}`);
          reject(new Error(m.message));
          // what the failed start left running (timers, a source) must not keep the process alive
          void w.terminate();
        } else if (m.t === 'done') {
          state = m.state;
          const c = calls.get(m.id);
          calls.delete(m.id);
          if (m.error) c?.reject(new Error(m.error));
          else c?.resolve();
        }
      });
      w.on('error', (err) => log(`agent: the agent thread failed: ${err.stack ?? err.message}`));
      w.on('exit', (code) => {
        if (!started) return reject(new Error(`the agent thread exited (code ${code}) before it started`));
        if (stopped) return;
        // calls waiting on the dead worker are made again on the next one (it reads again from the saved positions)
        for (const c of calls.values()) c.reject(new WorkerExited(`the agent thread exited (code ${code})`));
        calls.clear();
        if (restarts >= MAX_RESTARTS) {
          const why = `the agent thread exited (code ${code}) ${restarts + 1} times; container output is no longer read: restart the platform (nothing read before is lost: logs resume from saved positions)`;
          log(`agent: ${why}`);
          ready = Promise.reject(new Error(why));
          ready.catch(() => undefined);
          return;
        }
        restarts++;
        log(`agent: the agent thread exited (code ${code}); starting it again (logs resume from their saved positions, the spool is sent first)`);
        ready = spawn();
        ready.catch((err) => log(`agent: the agent thread did not start again: ${(err as Error).message}`));
      });
    });

  /** the running worker's start: calls wait for it (a restarted worker's too) */
  let ready: Promise<unknown> = spawn();
  const first = (await ready) as Extract<FromAgentWorker, { t: 'started' }>;
  const callOnce = (op: AgentCall) =>
    ready.then(
      () =>
        new Promise<void>((resolve, reject) => {
          const id = nextCall++;
          calls.set(id, { resolve, reject });
          send({ t: 'call', id, op });
        }),
    );
  // flush, stop, suspend and resume may be made again: a call the worker died under goes to its successor
  const call = async (op: AgentCall): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await callOnce(op);
      } catch (err) {
        if (!(err instanceof WorkerExited) || attempt >= MAX_RESTARTS) throw err;
      }
    }
  };

  return {
    mode: first.mode,
    stats: () => state.stats,
    healthy: () => state.healthy,
    kernelStats: () => state.kernelStats,
    suspendKernel: () => call('suspendKernel'),
    resumeKernel: () => call('resumeKernel'),
    flush: () => call('flush'),
    stop: async () => {
      if (stopped) return;
      try {
        await call('stop');
      } catch (err) {
        log(`agent: stopping the agent thread: ${(err as Error).message}`);
      } finally {
        stopped = true;
        await worker.terminate();
      }
    },
  };
}
