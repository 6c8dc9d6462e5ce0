// What a request's graph says was lost on the way: kernel events the ring buffer dropped, events
// the agent lost, lines cut to the agent's limit, batches it could neither deliver nor spool,
// records missing from a sequence. Drops are never silent: `provenance report` lists the requests
// these name. Pure: graph in, losses out.
import type { GraphWarning, RequestGraph } from './types';

/** Warning codes that mean "evidence of this request was lost" (written by correlator/assemble and correlator/kernel). */
export const LOSS_CODES: ReadonlySet<string> = new Set(['kernel-events-dropped', 'events-dropped', 'line-cut', 'output-lost', 'seq-gap']);

export interface RequestLosses {
  request: string;
  losses: GraphWarning[];
}

export function lossesOf(graph: RequestGraph): RequestLosses | undefined {
  const losses = (graph.warnings ?? []).filter((w) => LOSS_CODES.has(w.code));
  if (losses.length === 0) return undefined;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return { request: graph.request, losses: [...losses].sort((a, b) => cmp(a.code, b.code) || cmp(a.activationId ?? '', b.activationId ?? '') || cmp(a.message, b.message)) };
}

/** The report's text section; empty when nothing was lost. */
export function renderLossesText(all: readonly RequestLosses[]): string {
  if (all.length === 0) return '';
  const out = [`requests with losses (${all.length}) — their graphs are missing evidence:`];
  for (const r of all) {
    out.push(`  ${r.request}`);
    for (const w of r.losses) out.push(`    ! ${w.code}${w.activationId ? ` [${w.activationId}]` : ''}: ${w.message}${w.count !== undefined && w.count > 1 ? ` (×${w.count})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
