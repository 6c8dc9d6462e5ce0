// Builds batches of real, signed wrapper lines (the wrapper's own encoder), the way an agent
// would ship them. For tests and replay tools: the lines are exactly what a wrapped action writes.
import { encodeRecord } from '../wrapper/records';
import type { BeginRecord, ProvRecord } from '../protocol/wrapper-records';
import { LOG_ID_CLOSE, LOG_ID_OPEN } from '../protocol/wrapper-records';
import { ACTIVATION_SENTINEL } from '../protocol/action-runtime';
import { BATCH_VERSION, type Batch, type ContainerInfo, type StreamLine } from '../protocol/batch';

type Body<T> = T extends ProvRecord ? Omit<T, 'a' | 'r' | 's' | 'm' | 'ts'> : never;

/** One activation's record writer: sequence numbers, ids and the MAC are handled here. */
export class ActivationWriter {
  private seq = 0;
  constructor(
    readonly activationId: string,
    readonly requestId: string,
    readonly key: string,
  ) {}

  begin(ts: number, fields: Omit<BeginRecord, 't' | 'a' | 'r' | 's' | 'm' | 'ts' | 'k'>): string {
    return this.record({ t: 'begin', k: this.key, ...fields } as Body<BeginRecord>, ts);
  }

  /** Any record after begin: `{t: 'fs', op: 'write', path: '/tmp/x'}` and so on. */
  record(body: Body<ProvRecord>, ts: number): string {
    const full = { ...body, a: this.activationId, r: this.requestId, ts, s: this.seq++ } as ProvRecord;
    return encodeRecord(full, this.key).replace(/\n$/, '');
  }

  /** A console line as the wrapper prefixes it. */
  log(text: string): string {
    return `${LOG_ID_OPEN}${this.requestId} ${this.activationId}${LOG_ID_CLOSE} ${text}`;
  }

  /** Skips sequence numbers, as if records were lost. */
  skip(n = 1): void {
    this.seq += n;
  }
}

/** One container's output: per-stream sequence numbers like the agent's. */
export class ContainerOutput {
  private readonly seqs = { stdout: 0, stderr: 0 };
  readonly lines: StreamLine[] = [];
  constructor(readonly info: ContainerInfo) {}

  write(line: string, time: number, stream: StreamLine['stream'] = 'stdout'): this {
    this.lines.push({ container: this.info.container, stream, time, line, seq: this.seqs[stream]++ });
    return this;
  }

  /** The runtime's end of activation: once on each stream. */
  sentinel(time: number): this {
    return this.write(ACTIVATION_SENTINEL, time, 'stdout').write(ACTIVATION_SENTINEL, time, 'stderr');
  }
}

export function makeBatch(invoker: string, batch: number, outputs: ContainerOutput[], lines?: StreamLine[]): Batch {
  return {
    v: BATCH_VERSION,
    invoker,
    batch,
    containers: outputs.map((o) => o.info),
    lines: lines ?? outputs.flatMap((o) => o.lines),
  };
}
