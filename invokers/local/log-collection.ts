// The logs of one activation as OpenWhisk's invoker collects them: every line from the start of
// /run (or /init) up to the end-of-activation sentinel, on stdout and on stderr.
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';
import type { StreamLine } from '../../protocol/batch';
import type { CollectedLine } from './activation-record';

export class LogCollection {
  readonly lines: CollectedLine[] = [];
  readonly seen = { stdout: false, stderr: false };
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  take(stream: 'stdout' | 'stderr', line: CollectedLine): void {
    if (this.seen[stream]) return; // written after this activation ended: nobody's logs
    if (line.text === ACTIVATION_SENTINEL) {
      this.seen[stream] = true;
      if (this.seen.stdout && this.seen.stderr) this.resolveDone();
      return;
    }
    this.lines.push(line);
  }

  finish(): void {
    this.resolveDone();
  }

  /** Both sentinels, or at most `graceMs` (a container that died or never wrote them). */
  async settled(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }
}

/**
 * What a container writes, handed on the same way by every kind of container: numbered per stream
 * for the agent, given to the activation whose logs are being collected, and its last stderr lines
 * kept to explain a container that fails to start.
 */
export class ContainerOutput {
  private collection?: LogCollection;
  private readonly seq = { stdout: 0, stderr: 0 };
  private readonly recentStderr: string[] = [];

  /** One complete line of the container `container`; `deliver` gets it numbered, as the agent takes it. */
  line(container: string, stream: 'stdout' | 'stderr', time: number, text: string, deliver?: (line: StreamLine) => void): void {
    if (stream === 'stderr') this.note(text);
    deliver?.({ container, stream, time: Math.round(time), line: text, seq: this.seq[stream]++ });
    this.collection?.take(stream, { time, stream, text });
  }

  /** A line that explains a failure, kept with the last stderr lines. */
  note(text: string): void {
    this.recentStderr.push(text);
    if (this.recentStderr.length > 20) this.recentStderr.shift();
  }

  /** The last few stderr lines in one line ('' when there are none). */
  tail(): string {
    return this.recentStderr.slice(-5).join(' | ');
  }

  /** Start collecting the next activation's logs (only with concurrency 1, as OpenWhisk does). */
  collectLogs(): LogCollection {
    this.collection = new LogCollection();
    return this.collection;
  }

  stopCollecting(collection: LogCollection): void {
    if (this.collection === collection) this.collection = undefined;
  }

  /** The container is gone: whoever waits for the collected logs' sentinels waits no longer. */
  finish(): void {
    this.collection?.finish();
  }
}
