// What a batch the agent could not keep held, told to the correlator in the next batch it delivers
// (protocol/batch.ts LostBatch), so that the requests it belonged to say so on their graphs. Pure.
import type { Batch, LostBatch } from '../../protocol/batch';
import { LOG_ID_OPEN, LOG_ID_CLOSE, RECORD_LINE_START } from '../../protocol/wrapper-records';
import { parseRecordLine } from '../../wrapper/records';

export function describeLost(batch: Batch, reason: string): LostBatch {
  const activations = new Set<string>();
  for (const l of batch.lines) {
    const id = activationOfLine(l.line);
    if (id) activations.add(id);
  }
  for (const e of batch.kernel ?? []) if (e.a) activations.add(e.a);
  for (const a of batch.kernelComplete ?? []) activations.add(a);
  for (const a of Object.keys(batch.kernelDrops ?? {})) activations.add(a);
  return { batch: batch.batch, reason, lines: batch.lines.length, kernelEvents: batch.kernel?.length ?? 0, activations: [...activations].sort() };
}

/** The activation a wrapper record or an id-prefixed log line names, if it names one. */
function activationOfLine(line: string): string | undefined {
  if (line.startsWith(RECORD_LINE_START)) {
    const parsed = parseRecordLine(line);
    return 'record' in parsed ? parsed.record.a : undefined;
  }
  if (line.startsWith(LOG_ID_OPEN)) {
    const close = line.indexOf(LOG_ID_CLOSE, LOG_ID_OPEN.length);
    const ids = close > 0 ? line.slice(LOG_ID_OPEN.length, close).split(' ') : [];
    return ids.length === 2 && ids[1] ? ids[1] : undefined;
  }
  return undefined;
}

/** One line for the agent's log: what was lost and what to do. */
export function lostLine(lost: LostBatch, spoolDir: string): string {
  return `agent: batch #${lost.batch} (${lost.lines} line(s), ${lost.kernelEvents} kernel event(s)) is LOST: the correlator refused it and it could not be spooled to ${spoolDir} (${lost.reason}); free space there — the next delivered batch marks the affected requests`;
}
