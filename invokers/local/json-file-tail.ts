// Follows a json-file log as the engine appends to it (inotify, with a slow poll as a safety net)
// and hands every whole entry line to `onText`; a torn last line waits for the rest of it.
import * as fs from 'node:fs';

export class JsonFileTail {
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private watcher?: fs.FSWatcher;
  private poll?: NodeJS.Timeout;
  private reading = false;
  private again = false;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly onText: (line: string) => void,
    pollMs = 200,
  ) {
    try {
      this.watcher = fs.watch(file, () => this.read());
      this.watcher.on('error', () => undefined);
    } catch {
      // not there yet: the poll finds it
    }
    this.poll = setInterval(() => this.read(), pollMs);
    this.poll.unref();
    this.read();
  }

  /** Read whatever was appended since the last read (synchronously; the file is local). */
  read(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        this.readOnce();
      } while (this.again);
    } finally {
      this.reading = false;
    }
  }

  private readOnce(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        // split on bytes: a chunk may end inside a UTF-8 character
        let data = Buffer.concat([this.partial, buf.subarray(0, n)]);
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a)) {
          if (nl > 0) this.onText(data.subarray(0, nl).toString('utf8'));
          data = data.subarray(nl + 1);
        }
        this.partial = Buffer.from(data);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** A last read, then stop following. */
  close(): void {
    this.read();
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poll);
  }
}
