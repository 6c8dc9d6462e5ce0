// The document exports, by the name `--format` takes. `text` and `json` are not here: each command
// renders those itself (the trace tree and trace JSON in upg/render, the report's own JSON).
import { renderDot } from './dot';
import { renderHtml } from './html';
import type { ExportInput } from './input';
import type { PictureOptions } from './picture';
import { renderMarkdown } from './markdown';
import { renderProvJson } from './prov-json';
import { renderProvTurtle } from './prov-o';

export type { ExportIncident, ExportInput, IncidentParty, IncidentThing } from './input';
export { renderDot } from './dot';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { renderProvJson } from './prov-json';
export { renderProvTurtle } from './prov-o';

export const EXPORT_FORMATS = ['markdown', 'html', 'dot', 'prov-json', 'prov-o'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Every `--format` value of `provenance trace` and `provenance report`. */
export const OUTPUT_FORMATS = ['text', 'json', ...EXPORT_FORMATS] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * `picture`: what the drawn exports (HTML, DOT) show: by default, with incidents, the attack paths
 * and one hop of context; `{ full: true }` draws everything, `{ context: N }` N hops (picture.ts).
 * The other formats write the whole graph.
 */
const RENDERERS: Record<ExportFormat, (input: ExportInput, picture?: PictureOptions) => string> = {
  markdown: (input) => renderMarkdown(input),
  html: renderHtml,
  dot: renderDot,
  'prov-json': renderProvJson,
  'prov-o': renderProvTurtle,
};

/** The file extension a format's output is conventionally saved under. */
export const FORMAT_EXTENSION: Record<OutputFormat, string> = {
  text: 'txt',
  json: 'json',
  markdown: 'md',
  html: 'html',
  dot: 'dot',
  'prov-json': 'json',
  'prov-o': 'ttl',
};

export function isExportFormat(format: string): format is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(format);
}

/** A `--format` value, checked: a clear message naming the accepted values otherwise. */
export function parseOutputFormat(value: unknown): OutputFormat {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new Error(`unknown --format ${JSON.stringify(value)}: use one of ${OUTPUT_FORMATS.join(', ')}`);
}

export function renderExport(format: ExportFormat, input: ExportInput, picture?: PictureOptions): string {
  return RENDERERS[format](input, picture);
}
