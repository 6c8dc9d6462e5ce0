// Splits a byte stream (a container's stdout or stderr) into lines with bounded memory: a line
// longer than the limit keeps its head and says how much was cut (pure; no I/O).
import { completeUtf8Prefix, cutMarker } from '../agent/line-limit';

export class LineSplitter {
  private parts: Buffer[] = [];
  private buffered = 0;
  private dropped = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, nl));
      this.emit();
      start = nl + 1;
    }
  }

  /** The stream ended: a last line without a newline is still a line. */
  end(): void {
    if (this.buffered > 0 || this.dropped > 0) this.emit();
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.maxLineBytes - this.buffered;
    if (room >= piece.length) {
      this.parts.push(piece);
      this.buffered += piece.length;
      return;
    }
    if (room > 0) {
      this.parts.push(piece.subarray(0, room));
      this.buffered += room;
    }
    this.dropped += piece.length - Math.max(room, 0);
  }

  private emit(): void {
    let buf = Buffer.concat(this.parts);
    let dropped = this.dropped;
    if (dropped > 0) {
      const end = completeUtf8Prefix(buf);
      dropped += buf.length - end;
      buf = buf.subarray(0, end);
    }
    let line = buf.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.parts = [];
    this.buffered = 0;
    this.dropped = 0;
    this.onLine(dropped > 0 ? line + cutMarker(dropped) : line);
  }
}
