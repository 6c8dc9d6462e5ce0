// The logs of one activation as OpenWhisk's invoker collects them: every line from the start of
// /run (or /init) up to the end-of-activation sentinel, on stdout and on stderr.
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';
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
