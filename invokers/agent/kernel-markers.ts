// What a line the kernel saw on a container's stdout/stderr means for activation boundaries: the
// wrapper's begin and end records, and the runtime's end-of-activation sentinel. Pure.
import { ACTIVATION_SENTINEL } from '../../protocol/action-runtime';
import { parseRecordLine } from '../../wrapper/records';
import { RECORD_LINE_START } from '../../protocol/wrapper-records';

export type Marker =
  | { kind: 'begin'; activationId: string; requestId: string; pid: number }
  | { kind: 'end'; activationId: string }
  | { kind: 'sentinel' };

export function markerOf(line: string): Marker | undefined {
  if (line.trim() === ACTIVATION_SENTINEL) return { kind: 'sentinel' };
  if (!line.startsWith(RECORD_LINE_START)) return undefined;
  // only begin and end records move boundaries, and parsing every record line was a fifth of the
  // agent's kernel work; inside a JSON string those quotes would be escaped, so no other field matches
  if (!line.includes('"t":"begin"') && !line.includes('"t":"end"')) return undefined;
  const parsed = parseRecordLine(line);
  if (!('record' in parsed)) return undefined;
  const r = parsed.record;
  if (r.t === 'begin') return { kind: 'begin', activationId: r.a, requestId: r.r, pid: r.pid };
  if (r.t === 'end') return { kind: 'end', activationId: r.a };
  return undefined;
}
