// The container log formats the agent reads (pure): Docker's json-file log, and the CRI format the
// kubelet's runtime (containerd, CRI-O) writes under /var/log/pods. Both decode to the same entry
// (a piece of one stream's output, with its "\n" when it ends a line), so one assembler and one
// tail serve both.
import { decodeJsonFileLine, type JsonFileEntry } from '../../../protocol/docker-json-file';
import { decodeCriLogLine } from '../../../protocol/cri-log';

export type LogFormat = 'json-file' | 'cri';

export type LogLineDecoder = (text: string) => JsonFileEntry | undefined;

export function decoderOf(format: LogFormat): LogLineDecoder {
  return format === 'cri' ? decodeCriLogLine : decodeJsonFileLine;
}
