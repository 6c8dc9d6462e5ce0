// One request's graph in a document format (`provenance trace <reqId> --format ...`). A trace has
// no incidents of its own: the page, picture or PROV document shows the request graph as it is.
import type { RequestGraph } from '../types';
import { renderExport, type ExportFormat } from './index';

export function renderTraceAs(format: ExportFormat, graph: RequestGraph): string {
  return renderExport(format, { graphs: [graph] });
}
