// Worker-thread entry of the agent's kernel work (kernel-pipeline-host.ts starts it from dist/ when
// the tap is opened with pipeline: 'worker'): runs a KernelPipeline on the messages the tap posts,
// in order, and posts back what is ready to ship with the counters, so that decoding, attribution
// and reduction do not run on the platform's event loop next to the invoker.
import { parentPort, workerData } from 'node:worker_threads';
import type { TrackedContainer } from './kernel-tracker';
import { hasOutput, KernelPipeline, type PipelineOptions, type PipelineOutput, type PipelineStats } from './kernel-pipeline';

/** tap -> worker */
export type ToWorker =
  | { t: 'add'; container: TrackedContainer }
  | { t: 'remove'; container: string }
  | { t: 'ignore'; cgroupId: bigint }
  | { t: 'records'; buf: Uint8Array; kernelDrops: number }
  /** answered once everything posted before it has been processed */
  | { t: 'barrier'; id: number };

/** worker -> tap */
export type FromWorker =
  | { t: 'out'; out: PipelineOutput; stats: PipelineStats; inProgress: Record<string, string[]> }
  | { t: 'barrier'; id: number; stats: PipelineStats; inProgress: Record<string, string[]> }
  | { t: 'error'; message: string };

export interface KernelWorkerData {
  bootOffsetNs: bigint;
  options?: PipelineOptions;
}

function serve(): void {
  const port = parentPort;
  if (!port) throw new Error('kernel-worker.js runs as a worker thread of the kernel tap (invokers/agent/kernel-tap.ts), not on its own');
  const data = workerData as KernelWorkerData;
  const pipeline = new KernelPipeline(data.bootOffsetNs, data.options);
  const send = (out: PipelineOutput) => {
    if (hasOutput(out)) port.postMessage({ t: 'out', out, stats: pipeline.stats(), inProgress: pipeline.inProgress() } satisfies FromWorker);
  };
  port.on('message', (m: ToWorker) => {
    try {
      switch (m.t) {
        case 'add':
          return send(pipeline.addContainer(m.container));
        case 'ignore':
          pipeline.ignoreCgroup(m.cgroupId);
          return;
        case 'remove':
          return send(pipeline.removeContainer(m.container));
        case 'records':
          return send(pipeline.push(m.buf, m.kernelDrops));
        case 'barrier':
          port.postMessage({ t: 'barrier', id: m.id, stats: pipeline.stats(), inProgress: pipeline.inProgress() } satisfies FromWorker);
          return;
      }
    } catch (err) {
      port.postMessage({ t: 'error', message: (err as Error).stack ?? String(err) } satisfies FromWorker);
    }
  });
}

serve();
