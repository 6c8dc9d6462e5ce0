// Writes one process container's stdout/stderr to its CRI-format log file, as the kubelet's runtime
// does for a pod's container (side effects), so that the node agent finds and reads the platform's
// containers exactly as it does on a Kubernetes node. Lines of one read from the container's pipe
// are written with one write(2): the cost per activation is a few appends, never a wait.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeCriLogEntry } from '../../protocol/cri-log';

export class CriLogWriter {
  private fd?: number;
  private pending: string[] = [];
  private failed = false;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  /** One whole line (no "\n" in it); written at the next flush(). */
  line(stream: 'stdout' | 'stderr', timeMs: number, text: string): void {
    if (this.fd !== undefined) this.pending.push(encodeCriLogEntry(stream, timeMs, text));
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    try {
      fs.writeSync(this.fd, text);
    } catch (err) {
      // the activation's own logs are still collected; only the agent's copy is lost, and said once
      if (!this.failed) process.emitWarning(`container log ${this.file}: writing failed (${(err as Error).message}); the agent does not see this container's further output`);
      this.failed = true;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
