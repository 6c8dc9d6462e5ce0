// `sls provenance analyze [--function F] [--format text|dot|json]`: each wrapped function's LMS
// templates and LMS-CFG, from the same analysis packaging runs. Rendering is pure and shared with the
// standalone `provenance analyze <file>` (cli/commands/analyze.ts).
import { formatProfileDot, formatProfileText } from './render-profile';
import type { AnalyzedFunction } from './analyze-functions';

export const ANALYZE_FORMATS = ['text', 'dot', 'json'] as const;
export type AnalyzeFormat = (typeof ANALYZE_FORMATS)[number];

export function parseAnalyzeFormat(value: unknown): AnalyzeFormat {
  if (value === undefined || value === null || value === '') return 'text';
  if (typeof value === 'string' && (ANALYZE_FORMATS as readonly string[]).includes(value)) return value as AnalyzeFormat;
  throw new Error(`--format must be one of ${ANALYZE_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
}

export function renderAnalyses(analyses: readonly AnalyzedFunction[], format: AnalyzeFormat): string {
  if (format === 'json') {
    const out = analyses.map((a) => ({
      function: a.function,
      handlerFile: a.handlerFile,
      export: a.exportPath,
      ms: Math.round(a.ms * 10) / 10,
      ...(a.profile ? { hash: a.hash, profile: a.profile } : { error: a.error }),
    }));
    return JSON.stringify({ functions: out }, null, 2) + '\n';
  }
  const parts: string[] = [];
  for (const a of analyses) {
    if (!a.profile) {
      parts.push(format === 'dot' ? `// ${a.function}: analysis failed: ${a.error}\n` : `function ${a.function} (${a.handlerFile}, export ${a.exportPath}): analysis failed: ${a.error}\n`);
      continue;
    }
    if (format === 'dot') parts.push(`// function ${a.function} (${a.handlerFile}, export ${a.exportPath}), profile ${a.hash}\n${formatProfileDot(a.profile)}`);
    else parts.push(`function ${a.function} (${a.handlerFile}, export ${a.exportPath}), profile ${a.hash}, analysed in ${a.ms.toFixed(0)} ms\n${formatProfileText(a.profile)}`);
  }
  return parts.join(format === 'dot' ? '' : '\n');
}
