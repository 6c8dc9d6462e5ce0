// Worker-thread entry of the node agent (node-agent-thread.ts starts it from dist/): runs
// startNodeAgent here, on this thread's own event loop, so that reading container logs, parsing
// records, kernel capture and batching never make the embedded platform's REST API and `/run`
// calls wait; lowers this thread's scheduling priority so that, on a busy node, it takes the CPU
// the platform and its containers leave (as `provenance agent` would under `nice` on an invoker).
// Batches go back to the starting thread's sink one at a time and wait for its answer, so delivery,
// spooling and retries are the Agent's as ever.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Batch } from '../../../protocol/batch';
import { BatchTooLargeError } from '../batch-size';
import { DockerSource } from '../discovery/docker-source';
import { KubernetesSource } from '../discovery/kubernetes-source';
import type { ContainerSource } from '../discovery/source';
import { startNodeAgent, type NodeAgent } from './node-agent';
import type { AgentState, FromAgentWorker, ToAgentWorker, WorkerAgentSpec } from './node-agent-messages';

/** how often the cached counters are refreshed when nothing else reports them */
const STATE_EVERY_MS = 1_000;

/** This thread's kernel id: setpriority() on it changes this thread alone. */
function threadId(): number | undefined {
  try {
    return Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

function sourceOf(spec: WorkerAgentSpec): ContainerSource {
  return spec.source.kind === 'docker' ? new DockerSource(spec.source.options) : new KubernetesSource(spec.source.options);
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('node-agent-worker.ts runs as a worker thread (node-agent-thread.ts starts it)');
  const spec = workerData as WorkerAgentSpec;
  const post = (m: FromAgentWorker) => port.postMessage(m);
  const log = (line: string) => post({ t: 'log', line });
  const tid = threadId();
  if (tid !== undefined && spec.nice > 0) {
    try {
      os.setPriority(tid, spec.nice);
    } catch (err) {
      log(`agent: cannot lower the agent thread's priority (${(err as Error).message}); it competes with the platform for CPU`);
    }
  }

  let nextBatch = 0;
  const sinking = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const sink = (batch: Batch) =>
    new Promise<void>((resolve, reject) => {
      const id = nextBatch++;
      sinking.set(id, { resolve, reject });
      post({ t: 'batch', id, batch });
    });

  let agent: NodeAgent;
  try {
    agent = await startNodeAgent({ ...spec, source: sourceOf(spec), sink, log });
  } catch (err) {
    post({ t: 'failed', message: (err as Error).message });
    return;
  }
  const state = (): AgentState => ({ stats: agent.stats(), healthy: agent.healthy(), kernelStats: agent.kernelStats() });
  post({ t: 'started', mode: agent.mode, state: state() });
  const timer = setInterval(() => post({ t: 'state', state: state() }), STATE_EVERY_MS);
  timer.unref();

  port.on('message', (m: ToAgentWorker) => {
    if (m.t === 'sunk') {
      const waiting = sinking.get(m.id);
      sinking.delete(m.id);
      if (!m.error) waiting?.resolve();
      else waiting?.reject(m.error.tooLarge ? new BatchTooLargeError(m.error.message) : new Error(m.error.message));
      return;
    }
    const run = async () => {
      if (m.op === 'flush') await agent.flush();
      else if (m.op === 'suspendKernel') await agent.suspendKernel();
      else if (m.op === 'resumeKernel') await agent.resumeKernel();
      else if (m.op === 'stop') {
        clearInterval(timer);
        await agent.stop();
      }
    };
    run().then(
      () => post({ t: 'done', id: m.id, state: state() }),
      (err) => post({ t: 'done', id: m.id, state: state(), error: (err as Error).message }),
    );
  });
}

serve().catch((err) => parentPort?.postMessage({ t: 'failed', message: (err as Error).message } satisfies FromAgentWorker));
