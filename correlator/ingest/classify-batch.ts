// A batch read once: its lines put back in the order each container wrote them (lines-by-container.ts)
// and each line classified (classify.ts). Every later stage — which state to load, which LMS
// profiles to load, assembly — works from this, so no line is parsed twice. Pure.
import type { Batch, StreamLine } from '../../protocol/batch';
import { classifyLine, type LineClass } from './classify';
import { linesByContainer } from './lines-by-container';

export interface ClassifiedLine {
  line: StreamLine;
  cls: LineClass;
}

export interface ClassifiedBatch {
  batch: Batch;
  /** per container (sorted by name), its lines in the order it wrote them, each classified */
  containers: ReadonlyMap<string, readonly ClassifiedLine[]>;
}

export function classifyBatch(batch: Batch): ClassifiedBatch {
  const containers = new Map<string, ClassifiedLine[]>();
  for (const [container, lines] of linesByContainer(batch)) {
    containers.set(container, lines.map((line) => ({ line, cls: classifyLine(line.line) })));
  }
  return { batch, containers };
}

/** Every classified line of the batch, container by container. */
export function* classifiedLines(input: ClassifiedBatch): Iterable<ClassifiedLine> {
  for (const lines of input.containers.values()) yield* lines;
}
