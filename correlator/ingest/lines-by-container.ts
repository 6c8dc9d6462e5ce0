// Puts a batch's lines back into the order each container wrote them: per container, stdout
// and stderr each in sequence order (the agent's per-stream seq), the two streams interleaved by
// the time the agent read them. A line delivered twice in one batch counts once.
import type { Batch, StreamLine } from '../../protocol/batch';

export function linesByContainer(batch: Batch): Map<string, StreamLine[]> {
  const grouped = new Map<string, { stdout: Map<number, StreamLine>; stderr: Map<number, StreamLine> }>();
  for (const line of batch.lines) {
    let g = grouped.get(line.container);
    if (!g) {
      g = { stdout: new Map(), stderr: new Map() };
      grouped.set(line.container, g);
    }
    const stream = line.stream === 'stderr' ? g.stderr : g.stdout;
    if (!stream.has(line.seq)) stream.set(line.seq, line);
  }
  const out = new Map<string, StreamLine[]>();
  for (const container of [...grouped.keys()].sort()) {
    const g = grouped.get(container)!;
    out.set(container, interleave(sortBySeq(g.stdout), sortBySeq(g.stderr)));
  }
  return out;
}

function sortBySeq(lines: Map<number, StreamLine>): StreamLine[] {
  return [...lines.values()].sort((a, b) => a.seq - b.seq);
}

/** Merge keeping each stream's own order; on equal times stdout first (records go to stdout). */
function interleave(stdout: StreamLine[], stderr: StreamLine[]): StreamLine[] {
  const out: StreamLine[] = [];
  let i = 0;
  let j = 0;
  while (i < stdout.length || j < stderr.length) {
    if (j >= stderr.length || (i < stdout.length && stdout[i].time <= stderr[j].time)) out.push(stdout[i++]);
    else out.push(stderr[j++]);
  }
  return out;
}
