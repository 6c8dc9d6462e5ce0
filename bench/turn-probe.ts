// What one configuration's turn of bench/kernel-activations.ts cost this process, beyond its CPU
// total (side effects: reads /proc and the event loop's own counters). The embedded platform serves
// the REST API, the invoker and the containers' `/run` on this process's event loop; whatever else
// runs there (the node agent reading logs and batching, a sink) makes requests wait. So a turn
// records:
// - event-loop delay (how late a 1 ms timer fires: work that held the loop) and utilisation;
// - CPU split between the main thread (the loop: client, API, invoker, and the agent when it runs
//   there) and every other thread of the process (libuv's pool, worker threads: a kernel pipeline
//   or node agent moved off the loop).
import * as fs from 'node:fs';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

/** Linux USER_HZ: /proc's CPU times are in ticks of 10 ms */
const TICK_MS = 10;

/** CPU ms (user + system) one thread of this process has used, from /proc/self/task/<tid>/stat (0 when unreadable). */
export function threadCpuMs(tid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export interface TurnCost {
  /** ms of CPU on the main thread (the event loop) and on every other thread of this process */
  mainMs: number;
  otherThreadsMs: number;
  /** event-loop delay of a 1 ms timer during the turn: mean and 99th percentile (ms) */
  delayMeanMs: number;
  delayP99Ms: number;
  /** share of the turn's wall time the event loop was busy (0..1) */
  utilisation: number;
}

export class TurnProbe {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  private elu0?: EventLoopUtilization;
  private cpu0 = process.cpuUsage();
  private main0 = 0;

  start(): void {
    this.delay.reset();
    this.delay.enable();
    this.elu0 = performance.eventLoopUtilization();
    this.cpu0 = process.cpuUsage();
    this.main0 = threadCpuMs(process.pid);
  }

  stop(): TurnCost {
    this.delay.disable();
    const elu = performance.eventLoopUtilization(this.elu0);
    const cpu = process.cpuUsage(this.cpu0);
    const totalMs = (cpu.user + cpu.system) / 1000;
    const mainMs = threadCpuMs(process.pid) - this.main0;
    return {
      mainMs,
      // both come from the kernel's accounting, but in ticks against µs: never below 0
      otherThreadsMs: Math.max(0, totalMs - mainMs),
      delayMeanMs: this.delay.count ? this.delay.mean / 1e6 : 0,
      delayP99Ms: this.delay.count ? this.delay.percentile(99) / 1e6 : 0,
      utilisation: elu.utilization,
    };
  }
}
